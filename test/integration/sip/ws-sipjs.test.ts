// A sip.js 0.21.2 UserAgent over WebSocket (RFC 7118) against the endpoint: it subscribes to a
// presentity the endpoint serves (Subscriber), and MESSAGEs go both ways over its one connection.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import pino from "pino";
import { createSipEndpoint, type IncomingSipMessage, type NotifierSubscription, type SipEndpoint, type SubscriptionEnded } from "../../../src/sip/endpoint.js";
import { freePort, waitFor } from "../../support/peers/process.js";
import { startSipJs, type SipJsPeer } from "../../support/sipjs-ua.js";

const logger = pino({ level: process.env.STOX_TEST_LOG ?? "silent" });
const pidf = (note: string) => `<?xml version="1.0"?><presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:alice@gw.test"><tuple id="a"><status><basic>open</basic></status><note>${note}</note></tuple></presence>`;

describe("sip.js over WebSocket", () => {
  let ep: SipEndpoint;
  let peer: SipJsPeer;
  const received: IncomingSipMessage[] = [];
  let served: NotifierSubscription | undefined;
  const ended: SubscriptionEnded[] = [];
  beforeAll(async () => {
    const port = await freePort();
    ep = createSipEndpoint({ listen: [{ transport: "WS", host: "127.0.0.1", port }] }, logger);
    ep.onMessage((m) => { received.push(m); return { status: 200 }; });
    ep.onSubscribe("presence", (ctx) => {
      served = ctx.accept("active", pidf("first"), "application/pidf+xml");
      served.onTerminated((e) => ended.push(e));
    });
    await ep.start();
    peer = await startSipJs("sip:bob@127.0.0.1", `ws://127.0.0.1:${port}`);
  });
  afterAll(async () => {
    await peer?.stop();
    await ep?.close();
  }, 20_000);

  it("receives the browser's MESSAGE and answers over the same connection", async () => {
    await peer.sendMessage("sip:alice@gw.test", "hi from the browser");
    await waitFor("MESSAGE at the endpoint", () => received.length === 1);
    expect(new TextDecoder().decode(received[0]!.body)).toBe("hi from the browser");
    expect(received[0]!.source.transport).toBe("WS");
    const res = await ep.sendMessage("sip:alice@gw.test", "sip:bob@127.0.0.1", "hi back", "text/plain", { target: received[0]!.source });
    expect(res.status).toBe(200);
    await waitFor("MESSAGE at sip.js", () => peer.messages.length === 1);
    expect(peer.messages).toEqual(["hi back"]);
  });

  it("subscribes with sip.js' Subscriber, gets the NOTIFYs, and unsubscribes", async () => {
    const sub = peer.subscribe("sip:alice@gw.test", "presence", 120);
    await waitFor("first NOTIFY", () => sub.notifies.length >= 1);
    expect(sub.notifies[0]!.state).toMatch(/^active;expires=1[12]\d$/);
    expect(sub.notifies[0]!.body).toContain("<note>first</note>");
    await served!.notify(pidf("second"));
    await waitFor("second NOTIFY", () => sub.notifies.length >= 2);
    expect(sub.notifies[1]!.body).toContain("<note>second</note>");
    expect(sub.states).toContain("Subscribed");
    await sub.unsubscribe();
    await waitFor("unsubscribe at the endpoint", () => ended.length === 1);
    expect(ended[0]).toEqual({ by: "subscriber", reason: "unsubscribed" });
    await waitFor("sip.js terminated", () => sub.states.includes("Terminated"));
  });
});
