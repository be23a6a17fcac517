import { describe, it, expect, jest, beforeEach, afterEach } from "@jest/globals";
import { createNotifier, type NotifierSubscription } from "../../../../src/sip/dialog/notifier.js";
import { parseSubscriptionState } from "../../../../src/sip/dialog/event-headers.js";
import type { SubscriptionEnded } from "../../../../src/sip/dialog/subscription-types.js";
import { createResponse } from "../../../../src/sip/message/build.js";
import { synthesizeResponse } from "../../../../src/sip/transaction/synthetic.js";
import { fakeStack, flush, incoming, logger, request } from "./fake-stack.js";

const PIDF = '<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:alice@gw.example"/>';
const subscribe = (h: Record<string, string> = {}) => request("SUBSCRIBE", "sip:alice@gw.example", {
  from: "<sip:bob@sip.example>;tag=b1", to: "<sip:alice@gw.example>", "call-id": "call-1", cseq: "1 SUBSCRIBE",
  contact: "<sip:bob@192.0.2.9:5062>", event: "presence", expires: "600", ...h,
});
const state = (i: number, sent: ReturnType<typeof fakeStack>["sent"]) => parseSubscriptionState(sent[i]!.request.headers.get("subscription-state"));

describe("RFC 6665 notifier", () => {
  let f: ReturnType<typeof fakeStack>;
  let notifier: ReturnType<typeof createNotifier>;
  let sub: NotifierSubscription | undefined;
  const ended: SubscriptionEnded[] = [];
  beforeEach(() => {
    jest.useFakeTimers({ now: 1_700_000_000_000 });
    f = fakeStack();
    notifier = createNotifier({ uac: f.uac, logger, minExpires: 60, maxExpires: 3600 });
    ended.length = 0;
    sub = undefined;
    notifier.onSubscribe("presence", (ctx) => {
      if (ctx.subscriber === "sip:mallory@sip.example") return ctx.reject(403);
      sub = ctx.accept("active", PIDF, "application/pidf+xml");
      sub.onTerminated((e) => ended.push(e));
    });
  });
  afterEach(() => { jest.useRealTimers(); });

  async function accepted(h: Record<string, string> = {}) {
    const tx = incoming(subscribe(h));
    notifier.handleSubscribe(tx);
    await flush();
    return tx;
  }
  function inDialog(cseq: number, expires: number) {
    const toTag = f.sent[0]!.request.headers.get("from")!.split("tag=")[1]!;
    return incoming(request("SUBSCRIBE", "sip:alice@198.51.100.1:5060", {
      from: "<sip:bob@sip.example>;tag=b1", to: `<sip:alice@gw.example>;tag=${toTag}`, "call-id": "call-1",
      cseq: `${cseq} SUBSCRIBE`, event: "presence", expires: String(expires), contact: "<sip:bob@192.0.2.9:5062>",
    }));
  }

  it("answers 489 with Allow-Events for an unknown package", () => {
    const tx = incoming(subscribe({ event: "dialog" }));
    notifier.handleSubscribe(tx);
    expect(tx.responses[0]!.status).toBe(489);
    expect(tx.responses[0]!.headers.get("allow-events")).toBe("presence");
  });
  it("answers 423 with Min-Expires below the minimum", () => {
    const tx = incoming(subscribe({ expires: "10" }));
    notifier.handleSubscribe(tx);
    expect(tx.responses[0]!.status).toBe(423);
    expect(tx.responses[0]!.headers.get("min-expires")).toBe("60");
  });
  it("answers 400 to a SUBSCRIBE without Contact, before asking the application", async () => {
    const req = subscribe();
    req.headers.delete("contact");
    const tx = incoming(req);
    notifier.handleSubscribe(tx);
    expect(tx.responses[0]!.status).toBe(400);
    expect(sub).toBeUndefined();
  });
  it("lets the application reject", async () => {
    const tx = await accepted({ from: "<sip:mallory@sip.example>;tag=m1" });
    expect(tx.responses[0]!.status).toBe(403);
    expect(f.sent).toHaveLength(0);
  });
  it("accepts with 200, a To tag, Contact with the resource's user, capped Expires, then NOTIFYs at once", async () => {
    const tx = await accepted({ expires: "7200" });
    const res = tx.responses[0]!;
    expect(res.status).toBe(200);
    expect(res.headers.get("to")).toMatch(/;tag=/);
    expect(res.headers.get("contact")).toBe("<sip:alice@198.51.100.1:5060>");
    expect(res.headers.get("expires")).toBe("3600");
    expect(f.sent).toHaveLength(1);
    const notify = f.sent[0]!.request;
    expect(notify.method).toBe("NOTIFY");
    expect(notify.uri).toBe("sip:bob@192.0.2.9:5062");
    expect(notify.headers.get("event")).toBe("presence");
    expect(state(0, f.sent)).toEqual({ state: "active", expires: 3600 });
    expect(new TextDecoder().decode(notify.body)).toBe(PIDF);
    expect(notify.headers.get("content-type")).toBe("application/pidf+xml");
    expect(notifier.size).toBe(1);
  });
  it("sends NOTIFYs over the subscriber's own connection (flow)", async () => {
    const tx = incoming(subscribe(), { transport: "TCP", address: "192.0.2.9", port: 40000, flow: "tcp-7" });
    notifier.handleSubscribe(tx);
    await flush();
    expect(f.sent[0]!.opts?.target).toEqual({ transport: "TCP", address: "192.0.2.9", port: 40000, flow: "tcp-7" });
    expect(tx.responses[0]!.headers.get("contact")).toBe("<sip:alice@198.51.100.1:5060;transport=tcp>");
  });
  it("handles a refresh: 200 with the new Expires, a NOTIFY with the current state and the next CSeq", async () => {
    await accepted();
    jest.advanceTimersByTime(300_000);
    const tx = inDialog(2, 900);
    notifier.handleSubscribe(tx);
    await flush();
    expect(tx.responses[0]!.status).toBe(200);
    expect(tx.responses[0]!.headers.get("expires")).toBe("900");
    expect(f.sent).toHaveLength(2);
    expect(state(1, f.sent)).toEqual({ state: "active", expires: 900 });
    const seq = (i: number) => Number(f.sent[i]!.request.headers.get("cseq")!.split(" ")[0]);
    expect(seq(1)).toBe(seq(0) + 1);
    // The refresh moved the expiry: nothing happens at the old one.
    jest.advanceTimersByTime(400_000);
    await flush();
    expect(ended).toEqual([]);
  });
  it("refuses an out-of-order refresh with 500 and an unknown dialog with 481", async () => {
    await accepted();
    const stale = inDialog(1, 600);
    stale.request.headers.set("cseq", "0 SUBSCRIBE");
    notifier.handleSubscribe(stale);
    expect(stale.responses[0]!.status).toBe(500);
    const unknown = inDialog(3, 600);
    unknown.request.headers.set("call-id", "other");
    notifier.handleSubscribe(unknown);
    expect(unknown.responses[0]!.status).toBe(481);
  });
  it("unsubscribe (Expires: 0): 200, final NOTIFY terminated;reason=timeout, event to the app", async () => {
    await accepted();
    const tx = inDialog(2, 0);
    notifier.handleSubscribe(tx);
    await flush();
    expect(tx.responses[0]!.status).toBe(200);
    expect(state(1, f.sent)).toEqual({ state: "terminated", reason: "timeout" });
    expect(ended).toEqual([{ by: "subscriber", reason: "unsubscribed" }]);
    expect(notifier.size).toBe(0);
  });
  it("expires a subscription that was not refreshed: NOTIFY terminated;reason=timeout", async () => {
    await accepted();
    jest.advanceTimersByTime(600_000);
    await flush();
    expect(state(1, f.sent)).toEqual({ state: "terminated", reason: "timeout" });
    expect(ended).toEqual([{ by: "timeout", reason: "timeout" }]);
  });
  it("expires many subscriptions from one shared timer, each at its own deadline, refreshed ones later", async () => {
    const subs: NotifierSubscription[] = [];
    for (let i = 0; i < 5; i++) {
      // Each dialog gets 600 s, granted 10 s after the previous one.
      notifier.handleSubscribe(incoming(subscribe({ "call-id": `call-m${i}`, from: `<sip:bob@sip.example>;tag=m${i}` })));
      await flush();
      subs.push(sub!);
      jest.advanceTimersByTime(10_000);
    }
    expect(notifier.size).toBe(5);
    expect(jest.getTimerCount()).toBe(1); // one expiry timer, not one per subscription
    // Dialog m0 is refreshed to 900 s from now (t = 50 s): it now outlives the others.
    const toTag = f.sent[0]!.request.headers.get("from")!.split("tag=")[1]!;
    notifier.handleSubscribe(incoming(request("SUBSCRIBE", "sip:alice@198.51.100.1:5060", {
      from: "<sip:bob@sip.example>;tag=m0", to: `<sip:alice@gw.example>;tag=${toTag}`, "call-id": "call-m0",
      cseq: "2 SUBSCRIBE", event: "presence", expires: "900", contact: "<sip:bob@192.0.2.9:5062>",
    })));
    await flush();
    jest.advanceTimersByTime(570_000 - 1); // t = 620 s - 1 ms: m1 (due at 610 s) only
    await flush();
    expect(ended).toHaveLength(1);
    expect(notifier.get(subs[1]!.key)).toBeUndefined();
    jest.advanceTimersByTime(30_001); // t = 650 s: m2..m4 gone, m0 still live
    await flush();
    expect(ended).toHaveLength(4);
    expect(notifier.size).toBe(1);
    expect(notifier.get(subs[0]!.key)).toBe(subs[0]);
    jest.advanceTimersByTime(300_000); // t = 950 s: m0's refreshed deadline
    await flush();
    expect(ended).toHaveLength(5);
    expect(ended.every((e) => e.by === "timeout")).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
  });
  it("removes the subscription when a NOTIFY gets 481", async () => {
    await accepted();
    f.respondWith((req) => createResponse(req, 481));
    await sub!.notify(PIDF);
    expect(ended).toEqual([{ by: "error", reason: "request-failed", status: 481 }]);
    expect(notifier.size).toBe(0);
  });
  it("passes the subscription and its tag to its listeners; a listener added after the end still hears it", async () => {
    await accepted();
    sub!.tag = "rec-1";
    const seen: Array<[string | undefined, SubscriptionEnded]> = [];
    const one = (e: SubscriptionEnded, s: NotifierSubscription) => { seen.push([s.tag, e]); };
    sub!.onTerminated(one);
    f.respondWith((req) => createResponse(req, 481));
    await sub!.notify(PIDF);
    const late: Array<[string | undefined, SubscriptionEnded]> = [];
    sub!.onTerminated((e, s) => { late.push([s.tag, e]); });
    expect(late).toEqual([]); // not synchronously: like the others, on a later turn
    await flush();
    const end = { by: "error", reason: "request-failed", status: 481 };
    expect(seen).toEqual([["rec-1", end]]);
    expect(late).toEqual([["rec-1", end]]);
    expect(ended).toEqual([end]); // the earlier listener heard it once
  });
  it("sends one NOTIFY at a time and coalesces updates made meanwhile into the newest one", async () => {
    await accepted();
    const releases: Array<() => void> = [];
    f.respondWith((req) => new Promise((r) => releases.push(() => r(createResponse(req, 200)))));
    const p1 = sub!.notify("<one/>");
    const p2 = sub!.notify("<two/>");
    const p3 = sub!.notify("<three/>");
    await flush();
    expect(f.sent).toHaveLength(2); // initial NOTIFY + <one/>; the others wait
    releases.shift()!();
    await flush();
    expect(f.sent).toHaveLength(3);
    expect(new TextDecoder().decode(f.sent[2]!.request.body)).toBe("<three/>");
    releases.shift()!();
    const [r1, r2, r3] = await Promise.all([p1, p2, p3]);
    expect([r1?.status, r2?.status]).toEqual([200, 200]);
    expect(r2).toBe(r3);
    const seq = (i: number) => Number(f.sent[i]!.request.headers.get("cseq")!.split(" ")[0]);
    expect(seq(2)).toBe(seq(1) + 1);
  });
  it("a termination queued behind an outstanding NOTIFY becomes the next (final) NOTIFY", async () => {
    await accepted();
    const releases: Array<() => void> = [];
    f.respondWith((req) => new Promise((r) => releases.push(() => r(createResponse(req, 200)))));
    void sub!.notify("<one/>");
    void sub!.notify("<two/>");
    const done = sub!.terminate("deactivated");
    await flush();
    expect(f.sent).toHaveLength(2);
    releases.shift()!();
    await flush();
    expect(f.sent).toHaveLength(3);
    expect(state(2, f.sent)).toEqual({ state: "terminated", reason: "deactivated" });
    releases.shift()!();
    await done;
    expect(await sub!.notify("<late/>")).toBeUndefined();
    expect(f.sent).toHaveLength(3);
  });
  it("leaves a subscription pending (202 on request, RFC 3265 style) and activates it later", async () => {
    const n202 = createNotifier({ uac: f.uac, logger, accept202WhenPending: true });
    let pending: NotifierSubscription | undefined;
    n202.onSubscribe("presence", (ctx) => { pending = ctx.accept("pending"); });
    const tx = incoming(subscribe());
    n202.handleSubscribe(tx);
    await flush();
    expect(tx.responses[0]!.status).toBe(202);
    expect(state(0, f.sent)).toEqual({ state: "pending", expires: 600 });
    expect(f.sent[0]!.request.body.length).toBe(0);
    await pending!.notify(PIDF, "application/pidf+xml", "active");
    expect(state(1, f.sent)).toEqual({ state: "active", expires: 600 });
    expect(pending!.data().state).toBe("active");
  });
  it("drops the NOTIFY queued behind one that got 481", async () => {
    await accepted();
    const releases: Array<() => void> = [];
    f.respondWith((req) => new Promise((r) => releases.push(() => r(createResponse(req, 481)))));
    const p1 = sub!.notify("<one/>");
    const p2 = sub!.notify("<two/>");
    await flush();
    releases.shift()!();
    expect((await p1)?.status).toBe(481);
    expect((await p2)?.status).toBe(481);
    expect(f.sent).toHaveLength(2);
  });
  it("removes the subscription on a NOTIFY timeout, keeps it on a real 503 from the subscriber", async () => {
    await accepted();
    f.respondWith((req) => createResponse(req, 503));
    await sub!.notify("<busy/>");
    expect(notifier.size).toBe(1); // the subscriber answered: it exists, just overloaded
    f.respondWith((req) => synthesizeResponse(req, 408, "Request Timeout"));
    await sub!.notify("<gone/>");
    expect(ended).toEqual([{ by: "error", reason: "request-failed", status: 408 }]);
    expect(notifier.size).toBe(0);
  });
  it("terminates with reason and retry-after on request", async () => {
    await accepted();
    await sub!.terminate("deactivated", { retryAfter: 30 });
    expect(state(1, f.sent)).toEqual({ state: "terminated", reason: "deactivated", retryAfter: 30 });
  });
  it("persists as plain data and resumes with the next CSeq", async () => {
    await accepted();
    const data = JSON.parse(JSON.stringify(sub!.data()));
    const other = createNotifier({ uac: f.uac, logger });
    const restored = other.restore(data);
    await restored.notify("<x/>");
    const seq = (i: number) => Number(f.sent[i]!.request.headers.get("cseq")!.split(" ")[0]);
    expect(seq(1)).toBe(seq(0) + 1);
    expect(other.size).toBe(1);
  });
  it("a fetch (Expires: 0 on the first SUBSCRIBE) gets one terminated NOTIFY with the state", async () => {
    await accepted({ expires: "0" });
    await flush();
    expect(f.sent).toHaveLength(1);
    expect(state(0, f.sent)).toEqual({ state: "terminated", reason: "timeout" });
    expect(new TextDecoder().decode(f.sent[0]!.request.body)).toBe(PIDF);
    expect(notifier.size).toBe(0);
  });
});
