// The SIP watchers' fan-out and what it writes to the store, with the real notifier over the fake
// transaction layer of the dialog tests and the real memory store (with its writes counted).
import { describe, it, expect, jest } from "@jest/globals";
import type { DialogState } from "../../../../src/sip/dialog/dialog.js";
import { createResponse } from "../../../../src/sip/message/build.js";
import { createMemoryStore } from "../../../../src/store/memory-store.js";
import type { SipWatcherSubscription, Store } from "../../../../src/store/store.js";
import { createKeyedSerial } from "../../../../src/gateway/presence/keyed-serial.js";
import { createSipWatchers, createWindow } from "../../../../src/gateway/presence/sip-watchers.js";
import { ALICE, notifierDeps, w0Refresh, watcherDialog, watcherRecord } from "./notifier-fixture.js";


const dialogOf = (n: number): DialogState => watcherDialog(`w${n}`, `${n}`, 100);
const record = (n: number, state: "active" | "pending" = "active"): SipWatcherSubscription => watcherRecord(`id${n}`, `w${n}`, dialogOf(n), state);

/** The memory store with its single and batched writes counted. */
function countingStore(): { store: Store; singles: () => number; batches: () => number[] } {
  const inner = createMemoryStore();
  let singles = 0;
  const batches: number[] = [];
  const store: Store = {
    ...inner,
    putSubscription: async (s) => { singles++; await inner.putSubscription(s); },
    putSubscriptions: async (list) => { batches.push(list.length); await inner.putSubscriptions(list); },
  };
  return { store, singles: () => singles, batches: () => batches };
}

async function setup(n: number, store: Store, stateOf: (i: number) => "active" | "pending" = () => "active", cseqSkip = 0) {
  const { f, notifier, deps } = notifierDeps(store);
  for (let i = 0; i < n; i++) await store.putSubscription(record(i, stateOf(i)));
  await store.putPresence(ALICE, [{ resource: "r", available: true, show: "away", statuses: [{ text: "lunch" }], priority: 0 }]);
  const watchers = createSipWatchers(deps, createKeyedSerial(), () => undefined);
  expect(await watchers.restore(cseqSkip)).toBe(n);
  return { f, notifier, watchers };
}
const cseqOf = (r: { headers: { get(n: string): string | undefined } }) => Number(r.headers.get("cseq")!.split(" ")[0]);

describe("SIP watchers fan-out", () => {
  it("NOTIFYs every active watcher once with the presentity's state, across several slices", async () => {
    const { store } = countingStore();
    const { f, watchers } = await setup(300, store);
    // The fan-out yields to the event loop between slices: I/O callbacks (the 200s, inbound stanzas)
    // run before all 300 NOTIFYs are built, not after.
    let sentAtNextTurn = -1;
    setImmediate(() => { sentAtNextTurn = f.sent.length; });
    await watchers.fanOut(ALICE);
    expect(sentAtNextTurn).toBeGreaterThan(0);
    expect(sentAtNextTurn).toBeLessThan(300);
    expect(f.sent).toHaveLength(300);
    const users = new Set(f.sent.map((s) => s.request.uri));
    expect(users.size).toBe(300);
    for (const s of f.sent) {
      expect(s.request.method).toBe("NOTIFY");
      expect(new TextDecoder().decode(s.request.body)).toContain("lunch");
    }
  });
  it("a watcher whose NOTIFY fails does not keep the others from theirs", async () => {
    const { store } = countingStore();
    const { f, watchers, notifier } = await setup(5, store);
    f.respondWith((req) => createResponse(req, req.uri.startsWith("sip:w2@") ? 481 : 200));
    await watchers.fanOut(ALICE);
    expect(f.sent).toHaveLength(5);
    expect(notifier.size).toBe(4); // the 481 ended w2's subscription (RFC 6665 §4.2.2)
    expect(watchers.live).toBe(4);
  });
});

describe("SIP watchers fan-out: only changes are notified", () => {
  it("a watcher already told this document is not told again; a later change reaches everyone", async () => {
    const { store } = countingStore();
    const { f, watchers } = await setup(3, store);
    await watchers.fanOut(ALICE);
    expect(f.sent).toHaveLength(3);
    // Same state again (e.g. the coalescer flushed A → B → A): no NOTIFY.
    await watchers.fanOut(ALICE);
    expect(f.sent).toHaveLength(3);
    await store.putPresence(ALICE, [{ resource: "r", available: false, statuses: [], priority: 0 }]);
    await watchers.fanOut(ALICE);
    expect(f.sent).toHaveLength(6);
    for (const s of f.sent.slice(3)) expect(new TextDecoder().decode(s.request.body)).toContain("closed");
  });
  it("a watcher whose NOTIFY was answered 500 is told the same document again at the next fan-out", async () => {
    const { store } = countingStore();
    const { f, watchers } = await setup(3, store);
    f.respondWith((req) => createResponse(req, req.uri.startsWith("sip:w1@") ? 500 : 200));
    await watchers.fanOut(ALICE);
    expect(f.sent).toHaveLength(3);
    f.respondWith((req) => createResponse(req, 200));
    await watchers.fanOut(ALICE);
    expect(f.sent.slice(3).map((s) => s.request.uri)).toEqual([expect.stringMatching(/^sip:w1@/)]);
    // Answered now: no third copy.
    await watchers.fanOut(ALICE);
    expect(f.sent).toHaveLength(4);
  });
  it("a dialog that is active in the store but still pending in the notifier gets no state (its approval NOTIFY carries it)", async () => {
    const { store } = countingStore();
    const { f, watchers } = await setup(2, store, (i) => (i === 1 ? "pending" : "active"));
    // onXmppAnswer writes `active` to the store before it sends the approval NOTIFY.
    const rec = await store.getSubscription("id1");
    if (rec?.kind !== "sipWatcher") throw new Error("fixture");
    await store.putSubscription({ ...rec, state: "active" });
    await watchers.fanOut(ALICE);
    expect(f.sent.map((s) => s.request.uri)).toEqual([expect.stringMatching(/^sip:w0@/)]);
  });
});

