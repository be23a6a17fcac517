// The endpoint as RFC 6665 subscriber against a SIPp notifier: SUBSCRIBE as an identity → 200 →
// NOTIFY active with a PIDF (body handed to the app) → unsubscribe → final NOTIFY terminated.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { fileURLToPath } from "node:url";
import pino from "pino";
import { createSipEndpoint, type NotifyReceived, type SipEndpoint, type Subscription, type SubscriptionEnded } from "../../../src/sip/endpoint.js";
import { freePort, waitFor } from "../../support/peers/process.js";
import { describeSipp, startSipp } from "../../support/peers/sipp.js";

const scenario = fileURLToPath(new URL("../scenarios/dialog-notifier-uas.xml", import.meta.url));
const logger = pino({ level: process.env.STOX_TEST_LOG ?? "silent" });

describe("endpoint subscribes to a SIPp notifier", () => {
  let ep: SipEndpoint;
  beforeAll(async () => {
    const port = await freePort();
    ep = createSipEndpoint({
      listen: [{ transport: "UDP", host: "127.0.0.1", port }, { transport: "TCP", host: "127.0.0.1", port }],
      stackOptions: { timers: { t1: 100 } },
    }, logger);
    await ep.start();
  });
  afterAll(async () => { await ep.close(); }, 20_000);

  for (const [transport, param] of [["u1", ""], ["t1", ";transport=tcp"]] as const) {
    it(`gets the PIDF and the final NOTIFY over ${transport === "u1" ? "UDP" : "TCP"}`, async () => {
      const sipp = await startSipp({ scenario, transport, calls: 1, timeoutS: 30 });
      const sub = ep.subscribe("sip:alice@gw.test", `sip:carol@127.0.0.1:${sipp.localPort}${param}`, "presence", { expires: 120, accept: ["application/pidf+xml"] });
      const notes: NotifyReceived[] = [];
      const ended: SubscriptionEnded[] = [];
      sub.onNotify((n) => notes.push(n));
      sub.onTerminated((e) => ended.push(e));
      expect((await sub.response)?.status).toBe(200);
      await waitFor("first NOTIFY", () => notes.length >= 1);
      expect(notes[0]!.state).toBe("active");
      expect(notes[0]!.contentType).toBe("application/pidf+xml");
      expect(new TextDecoder().decode(notes[0]!.body)).toContain("<note>sipp here</note>");
      expect(ep.counts().subscriber).toBe(1);
      await sub.unsubscribe();
      expect(ended).toEqual([{ by: "subscriber", reason: "unsubscribed" }]);
      expect(notes.map((n) => n.state)).toEqual(["active", "terminated"]);
      const r = await sipp.result();
      await sipp.stop();
      if (r.exitCode !== 0) throw new Error(describeSipp(r));
      expect(ep.counts().subscriber).toBe(0);
    }, 60_000);
  }

  it("subscribes 500 identities at once over one TCP connection and unsubscribes them all", async () => {
    const n = 500;
    const sipp = await startSipp({ scenario, transport: "t1", calls: n, timeoutS: 60, extraArgs: ["-max_socket", "100"] });
    const target = `sip:carol@127.0.0.1:${sipp.localPort};transport=tcp`;
    // The first SUBSCRIBE opens the connection; the other 499 go out together and must all reuse it.
    // (Sent all at once before any connection exists, the transport currently opens one connection
    // per request: concurrent connects to one target are not coalesced in src/sip/transport/.)
    const notified = (s: Subscription) => new Promise<void>((resolve) => s.onNotify(() => resolve()));
    const first = ep.subscribe("sip:user0@gw.test", target, "presence", { expires: 120 });
    const firstNotify = [notified(first)];
    await first.response;
    const subs = [first, ...Array.from({ length: n - 1 }, (_, i) => ep.subscribe(`sip:user${i + 1}@gw.test`, target, "presence", { expires: 120 }))];
    firstNotify.push(...subs.slice(1).map(notified));
    const statuses = await Promise.all(subs.map((s) => s.response.then((r) => r?.status)));
    expect(statuses.every((st) => st === 200)).toBe(true);
    await Promise.all(firstNotify);
    expect(ep.counts().subscriber).toBe(n);
    expect(ep.stack.stats().connections).toBe(1); // every dialog rides the one connection to SIPp
    await Promise.all(subs.map((s) => s.unsubscribe()));
    expect(ep.counts().subscriber).toBe(0);
    const r = await sipp.result();
    await sipp.stop();
    if (r.exitCode !== 0) throw new Error(describeSipp(r));
    expect(r.stats["SuccessfulCall(C)"]).toBe(String(n));
  }, 90_000);
});
