import { describe, it, expect, jest, beforeEach, afterEach } from "@jest/globals";
import { createSubscriber, refreshDelaySeconds, type NotifyReceived } from "../../../../src/sip/dialog/subscriber.js";
import type { SubscriptionEnded } from "../../../../src/sip/dialog/subscription-types.js";
import { createUac } from "../../../../src/sip/dialog/uac.js";
import { createSipResolver } from "../../../../src/sip/resolve/rfc3263.js";
import { createDigestVerifier } from "../../../../src/sip/auth/verify.js";
import { createResponse } from "../../../../src/sip/message/build.js";
import type { SipRequest, SipResponse } from "../../../../src/sip/message/types.js";
import { fakeStack, flush, incoming, logger, request } from "./fake-stack.js";

const FROM = "sip:alice@gw.example";
const TO = "sip:carol@192.0.2.7";
const ok = (req: SipRequest, expires = 600, status = 200): SipResponse =>
  createResponse(req, status, undefined, { toTag: "c1", headers: { contact: "<sip:carol@192.0.2.7:5070>", expires: String(expires) } });

function notifyFor(sub: SipRequest, cseq: number, state: string, body = "") {
  return request("NOTIFY", "sip:alice@198.51.100.1:5060", {
    from: "<sip:carol@192.0.2.7>;tag=c1", to: sub.headers.get("from")!, "call-id": sub.headers.get("call-id")!,
    cseq: `${cseq} NOTIFY`, event: "presence", "subscription-state": state, contact: "<sip:carol@192.0.2.7:5070>",
    ...(body ? { "content-type": "application/pidf+xml" } : {}),
  }, body);
}

