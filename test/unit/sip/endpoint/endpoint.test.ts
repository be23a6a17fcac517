// The endpoint's dispatch and UAC paths over a stand-in stack (the real stack is covered by the
// integration tests against SIPp, sip.js and baresip).
import { describe, it, expect, beforeEach } from "@jest/globals";
import { createSipEndpoint, type SipEndpoint } from "../../../../src/sip/endpoint.js";
import type { IncomingRequest, SendRequestOptions, SipStack } from "../../../../src/sip/stack.js";
import type { SipRequest, SipResponse } from "../../../../src/sip/message/types.js";
import { createResponse } from "../../../../src/sip/message/build.js";
import { createSipResolver } from "../../../../src/sip/resolve/rfc3263.js";
import { parseUri } from "../../../../src/sip/message/uri.js";
import { flush, incoming, logger, request } from "../dialog/fake-stack.js";

function stubStack() {
  let handler: ((tx: IncomingRequest) => void) | undefined;
  const sent: Array<{ request: SipRequest; opts?: SendRequestOptions }> = [];
  let reply: (r: SipRequest) => SipResponse = (r) => createResponse(r, 200);
  const stack: SipStack = {
    start: async () => undefined,
    onRequest: (h) => { handler = h; },
    sendRequest: async (request, opts) => { sent.push({ request, ...(opts ? { opts } : {}) }); return reply(request); },
    sendStateless: async () => undefined,
    onStrayResponse: () => undefined,
    onFlowClosed: () => undefined,
    localContact: (t) => { if (t !== "UDP") throw new Error("no listener"); return { host: "198.51.100.1", port: 5060, transport: t }; },
    listening: () => [],
    stats: () => ({ transactions: 0, connections: 0 }),
    close: async () => undefined,
  };
  return { stack, sent, deliver: (tx: IncomingRequest) => handler!(tx), setReply: (f: typeof reply) => { reply = f; } };
}
const noDns = { resolveNaptr: async () => [], resolveSrv: async () => [], resolve4: async () => [], resolve6: async () => [] };