describe("SIP watchers fan-out: overlapping fan-outs of one presentity", () => {
  it("every watcher's last NOTIFY carries the newest state (A → B → A while the B fan-out is held by its window)", async () => {
    // The coalescer starts a fan-out per interval without waiting for the previous one; a fan-out
    // of many watchers outlasts the interval when answers are slow (its window holds it). The two
    // fan-outs list the watchers in different orders: the Redis store's SMEMBERS order is unspecified
    // (a hash-table set is reordered when it is resized), stood for here by reversing every other list.
    const { store } = countingStore();
    let lists = 0;
    const listByPresentity = store.listByPresentity.bind(store);
    Object.assign(store, { listByPresentity: async (...a: Parameters<Store["listByPresentity"]>) => {
      const l = await listByPresentity(...a);
      return lists++ % 2 === 0 ? l : [...l].reverse();
    } });
    const { f, watchers } = await setup(700, store);
    await watchers.fanOut(ALICE); // everyone has A ("lunch")
    const held: Array<() => void> = [];
    f.respondWith((req) => new Promise((resolve) => { held.push(() => resolve(createResponse(req, 200))); }));
    await store.putPresence(ALICE, [{ resource: "r", available: false, statuses: [], priority: 0 }]);
    const first = watchers.fanOut(ALICE); // B ("closed"): 500 NOTIFYs out, then the window is full
    while (f.sent.length < 700 + 500) await new Promise((r) => setImmediate(r));
    await store.putPresence(ALICE, [{ resource: "r", available: true, show: "away", statuses: [{ text: "lunch" }], priority: 0 }]);
    const second = watchers.fanOut(ALICE); // back to A
    await new Promise((r) => setImmediate(r));
    f.respondWith((req) => createResponse(req, 200));
    for (const release of held.splice(0)) release();
    await Promise.all([first, second]);
    const last = new Map<string, string>();
    for (const s of f.sent) last.set(s.request.uri, new TextDecoder().decode(s.request.body));
    expect(last.size).toBe(700);
    const stale = [...last].filter(([, body]) => !body.includes("lunch")).map(([uri]) => uri);
    expect(stale).toEqual([]);
  });
});

describe("SIP watchers: the dialogs a fan-out advanced are stored", () => {
  it("after the NOTIFYs were answered, in batches, with the CSeq each NOTIFY used (a restart continues it)", async () => {
    const { store, singles, batches } = countingStore();
    const { f, watchers } = await setup(700, store);
    const before = singles();
    let storedAtFirstNotify: number | null | undefined;
    f.respondWith(async (req) => {
      // While NOTIFYs are being answered, nothing of the fan-out has been written yet.
      if (storedAtFirstNotify === undefined) {
        const r = await store.getSubscription("id0");
        storedAtFirstNotify = r?.kind === "sipWatcher" ? r.dialog.localSeq : undefined;
      }
      return createResponse(req, 200);
    });
    await watchers.fanOut(ALICE);
    expect(f.sent).toHaveLength(700);
    expect(storedAtFirstNotify).toBe(100);
    expect(singles() - before).toBe(0);
    expect(batches()).toEqual([500, 200]);
    for (const i of [0, 350, 699]) {
      const r = await store.getSubscription(`id${i}`);
      expect(r?.kind === "sipWatcher" && r.dialog.localSeq).toBe(101);
    }
    await store.putPresence(ALICE, [{ resource: "r", available: true, show: "dnd", statuses: [{ text: "call" }], priority: 0 }]);
    await watchers.fanOut(ALICE);
    const r = await store.getSubscription("id0");
    expect(r?.kind === "sipWatcher" && r.dialog.localSeq).toBe(102);
    expect(f.sent.filter((s) => s.request.uri.startsWith("sip:w0@")).map((s) => cseqOf(s.request))).toEqual([101, 102]);
  });
  it("a refresh that arrives between a NOTIFY's answer and the batch write is not overwritten by the older dialog", async () => {
    const { store } = countingStore();
    const { f, watchers, notifier } = await setup(2, store);
    let releaseW1: () => void = () => undefined;
    f.respondWith((req) => req.uri.startsWith("sip:w1@")
      ? new Promise((resolve) => { releaseW1 = () => resolve(createResponse(req, 200)); })
      : createResponse(req, 200));
    const fan = watchers.fanOut(ALICE);
    while (f.sent.length < 2) await new Promise((r) => setImmediate(r));
    // w0 refreshes (RFC 6665 §4.1.2.2) while w1's NOTIFY is still unanswered.
    const refresh = w0Refresh();
    notifier.handleSubscribe(refresh);
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(refresh.responses[0]?.status).toBe(200);
    releaseW1();
    await fan;
    const r = await store.getSubscription("id0");
    expect(r?.kind === "sipWatcher" && r.dialog.remoteSeq).toBe(2);
    expect(r?.kind === "sipWatcher" && r.expiresAt).toBeLessThan(Date.now() + 601_000);
  });
  it("a failed batch write leaves the NOTIFYs sent and the fan-out settled (it is logged, not thrown)", async () => {
    const { store } = countingStore();
    const { f, watchers } = await setup(3, store);
    Object.assign(store, { putSubscriptions: async () => { throw new Error("store down"); } });
    await expect(watchers.fanOut(ALICE)).resolves.toBeUndefined();
    expect(f.sent).toHaveLength(3);
  });
  it("a watcher whose subscription ended during the fan-out is not written back", async () => {
    const { store } = countingStore();
    const { f, watchers } = await setup(3, store);
    f.respondWith((req) => createResponse(req, req.uri.startsWith("sip:w1@") ? 481 : 200));
    await watchers.fanOut(ALICE);
    await new Promise((r) => setImmediate(r));
    expect(await store.getSubscription("id1")).toBeUndefined();
    expect(await store.getSubscription("id0")).toBeDefined();
  });
});

