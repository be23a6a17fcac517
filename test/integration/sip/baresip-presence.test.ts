// baresip 1.0 (presence module, p2p contact) subscribes to a presentity the endpoint serves: the
// SUBSCRIBE reaches the notifier, the NOTIFY with a PIDF reaches baresip, which shows the new status
// in its log; a MESSAGE from the endpoint shows up there too.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import pino from "pino";
import { createSipEndpoint, type SipEndpoint, type SubscribeContext, type SubscriptionEnded } from "../../../src/sip/endpoint.js";
import { freePort, waitFor } from "../../support/peers/process.js";
import { startBaresip, type BaresipPeer } from "../../support/peers/baresip.js";

const logger = pino({ level: process.env.STOX_TEST_LOG ?? "silent" });
const pidf = `<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:alice@127.0.0.1"><tuple id="a1"><status><basic>open</basic></status></tuple></presence>`;

describe("baresip subscribes to a presentity served by the endpoint", () => {
  let ep: SipEndpoint;
  let port: number;
  let bare: BaresipPeer;
  const seen: SubscribeContext[] = [];
  const ended: SubscriptionEnded[] = [];
  beforeAll(async () => {
    port = await freePort();
    ep = createSipEndpoint({ listen: [{ transport: "UDP", host: "127.0.0.1", port }], stackOptions: { timers: { t1: 100 } } }, logger);
    ep.onSubscribe("presence", (ctx) => {
      seen.push(ctx);
      ctx.accept("active", pidf, "application/pidf+xml").onTerminated((e) => ended.push(e));
    });
    ep.onMessage(() => ({ status: 200 }));
    await ep.start();
    bare = await startBaresip({ user: "sip:bob@127.0.0.1", presenceContacts: [{ name: "Alice", uri: `sip:alice@127.0.0.1:${port}` }], quitAfterS: 40 });
  }, 20_000);
  afterAll(async () => {
    await bare?.stop();
    await ep?.close();
  }, 20_000);

  it("answers baresip's SUBSCRIBE and baresip takes the NOTIFY", async () => {
    await waitFor("baresip's SUBSCRIBE", () => seen.length >= 1, { peer: bare.process, timeoutMs: 25_000 });
    expect(seen[0]!.resource).toBe(`sip:alice@127.0.0.1:${port}`);
    expect(seen[0]!.subscriber).toBe(`sip:bob@127.0.0.1:${bare.port}`);
    // baresip's SIP trace (-s) shows our NOTIFY arriving and its 200 going back.
    await bare.waitForLog("NOTIFY in baresip's trace", new RegExp(`127\\.0\\.0\\.1:${port} -> 127\\.0\\.0\\.1:${bare.port}\\s+NOTIFY `));
    await bare.waitForLog("baresip's 200 to the NOTIFY", new RegExp(`-> 127\\.0\\.0\\.1:${port}\\s+SIP/2\\.0 200 OK[\\s\\S]*?CSeq: \\d+ NOTIFY`));
    // baresip 1.0 prints status changes only through a UI module, so the SIP trace is the evidence.
  }, 40_000);

  it("delivers a MESSAGE to baresip", async () => {
    const res = await ep.sendMessage(`sip:alice@127.0.0.1:${port}`, bare.aor, "hello baresip", "text/plain");
    expect(res.status).toBe(200);
    await bare.waitForLog("message in baresip's trace", /MESSAGE sip:bob@[\s\S]*hello baresip/);
  }, 20_000);

  it("sees baresip unsubscribe when it shuts down", async () => {
    await bare.stop();
    await waitFor("unsubscribe from baresip", () => ended.length === 1, { timeoutMs: 10_000 });
    expect(ended[0]).toEqual({ by: "subscriber", reason: "unsubscribed" });
    expect(ep.counts().notifier).toBe(0);
  }, 20_000);
});
