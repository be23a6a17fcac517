// RFC 3261 §18.2.1 / RFC 3581 stamping, §18.2.2 response routing, and next-hop targets.
import { describe, expect, it } from "@jest/globals";
import { createRequest } from "../../../../src/sip/message/build.js";
import { parseVia } from "../../../../src/sip/message/via.js";
import type { SipPeer } from "../../../../src/sip/message/types.js";
import { stampReceived } from "../../../../src/sip/transport/received.js";
import { routeResponse } from "../../../../src/sip/transport/response-route.js";
import { targetOfRequest } from "../../../../src/sip/transport/target.js";

const via = (text: string) => parseVia(text)!;
const src: SipPeer = { transport: "UDP", address: "203.0.113.5", port: 40000 };

function req(v: string, uri = "sip:bob@example.com", route?: string) {
  return createRequest({ method: "MESSAGE", uri, headers: { via: v, from: "<sip:a@b>;tag=1", to: "<sip:c@d>", "call-id": "x", cseq: "1 MESSAGE", ...(route ? { route } : {}) } });
}

describe("stampReceived (§18.2.1, RFC 3581 §4)", () => {
  it("adds received when sent-by differs from the packet source", () => {
    const r = req("SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1");
    stampReceived(r, src);
    expect(via(r.headers.get("via")!).params.get("received")).toBe("203.0.113.5");
  });
  it("adds received when sent-by is a name, even if it resolves to the source", () => {
    const r = req("SIP/2.0/UDP host.example:5060;branch=z9hG4bK1");
    stampReceived(r, src);
    expect(via(r.headers.get("via")!).params.get("received")).toBe("203.0.113.5");
  });
  it("fills an empty rport with the source port and adds received even when the address matches", () => {
    const r = req("SIP/2.0/UDP 203.0.113.5:5060;rport;branch=z9hG4bK1");
    stampReceived(r, src);
    const v = via(r.headers.get("via")!);
    expect(v.params.get("rport")).toBe("40000");
    expect(v.params.get("received")).toBe("203.0.113.5");
  });
  it("leaves a matching Via untouched and keeps the other Vias", () => {
    const r = req("SIP/2.0/UDP 203.0.113.5:5060;branch=z9hG4bK1");
    r.headers.append("via", "SIP/2.0/UDP 198.51.100.1;branch=z9hG4bK0");
    stampReceived(r, src);
    expect(r.headers.getAll("via")).toEqual(["SIP/2.0/UDP 203.0.113.5:5060;branch=z9hG4bK1", "SIP/2.0/UDP 198.51.100.1;branch=z9hG4bK0"]);
  });
});

describe("routeResponse (§18.2.2)", () => {
  it("reliable: the request's flow, falling back to received + sent-by port", () => {
    expect(routeResponse(via("SIP/2.0/TCP h.example:5070;received=192.0.2.7;branch=z9hG4bK1"), { transport: "TCP", address: "192.0.2.7", port: 50000, flow: "tcp-9" }))
      .toEqual({ kind: "flow", flow: "tcp-9", fallback: { transport: "TCP", host: "192.0.2.7", port: 5070 } });
    expect(routeResponse(via("SIP/2.0/TLS h.example;branch=z9hG4bK1")))
      .toEqual({ kind: "target", target: { transport: "TLS", host: "h.example", port: 5061 } });
  });
  it("UDP: maddr first", () => {
    expect(routeResponse(via("SIP/2.0/UDP h.example:5062;maddr=239.1.1.1;received=192.0.2.7;rport=4000;branch=z9hG4bK1")))
      .toEqual({ kind: "target", target: { transport: "UDP", host: "239.1.1.1", port: 5062 } });
  });
  it("UDP: then received + rport (RFC 3581)", () => {
    expect(routeResponse(via("SIP/2.0/UDP h.example:5062;received=192.0.2.7;rport=4000;branch=z9hG4bK1")))
      .toEqual({ kind: "target", target: { transport: "UDP", host: "192.0.2.7", port: 4000 } });
  });
  it("UDP: then received + sent-by port (default 5060)", () => {
    expect(routeResponse(via("SIP/2.0/UDP h.example;received=192.0.2.7;branch=z9hG4bK1")))
      .toEqual({ kind: "target", target: { transport: "UDP", host: "192.0.2.7", port: 5060 } });
  });
  it("UDP: else sent-by", () => {
    expect(routeResponse(via("SIP/2.0/UDP h.example:5099;branch=z9hG4bK1")))
      .toEqual({ kind: "target", target: { transport: "UDP", host: "h.example", port: 5099 } });
  });
  it("refuses unknown transports", () => {
    expect(routeResponse(via("SIP/2.0/SCTP h.example;branch=z9hG4bK1"))).toBeUndefined();
  });
});

describe("targetOfRequest", () => {
  it("uses the Request-URI with transport parameter and default port", () => {
    expect(targetOfRequest(req("SIP/2.0/UDP a;branch=z9hG4bK1", "sip:bob@192.0.2.1;transport=tcp"))).toEqual({ transport: "TCP", host: "192.0.2.1", port: 5060 });
    expect(targetOfRequest(req("SIP/2.0/UDP a;branch=z9hG4bK1", "sips:bob@192.0.2.1"))).toEqual({ transport: "TLS", host: "192.0.2.1", port: 5061 });
  });
  it("prefers the first Route", () => {
    expect(targetOfRequest(req("SIP/2.0/UDP a;branch=z9hG4bK1", "sip:bob@example.com", "<sip:192.0.2.9:5080;lr>"))).toEqual({ transport: "UDP", host: "192.0.2.9", port: 5080 });
  });
});