describe("RFC 6665 subscriber", () => {
  let f: ReturnType<typeof fakeStack>;
  beforeEach(() => { jest.useFakeTimers({ now: 1_700_000_000_000 }); f = fakeStack(); });
  afterEach(() => { jest.useRealTimers(); });

  it("refreshes at max(expires − 60 s, expires / 2)", () => {
    expect(refreshDelaySeconds(3600)).toBe(3540);
    expect(refreshDelaySeconds(100)).toBe(50);
  });

  it("sends SUBSCRIBE as the identity, handles 2xx and NOTIFY, refreshes in the dialog", async () => {
    f.respondWith((req) => ok(req));
    const role = createSubscriber({ uac: f.uac, logger });
    const s = role.subscribe(FROM, TO, "presence", { expires: 600, accept: ["application/pidf+xml"] });
    const notes: NotifyReceived[] = [];
    s.onNotify((n) => notes.push(n));
    expect((await s.response)?.status).toBe(200);
    const req = f.sent[0]!.request;
    expect(req.headers.get("from")).toMatch(/^<sip:alice@gw\.example>;tag=/);
    expect(req.headers.get("contact")).toBe("<sip:alice@198.51.100.1:5060>");
    expect([req.headers.get("event"), req.headers.get("expires"), req.headers.get("accept")]).toEqual(["presence", "600", "application/pidf+xml"]);

    const tx = incoming(notifyFor(req, 1, "active;expires=600", "<presence/>"));
    role.handleNotify(tx);
    expect(tx.responses[0]!.status).toBe(200);
    expect(notes.map((n) => [n.state, n.expires, new TextDecoder().decode(n.body)])).toEqual([["active", 600, "<presence/>"]]);
    expect(s.data().state).toBe("active");

    jest.advanceTimersByTime(539_000);
    expect(f.sent).toHaveLength(1);
    jest.advanceTimersByTime(1_000);
    await flush();
    const refresh = f.sent[1]!.request;
    expect(refresh.uri).toBe("sip:carol@192.0.2.7:5070");
    expect(refresh.headers.get("cseq")).toBe("2 SUBSCRIBE");
    expect(refresh.headers.get("to")).toBe("<sip:carol@192.0.2.7>;tag=c1");
    expect(refresh.headers.get("expires")).toBe("600");
    expect(refresh.headers.get("accept")).toBe("application/pidf+xml");
  });

  it("accepts a NOTIFY that arrives before the 2xx (§4.1.2.4)", async () => {
    let release!: () => void;
    f.respondWith((req) => new Promise((r) => { release = () => r(ok(req, 600, 202)); }));
    const role = createSubscriber({ uac: f.uac, logger });
    const s = role.subscribe(FROM, TO, "presence");
    await flush();
    const tx = incoming(notifyFor(f.sent[0]!.request, 1, "pending;expires=600"));
    role.handleNotify(tx);
    expect(tx.responses[0]!.status).toBe(200);
    expect(s.data().dialog?.id.remoteTag).toBe("c1");
    release();
    expect((await s.response)?.status).toBe(202); // RFC 3265-style 202 is still accepted
    expect(s.data().state).toBe("pending");
  });

  it("answers 481 to a NOTIFY for no subscription and 500 to an out-of-order one", async () => {
    f.respondWith((req) => ok(req));
    const role = createSubscriber({ uac: f.uac, logger });
    const s = role.subscribe(FROM, TO, "presence");
    await s.response;
    const stray = incoming(notifyFor(f.sent[0]!.request, 1, "active"));
    stray.request.headers.set("call-id", "nope");
    role.handleNotify(stray);
    expect(stray.responses[0]!.status).toBe(481);
    role.handleNotify(incoming(notifyFor(f.sent[0]!.request, 5, "active")));
    const old = incoming(notifyFor(f.sent[0]!.request, 4, "active"));
    role.handleNotify(old);
    expect(old.responses[0]!.status).toBe(500);
  });

  it("gives up after Timer N when no NOTIFY comes", async () => {
    f.respondWith((req) => ok(req));
    const role = createSubscriber({ uac: f.uac, logger, timerNMs: 32_000 });
    const s = role.subscribe(FROM, TO, "presence");
    const ended: SubscriptionEnded[] = [];
    s.onTerminated((e) => ended.push(e));
    await s.response;
    jest.advanceTimersByTime(32_000);
    expect(ended).toEqual([{ by: "timeout", reason: "expired", status: 408 }]);
    expect(role.size).toBe(0);
  });

  it("does not refresh a subscription granted Expires: 0 (a fetch) and ends it on the final NOTIFY", async () => {
    f.respondWith((req) => ok(req, 0));
    const role = createSubscriber({ uac: f.uac, logger });
    const s = role.subscribe(FROM, TO, "presence", { expires: 0 });
    const ended: SubscriptionEnded[] = [];
    s.onTerminated((e) => ended.push(e));
    await s.response;
    jest.advanceTimersByTime(5_000);
    await flush();
    expect(f.sent).toHaveLength(1);
    role.handleNotify(incoming(notifyFor(f.sent[0]!.request, 1, "terminated;reason=timeout", "<presence/>")));
    expect(ended).toEqual([{ by: "notifier", reason: "timeout" }]);
  });

  it("retries a 423 with Min-Expires", async () => {
    f.respondWith((req) => req.headers.get("expires") === "60"
      ? createResponse(req, 423, undefined, { headers: { "min-expires": "1800" } }) : ok(req, 1800));
    const role = createSubscriber({ uac: f.uac, logger });
    const s = role.subscribe(FROM, TO, "presence", { expires: 60 });
    expect((await s.response)?.status).toBe(200);
    expect(f.sent.map((x) => [x.request.headers.get("cseq"), x.request.headers.get("expires")])).toEqual([["1 SUBSCRIBE", "60"], ["2 SUBSCRIBE", "1800"]]);
  });

  it("answers a 401 with digest credentials of the subscribing identity, CSeq + 1", async () => {
    const verifier = createDigestVerifier({ realm: "sip.example", passwordOf: (u) => (u === "alice" ? "pw" : undefined) });
    f.respondWith((req) => {
      const v = verifier.verify({ method: req.method, uri: req.uri, body: req.body, headers: req.headers });
      return v.ok ? ok(req) : createResponse(req, v.status, undefined, { headers: { [v.headerName]: [...v.challenges] } });
    });
    const resolver = createSipResolver({ dns: { resolveNaptr: async () => [], resolveSrv: async () => [], resolve4: async () => [], resolve6: async () => [] } });
    const lookups: string[] = [];
    const uac = createUac({ stack: f.stack, resolver, logger, credentials: (identity, realm) => { lookups.push(`${identity} ${realm}`); return { username: "alice", password: "pw" }; } });
    const s = createSubscriber({ uac, logger }).subscribe(FROM, TO, "presence");
    expect((await s.response)?.status).toBe(200);
    expect(lookups).toEqual(["sip:alice@gw.example sip.example"]);
    expect(f.sent[1]!.request.headers.get("cseq")).toBe("2 SUBSCRIBE");
    expect(s.data().dialog?.localSeq).toBe(2);
  });

  it("unsubscribes with Expires: 0 and resolves on the final NOTIFY", async () => {
    f.respondWith((req) => ok(req, Number(req.headers.get("expires"))));
    const role = createSubscriber({ uac: f.uac, logger });
    const s = role.subscribe(FROM, TO, "presence");
    const ended: SubscriptionEnded[] = [];
    s.onTerminated((e) => ended.push(e));
    await s.response;
    role.handleNotify(incoming(notifyFor(f.sent[0]!.request, 1, "active;expires=3600")));
    let done = false;
    const p = s.unsubscribe().then(() => { done = true; });
    await flush();
    expect(f.sent[1]!.request.headers.get("expires")).toBe("0");
    expect(done).toBe(false);
    role.handleNotify(incoming(notifyFor(f.sent[0]!.request, 2, "terminated;reason=timeout")));
    await p;
    expect(ended).toEqual([{ by: "subscriber", reason: "unsubscribed" }]);
  });

  it("resumes from stored data: NOTIFYs still match, the refresh comes on time with the next CSeq", async () => {
    f.respondWith((req) => ok(req));
    const first = createSubscriber({ uac: f.uac, logger });
    const s = first.subscribe(FROM, TO, "presence", { expires: 600 });
    await s.response;
    const stored = JSON.parse(JSON.stringify(s.data()));
    first.detachAll();
    jest.advanceTimersByTime(100_000);
    const second = createSubscriber({ uac: f.uac, logger });
    const restored = second.restore(stored);
    const notes: NotifyReceived[] = [];
    restored.onNotify((n) => notes.push(n));
    const tx = incoming(notifyFor(f.sent[0]!.request, 1, "active;expires=500"));
    second.handleNotify(tx);
    expect(tx.responses[0]!.status).toBe(200);
    expect(notes).toHaveLength(1);
    expect(f.sent).toHaveLength(1);
    jest.advanceTimersByTime(440_000); // refresh due 540 s after the 2xx, i.e. 440 s after the restore
    await flush();
    expect(f.sent).toHaveLength(2);
    expect(f.sent[1]!.request.headers.get("cseq")).toBe("2 SUBSCRIBE");
  });

  it("reports a notifier's termination with reason and retry-after", async () => {
    f.respondWith((req) => ok(req));
    const role = createSubscriber({ uac: f.uac, logger });
    const s = role.subscribe(FROM, TO, "presence");
    const ended: SubscriptionEnded[] = [];
    s.onTerminated((e) => ended.push(e));
    await s.response;
    role.handleNotify(incoming(notifyFor(f.sent[0]!.request, 1, "terminated;reason=deactivated;retry-after=20")));
    expect(ended).toEqual([{ by: "notifier", reason: "deactivated", retryAfter: 20 }]);
    expect(JSON.parse(JSON.stringify(s.data())).state).toBe("terminated");
  });

  it("passes a refused SUBSCRIBE's Retry-After on to the owner (RFC 3261 §20.33)", async () => {
    f.respondWith((req) => createResponse(req, 503, undefined, { headers: { "retry-after": "45 (maintenance);duration=600" } }));
    const role = createSubscriber({ uac: f.uac, logger });
    const s = role.subscribe(FROM, TO, "presence");
    const ended: SubscriptionEnded[] = [];
    s.onTerminated((e) => ended.push(e));
    expect((await s.response)?.status).toBe(503);
    expect(ended).toEqual([{ by: "error", reason: "request-failed", status: 503, retryAfter: 45 }]);
  });
});