describe("SIP watchers restored from the store", () => {
  it("a refresh of a restored active dialog is answered by a NOTIFY with the presentity's current document", async () => {
    const { store } = countingStore();
    const { f, notifier } = await setup(2, store);
    const refresh = w0Refresh();
    notifier.handleSubscribe(refresh);
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(refresh.responses[0]?.status).toBe(200);
    const notify = f.sent.find((s) => s.request.method === "NOTIFY" && s.request.uri.startsWith("sip:w0@"));
    expect(notify?.request.headers.get("subscription-state")).toMatch(/^active/);
    expect(notify?.request.headers.get("content-type")).toBe("application/pidf+xml");
    expect(new TextDecoder().decode(notify?.request.body)).toContain("lunch");
  });
});

describe("SIP watchers restored after an unclean stop", () => {
  it("resume RESTORE_CSEQ_SKIP above the stored CSeq, stored before anything is sent", async () => {
    const { store, batches } = countingStore();
    const { f, watchers } = await setup(3, store, () => "active", 1000);
    // The skipped dialogs were written in one batch during restore, before any NOTIFY.
    expect(batches()).toEqual([3]);
    expect(f.sent).toHaveLength(0);
    for (const i of [0, 1, 2]) {
      const r = await store.getSubscription(`id${i}`);
      expect(r?.kind === "sipWatcher" && r.dialog.localSeq).toBe(1100);
    }
    await store.putPresence(ALICE, [{ resource: "r", available: true, show: "dnd", statuses: [], priority: 0 }]);
    await watchers.fanOut(ALICE);
    expect(f.sent.map((s) => cseqOf(s.request))).toEqual([1101, 1101, 1101]);
  });
});

describe("fan-out window", () => {
  it("holds at most `size` places; a released place passes to the next waiter", async () => {
    const w = createWindow(2, 60_000);
    expect(w.acquire()).toBeUndefined();
    const a = w.hold();
    expect(w.acquire()).toBeUndefined();
    w.hold();
    let third = false;
    void w.acquire()!.then(() => { third = true; });
    await new Promise((r) => setImmediate(r));
    expect(third).toBe(false);
    w.release(a);
    await new Promise((r) => setImmediate(r));
    expect(third).toBe(true);
    expect(w.held).toBe(2); // passed on, not freed
    w.release(a); // twice is once
    expect(w.held).toBe(2);
  });
  it("an unreleased place is given up after maxMs, once, oldest first", () => {
    jest.useFakeTimers({ now: 0 });
    try {
      const w = createWindow(2, 20);
      expect(w.acquire()).toBeUndefined();
      const late = w.hold(); // due at 20
      jest.advanceTimersByTime(10);
      expect(w.acquire()).toBeUndefined();
      const later = w.hold(); // due at 30
      const waiter = w.acquire();
      expect(waiter).not.toBeUndefined();
      jest.advanceTimersByTime(15); // t = 25: only the first deadline has passed
      expect(w.held).toBe(2); // passed to the waiter
      w.release(late); // the late answer must not free a second place
      expect(w.held).toBe(2);
      w.hold(); // the waiter's, due at 45
      jest.advanceTimersByTime(10); // t = 35: the second one's deadline
      expect(w.held).toBe(1);
      w.release(later);
      expect(w.held).toBe(1);
      expect(w.acquire()).toBeUndefined();
      expect(w.acquire()).not.toBeUndefined();
    } finally {
      jest.useRealTimers();
    }
  });
});
