// Found by the hostile E2E run: a MESSAGE to http:… got 400 (the address translator's malformedAddress)
// where RFC 3261 §8.2.2.1 says a UAS SHOULD answer an unsupported Request-URI scheme with 416.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import pino from "pino";
import { createSipEndpoint, type SipEndpoint } from "../../../src/sip/endpoint.js";
import type { SipListening } from "../../../src/sip/stack.js";
import { parseResponses, request, udpPeer, type UdpPeer } from "../../integration/hostile/raw-sip.js";

describe("Request-URI schemes", () => {
  let ep: SipEndpoint;
  let peer: UdpPeer;
  let port: number;
  const handled: string[] = [];
  beforeAll(async () => {
    ep = createSipEndpoint({ listen: [{ transport: "UDP", host: "127.0.0.1", port: 0 }] }, pino({ level: "silent" }));
    ep.onMessage(async (m) => { handled.push(m.request.uri); return { status: 200, reason: "OK" }; });
    await ep.start();
    port = (ep.stack.listening() as readonly SipListening[])[0]!.port;
    peer = await udpPeer();
  });
  afterAll(async () => {
    peer.close();
    await ep.close();
  });

  it.each(["http://xmpp.example/alice", "tel:+15551234567", "nobodyKnowsThisScheme:totallyopaquecontent", "mailto:alice@xmpp.example"])("answers %s 416", async (uri) => {
    const rs = await peer.exchange(request({ uri, port: peer.port }), port);
    expect(rs.map((r) => `${r.status} ${r.reason}`)).toEqual(["416 Unsupported URI Scheme"]);
    expect(handled).not.toContain(uri);
  });

  it.each(["sip:alice@xmpp.example", "SIP:alice@xmpp.example", "im:alice@xmpp.example"])("passes %s to the MESSAGE handler", async (uri) => {
    const rs = await peer.exchange(request({ uri, port: peer.port }), port);
    expect(rs.map((r) => r.status)).toEqual([200]);
    expect(handled).toContain(uri);
  });

  it("parses the helpers' responses (self-check)", () => {
    expect(parseResponses("SIP/2.0 416 Unsupported URI Scheme\r\nVia: x\r\n\r\n")[0]?.header("via")).toBe("x");
  });
});
