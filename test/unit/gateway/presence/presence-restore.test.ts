// Restoring presence dialogs after a stop: a clean stop (markCleanStop) leaves the CSeqs exact and the
// next restore continues them contiguously (RFC 3261 §12.2.1.1); without the marker (a crash) every
// dialog resumes RESTORE_CSEQ_SKIP above its stored CSeq, since the store may be behind the wire.
// The real notifier over the fake transaction layer of the dialog tests, the real memory store.
import { describe, expect, it } from "@jest/globals";
import { createNotifier } from "../../../../src/sip/dialog/notifier.js";
import { createMemoryStore } from "../../../../src/store/memory-store.js";
import type { Store } from "../../../../src/store/store.js";
import { createPresenceGateway } from "../../../../src/gateway/presence/presence-gateway.js";
import { RESTORE_CSEQ_SKIP } from "../../../../src/gateway/presence/presence-deps.js";
import { fakeStack, logger } from "../../sip/dialog/fake-stack.js";
import { ALICE, notifierDeps, w0Refresh, watcherDialog, watcherRecord } from "./notifier-fixture.js";

async function seed(store: Store): Promise<void> {
  await store.putSubscription(watcherRecord("id0", "w0", watcherDialog("w0", "0", 100)));
}

function gateway(store: Store, f = fakeStack(), notifier = createNotifier({ uac: f.uac, logger })) {
  return createPresenceGateway(notifierDeps(store, { f, notifier }).deps);
}

/** An XMPP watcher's dialog (the gateway subscribes): the SIP layer sends `refreshes` SUBSCRIBEs on it. */
function watcherGateway(store: Store, refreshes: number) {
  return createPresenceGateway(notifierDeps(store, {
    sip: {
      // The refresh timers of the real subscriber, reduced to their effect: the local CSeq advanced.
      restoreSubscription: (data) => ({
        key: data.callId, response: Promise.resolve(undefined),
        data: () => ({ ...data, dialog: { ...data.dialog!, localSeq: (data.dialog!.localSeq ?? 0) + refreshes } }),
        onNotify: () => undefined, onTerminated: () => undefined,
        refresh: async () => undefined, unsubscribe: async () => undefined,
      }),
    },
  }).deps);
}

const storedSeq = async (store: Store) => {
  const r = await store.getSubscription("id0");
  return r?.kind === "sipWatcher" ? r.dialog.localSeq : undefined;
};

describe("presence restore and the clean-stop marker", () => {
  it("without the marker (crash), dialogs resume RESTORE_CSEQ_SKIP on; after a clean stop, where they were", async () => {
    const store = createMemoryStore();
    await seed(store);
    const first = gateway(store);
    expect(await first.restore()).toEqual({ sipWatchers: 1, xmppWatchers: 0 });
    expect(await storedSeq(store)).toBe(100 + RESTORE_CSEQ_SKIP);
    first.stop();
    expect(await first.markCleanStop()).toBe(true);

    const second = gateway(store);
    await second.restore();
    expect(await storedSeq(store)).toBe(100 + RESTORE_CSEQ_SKIP);
    second.stop(); // no markCleanStop: as if killed

    const third = gateway(store);
    await third.restore();
    expect(await storedSeq(store)).toBe(100 + 2 * RESTORE_CSEQ_SKIP);
    third.stop();
  });

  it("a replica that never restored the dialogs (a standby) does not mark its stop clean", async () => {
    const store = createMemoryStore();
    await seed(store);
    const holder = gateway(store);
    await holder.restore();
    expect(await storedSeq(store)).toBe(100 + RESTORE_CSEQ_SKIP);
    // A standby is scaled down cleanly while the holder keeps sending on the dialogs.
    const standby = gateway(store);
    standby.stop();
    expect(await standby.markCleanStop()).toBe(false);
    holder.stop(); // then the holder is killed: no markCleanStop
    const next = gateway(store);
    await next.restore();
    expect(await storedSeq(store)).toBe(100 + 2 * RESTORE_CSEQ_SKIP);
    next.stop();
  });

  it("a clean stop stores the CSeq of refresh SUBSCRIBEs sent on XMPP watchers' dialogs", async () => {
    const store = createMemoryStore();
    await seed(store);
    const sw = await store.getSubscription("id0");
    if (sw?.kind !== "sipWatcher") throw new Error("seed");
    await store.putSubscription({
      kind: "xmppWatcher", id: "xw0", watcher: ALICE, presentity: "sip:bob@sip.example",
      dialog: { ...sw.dialog, localSeq: 5 }, expiresAt: Date.now() + 3_600_000, generation: 1, authorization: "subscribed",
    });
    const xwSeq = async () => { const r = await store.getSubscription("xw0"); return r?.kind === "xmppWatcher" ? r.dialog?.localSeq : undefined; };
    const g = watcherGateway(store, 2);
    await g.restore();
    expect(await xwSeq()).toBe(5 + RESTORE_CSEQ_SKIP);
    // Two refreshes went out (their NOTIFYs not processed before the stop); the marker vouches for the store.
    g.stop();
    expect(await g.markCleanStop()).toBe(true);
    expect(await xwSeq()).toBe(5 + RESTORE_CSEQ_SKIP + 2);
  });

  it("a fan-out NOTIFY that failed still has its CSeq stored (it may have reached the watcher)", async () => {
    const store = createMemoryStore();
    await seed(store);
    const f = fakeStack();
    const g = gateway(store, f);
    await g.restore();
    expect(await storedSeq(store)).toBe(100 + RESTORE_CSEQ_SKIP);
    f.respondWith(() => { throw new Error("connection reset after the write"); });
    await store.putPresence(ALICE, [{ resource: "r", available: true, statuses: [], priority: 0 }]);
    await g.sipWatchers.fanOut(ALICE);
    expect(f.sent.filter((s) => s.request.method === "NOTIFY").length).toBe(1);
    expect(await storedSeq(store)).toBe(100 + RESTORE_CSEQ_SKIP + 1);
    g.stop();
  });

  it("a clean stop waits for the store write of a refresh received just before it", async () => {
    const store = createMemoryStore();
    await seed(store);
    const f = fakeStack();
    const notifier = createNotifier({ uac: f.uac, logger });
    const g = gateway(store, f, notifier);
    await g.restore();
    // The store is slow, then fails: the refresh's dialog (its NOTIFY's CSeq) never reaches it.
    let failWrites: () => void = () => undefined;
    const writeFails = new Promise<void>((r) => { failWrites = r; });
    Object.assign(store, { putSubscription: async () => { await writeFails; throw new Error("store down"); } });
    notifier.handleSubscribe(w0Refresh());
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    g.stop();
    const marked = g.markCleanStop();
    failWrites();
    expect(await marked).toBe(false);
    expect(await store.takeMarker("presence-clean-stop")).toBeUndefined();
  });

  it("a stop after a lost dialog write is not marked clean", async () => {
    const store = createMemoryStore();
    await seed(store);
    const g = gateway(store);
    await g.restore();
    expect(g.sipWatchers.lostWrites).toBe(0);
    // The fan-out's batch write fails (Redis down): the store is behind what went on the wire.
    Object.assign(store, { putSubscriptions: async () => { throw new Error("store down"); } });
    await store.putPresence(ALICE, [{ resource: "r", available: true, statuses: [], priority: 0 }]);
    await g.sipWatchers.fanOut(ALICE);
    expect(g.sipWatchers.lostWrites).toBe(1);
    g.stop();
    expect(await g.markCleanStop()).toBe(false);
    expect(await store.takeMarker("presence-clean-stop")).toBeUndefined();
  });
});