describe("SIP endpoint", () => {
  let s: ReturnType<typeof stubStack>;
  let ep: SipEndpoint;
  beforeEach(() => {
    s = stubStack();
    ep = createSipEndpoint({ listen: [{ transport: "UDP", host: "127.0.0.1", port: 5060 }], stack: s.stack, resolver: { dns: noDns } }, logger);
  });
  const base = { from: "<sip:bob@sip.example>;tag=1", to: "<sip:alice@gw.example>", "call-id": "c", cseq: "1 X" };

  it("hands MESSAGE to the application and sends its status", async () => {
    ep.onMessage((m) => ({ status: m.from === "sip:bob@sip.example" && new TextDecoder().decode(m.body) === "hi" ? 202 : 400 }));
    const tx = incoming(request("MESSAGE", "sip:alice@gw.example", { ...base, cseq: "1 MESSAGE", "content-type": "text/plain" }, "hi"));
    s.deliver(tx);
    await flush();
    expect(tx.responses[0]!.status).toBe(202);
  });
  it("answers 500 when the MESSAGE handler throws, 405 without a handler", async () => {
    const tx = incoming(request("MESSAGE", "sip:a@gw", { ...base, cseq: "1 MESSAGE" }));
    s.deliver(tx);
    expect(tx.responses[0]!.status).toBe(405);
    ep.onMessage(() => { throw new Error("boom"); });
    const tx2 = incoming(request("MESSAGE", "sip:a@gw", { ...base, cseq: "1 MESSAGE" }));
    s.deliver(tx2);
    await flush();
    expect(tx2.responses[0]!.status).toBe(500);
  });
  it("answers OPTIONS with Allow and Allow-Events, unknown methods 501, known unsupported ones 405", () => {
    ep.onSubscribe("presence", (ctx) => ctx.reject(403));
    const opt = incoming(request("OPTIONS", "sip:gw", { ...base, cseq: "1 OPTIONS" }));
    s.deliver(opt);
    expect(opt.responses[0]!.status).toBe(200);
    expect(opt.responses[0]!.headers.get("allow-events")).toBe("presence");
    expect(opt.responses[0]!.headers.get("allow")).toContain("SUBSCRIBE");
    const pub = incoming(request("PUBLISH", "sip:gw", { ...base, cseq: "1 PUBLISH" }));
    s.deliver(pub);
    expect(pub.responses[0]!.status).toBe(405);
    const odd = incoming(request("FROB", "sip:gw", { ...base, cseq: "1 FROB" }));
    s.deliver(odd);
    expect(odd.responses[0]!.status).toBe(501);
    let custom = 0;
    ep.onRequest("publish", (tx) => { custom++; tx.respond(200); });
    s.deliver(incoming(request("PUBLISH", "sip:gw", { ...base, cseq: "2 PUBLISH" })));
    expect(custom).toBe(1);
  });
  it("routes SUBSCRIBE to the notifier (489 for unknown packages) and NOTIFY to the subscriber (481 unknown)", () => {
    const sub = incoming(request("SUBSCRIBE", "sip:gw", { ...base, cseq: "1 SUBSCRIBE", event: "dialog" }));
    s.deliver(sub);
    expect(sub.responses[0]!.status).toBe(489);
    const notify = incoming(request("NOTIFY", "sip:gw", { ...base, to: "<sip:alice@gw.example>;tag=zz", cseq: "1 NOTIFY", event: "presence", "subscription-state": "active" }));
    s.deliver(notify);
    expect(notify.responses[0]!.status).toBe(481);
  });
  it("sends MESSAGE as the given identity, to the resolved target", async () => {
    const res = await ep.sendMessage("sip:alice@gw.example", "sip:bob@192.0.2.5:5070", "hello", "text/plain");
    expect(res.status).toBe(200);
    const { request: req, opts } = s.sent[0]!;
    expect(req.headers.get("from")).toMatch(/^<sip:alice@gw\.example>;tag=/);
    expect(req.headers.get("content-type")).toBe("text/plain");
    expect(opts?.target).toEqual({ transport: "UDP", host: "192.0.2.5", port: 5070 });
  });
  it("puts the outbound proxy in a Route header and sends there (RFC 3261 §8.1.2)", async () => {
    const s2 = stubStack();
    const ep2 = createSipEndpoint({
      listen: [{ transport: "UDP", host: "127.0.0.1", port: 5060 }], stack: s2.stack,
      resolver: createSipResolver({ dns: noDns, outboundProxy: parseUri("sip:10.0.0.1:5080")! }),
    }, logger);
    await ep2.sendMessage("sip:alice@gw.example", "sip:bob@sip.example", "x", "text/plain");
    expect(s2.sent[0]!.request.uri).toBe("sip:bob@sip.example");
    expect(s2.sent[0]!.request.headers.get("route")).toBe("<sip:10.0.0.1:5080;lr>");
    expect(s2.sent[0]!.opts?.target).toEqual({ transport: "UDP", host: "10.0.0.1", port: 5080 });
  });
  it("after one challenge, sends credentials at once to the same domain with an increasing nonce count", async () => {
    const s4 = stubStack();
    s4.setReply((r) => r.headers.has("proxy-authorization") ? createResponse(r, 200)
      : createResponse(r, 407, undefined, { headers: { "proxy-authenticate": 'Digest realm="p", nonce="n1", qop="auth"' } }));
    const ep4 = createSipEndpoint({ listen: [{ transport: "UDP", host: "127.0.0.1", port: 5060 }], stack: s4.stack, resolver: { dns: noDns }, credentials: () => ({ username: "u", password: "p" }) }, logger);
    expect((await ep4.sendMessage("sip:alice@gw.example", "sip:bob@192.0.2.5", "1", "text/plain")).status).toBe(200);
    expect(s4.sent).toHaveLength(2);
    expect((await ep4.sendMessage("sip:alice@gw.example", "sip:carol@192.0.2.5", "2", "text/plain")).status).toBe(200);
    expect(s4.sent).toHaveLength(3);
    expect(s4.sent[2]!.request.headers.get("proxy-authorization")).toContain("nc=00000002");
    // Another domain does not get this server's nonce.
    await ep4.sendMessage("sip:alice@gw.example", "sip:dave@192.0.2.6", "3", "text/plain");
    expect(s4.sent[3]!.request.headers.has("proxy-authorization")).toBe(false);
  });
  it("retries once with credentials on 407 and surfaces a second 407", async () => {
    const s3 = stubStack();
    let n = 0;
    s3.setReply((r) => { n++; return createResponse(r, 407, undefined, { headers: { "proxy-authenticate": 'Digest realm="p", nonce="x", qop="auth"' } }); });
    const ep3 = createSipEndpoint({ listen: [{ transport: "UDP", host: "127.0.0.1", port: 5060 }], stack: s3.stack, resolver: { dns: noDns }, credentials: () => ({ username: "u", password: "p" }) }, logger);
    const res = await ep3.sendMessage("sip:alice@gw.example", "sip:bob@192.0.2.5", "x", "text/plain");
    expect(res.status).toBe(407);
    expect(n).toBe(2);
    expect(s3.sent[1]!.request.headers.get("proxy-authorization")).toMatch(/^Digest username="u", realm="p"/);
    expect(s3.sent[1]!.request.headers.get("cseq")).toBe("2 MESSAGE");
  });
});
