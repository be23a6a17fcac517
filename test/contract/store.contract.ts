// One conformance suite for every Store implementation: memory runs it in test/unit/store, Redis in
// test/integration/store against a throwaway redis-server. Behaviour, not implementation, is checked.
import { describe, it, expect, beforeEach, afterEach } from "@jest/globals";
import type { Store, SipWatcherSubscription, XmppWatcherSubscription } from "../../src/store/store.js";
import { isStoreError } from "../../src/store/store-error.js";
import type { XmppPresenceState } from "../../src/domain/presence.js";

export interface StoreBackend {
  /** The store under test, on an empty backend. */
  readonly store: Store;
  /** Another client on the same backend, as a second replica would have. */
  readonly replica: () => Promise<Store>;
  /** Restarts the backend keeping its data (persistent backends only). */
  readonly restart?: () => Promise<void>;
  readonly dispose: () => Promise<void>;
}

let seq = 0;
export function sipWatcher(over: Partial<SipWatcherSubscription> = {}): SipWatcherSubscription {
  seq += 1;
  return {
    kind: "sipWatcher",
    id: `sw${seq}`,
    watcher: "sip:bob@sip.example.net",
    presentity: "juliet@example.com",
    event: "presence",
    dialog: {
      id: { callId: `c${seq}@10.0.0.1`, localTag: "lt1", remoteTag: "rt1" },
      localSeq: 1, remoteSeq: 7,
      localUri: "sip:juliet@example.com", remoteUri: "sip:bob@sip.example.net",
      localTarget: "sip:gw@10.0.0.2:5060", remoteTarget: "sip:bob@10.0.0.1:5062;transport=tcp",
      routeSet: ["<sip:proxy.example.net;lr>"], secure: false, early: false,
      flow: { transport: "TCP", address: "10.0.0.1", port: 5062, flow: "f1" },
    },
    state: "active",
    expiresAt: 1_700_000_000_000,
    ...over,
  };
}
export function xmppWatcher(over: Partial<XmppWatcherSubscription> = {}): XmppWatcherSubscription {
  seq += 1;
  return {
    kind: "xmppWatcher",
    id: `xw${seq}`,
    watcher: "romeo@example.com",
    presentity: "sip:bob@sip.example.net",
    expiresAt: 1_700_000_000_000,
    generation: 0,
    authorization: "pending",
    ...over,
  };
}
const away: XmppPresenceState[] = [{ resource: "phone", available: true, show: "away", statuses: [{ text: "out", lang: "en" }], priority: 1 }];

async function expectRejectsKind(p: Promise<unknown>, kind: string): Promise<void> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(isStoreError(err)).toBe(true);
  expect((err as { kind: string }).kind).toBe(kind);
}

export function storeContract(name: string, open: () => Promise<StoreBackend>): void {
  describe(`Store contract: ${name}`, () => {
    let b: StoreBackend;
    beforeEach(async () => { b = await open(); });
    afterEach(async () => { await b.dispose(); });

    it("creates, reads, replaces and deletes records, round-tripping every field", async () => {
      const s = sipWatcher({ eventId: "x1" });
      const x = xmppWatcher({ retryAfterAt: 5, dialog: sipWatcher().dialog });
      const bare = xmppWatcher();
      await b.store.putSubscription(s);
      await b.store.putSubscription(x);
      await b.store.putSubscription(bare);
      expect(await b.store.getSubscription(s.id)).toEqual(s);
      expect(await b.store.getSubscription(x.id)).toEqual(x);
      const got = await b.store.getSubscription(bare.id);
      expect(got).toEqual(bare);
      expect(got && "dialog" in got).toBe(false);
      const refreshed = { ...x, generation: 3, authorization: "subscribed" as const, expiresAt: 9 };
      await b.store.putSubscription(refreshed);
      expect(await b.store.getSubscription(x.id)).toEqual(refreshed);
      expect(await b.store.deleteSubscription(x.id)).toBe(true);
      expect(await b.store.deleteSubscription(x.id)).toBe(false);
      expect(await b.store.getSubscription(x.id)).toBeUndefined();
    });

    it("indexes by presentity and by watcher per direction, and follows replaced records", async () => {
      const a = sipWatcher({ watcher: "sip:a@sip.example.net" });
      const c = sipWatcher({ watcher: "sip:c@other.example.org" });
      const other = sipWatcher({ presentity: "nurse@example.com" });
      const x = xmppWatcher({ watcher: "juliet@example.com", presentity: "juliet@example.com" });
      await b.store.putSubscriptions([a, c, other, x]);
      const ids = (l: { id: string }[]): string[] => l.map((s) => s.id).sort();
      expect(ids(await b.store.listByPresentity("sipWatcher", "juliet@example.com"))).toEqual([a.id, c.id].sort());
      // Same string as presentity of the other direction: kinds never mix.
      expect(ids(await b.store.listByPresentity("xmppWatcher", "juliet@example.com"))).toEqual([x.id]);
      expect(ids(await b.store.listByWatcher("xmppWatcher", "juliet@example.com"))).toEqual([x.id]);
      expect(await b.store.listByWatcher("sipWatcher", "juliet@example.com")).toEqual([]);
      await b.store.putSubscription({ ...a, presentity: "nurse@example.com" });
      expect(ids(await b.store.listByPresentity("sipWatcher", "juliet@example.com"))).toEqual([c.id]);
      expect(ids(await b.store.listByPresentity("sipWatcher", "nurse@example.com"))).toEqual([a.id, other.id].sort());
      await b.store.deleteSubscription(c.id);
      expect(await b.store.listByPresentity("sipWatcher", "juliet@example.com")).toEqual([]);
    });

    it("counts per watcher and per watcher domain, through inserts, moves and deletes", async () => {
      const r1 = xmppWatcher({ watcher: "romeo@example.com", presentity: "sip:1@x" });
      const r2 = xmppWatcher({ watcher: "romeo@example.com", presentity: "sip:2@x" });
      const m = xmppWatcher({ watcher: "mercutio@Example.com", presentity: "sip:1@x" });
      const s = sipWatcher({ watcher: "sips:bob@EXAMPLE.com:5061;transport=tls" });
      await b.store.putSubscriptions([r1, r2, m, s]);
      expect(await b.store.countByWatcher("xmppWatcher", "romeo@example.com")).toBe(2);
      expect(await b.store.countByDomain("xmppWatcher", "example.com")).toBe(3);
      expect(await b.store.countByDomain("sipWatcher", "example.com")).toBe(1);
      await b.store.putSubscription(r2); // replacing must not double count
      expect(await b.store.countByDomain("xmppWatcher", "example.com")).toBe(3);
      await b.store.putSubscription({ ...r2, watcher: "tybalt@capulet.example" });
      expect(await b.store.countByWatcher("xmppWatcher", "romeo@example.com")).toBe(1);
      expect(await b.store.countByDomain("xmppWatcher", "capulet.example")).toBe(1);
      await b.store.deleteSubscription(r1.id);
      expect(await b.store.countByDomain("xmppWatcher", "example.com")).toBe(1);
      expect(await b.store.countByWatcher("xmppWatcher", "nobody@example.com")).toBe(0);
    });

    it("lists expiring subscriptions soonest first, bounded by limit", async () => {
      const subs = [30, 10, 50, 20, 40].map((t) => (t % 20 === 0 ? sipWatcher({ expiresAt: t }) : xmppWatcher({ expiresAt: t })));
      await b.store.putSubscriptions(subs);
      expect((await b.store.listExpiring(35, 10)).map((s) => s.expiresAt)).toEqual([10, 20, 30]);
      expect((await b.store.listExpiring(1000, 2)).map((s) => s.expiresAt)).toEqual([10, 20]);
      const first = subs[1]!;
      await b.store.putSubscription({ ...first, expiresAt: 100 });
      expect((await b.store.listExpiring(35, 10)).map((s) => s.expiresAt)).toEqual([20, 30]);
      await b.store.deleteSubscription(subs[3]!.id);
      expect((await b.store.listExpiring(35, 10)).map((s) => s.expiresAt)).toEqual([30]);
    });

    it("bulk-loads and lists everything of one direction", async () => {
      const many = Array.from({ length: 1500 }, (_, i) => (i % 3 === 0 ? sipWatcher({ expiresAt: i }) : xmppWatcher({ expiresAt: i })));
      await b.store.putSubscriptions(many);
      expect((await b.store.listAll("sipWatcher")).length).toBe(500);
      const xs = await b.store.listAll("xmppWatcher");
      expect(xs.length).toBe(1000);
      expect(xs.every((s) => s.kind === "xmppWatcher")).toBe(true);
      // A bulk put over existing records moves their index entries, as a single put does.
      const moved = xs.slice(0, 10).map((s) => ({ ...s, presentity: "sip:moved@x", watcher: "w@moved.example" }));
      await b.store.putSubscriptions(moved);
      expect((await b.store.listByPresentity("xmppWatcher", "sip:moved@x")).length).toBe(10);
      expect((await b.store.listByPresentity("xmppWatcher", "sip:bob@sip.example.net")).length).toBe(990);
      expect(await b.store.countByDomain("xmppWatcher", "moved.example")).toBe(10);
      expect(await b.store.countByDomain("xmppWatcher", "example.com")).toBe(990);
      expect((await b.store.listAll("xmppWatcher")).length).toBe(1000);
    });

    it("versions presence and refuses a stale conditional write", async () => {
      expect(await b.store.getPresence("sip:bob@x")).toBeUndefined();
      expect(await b.store.putPresence("sip:bob@x", away, { ifVersion: 1 })).toEqual({ ok: false, currentVersion: 0 });
      expect(await b.store.putPresence("sip:bob@x", away, { ifVersion: 0 })).toEqual({ ok: true, version: 1 });
      expect(await b.store.putPresence("sip:bob@x", [])).toEqual({ ok: true, version: 2 });
      const entry = await b.store.getPresence("sip:bob@x");
      expect(entry?.version).toBe(2);
      expect(entry?.states).toEqual([]);
      expect(typeof entry?.updatedAt).toBe("number");
      expect(await b.store.putPresence("sip:bob@x", away, { ifVersion: 1 })).toEqual({ ok: false, currentVersion: 2 });
      await b.store.deletePresence("sip:bob@x");
      expect(await b.store.getPresence("sip:bob@x")).toBeUndefined();
    });

    it("lets exactly one of two concurrent replicas win a compare-and-set", async () => {
      const other = await b.replica();
      for (let round = 0; round < 20; round++) {
        const seen = (await b.store.getPresence("juliet@example.com"))?.version ?? 0;
        const [r1, r2] = await Promise.all([
          b.store.putPresence("juliet@example.com", away, { ifVersion: seen }),
          other.putPresence("juliet@example.com", [], { ifVersion: seen }),
        ]);
        expect([r1.ok, r2.ok].filter(Boolean).length).toBe(1);
        const loser = r1.ok ? r2 : r1;
        expect(loser).toEqual({ ok: false, currentVersion: seen + 1 });
        const winnerStates = r1.ok ? away : [];
        expect((await other.getPresence("juliet@example.com"))?.states).toEqual(winnerStates);
      }
      if (other !== b.store) await other.close();
    });

    it("keeps a lease exclusive to one owner until it is released", async () => {
      const other = await b.replica();
      expect(await b.store.acquireLease("xmpp-link", "pod-a", 10_000)).toBe(true);
      expect(await other.acquireLease("xmpp-link", "pod-b", 10_000)).toBe(false);
      expect(await b.store.acquireLease("xmpp-link", "pod-a", 10_000)).toBe(true);
      expect(await other.renewLease("xmpp-link", "pod-b", 10_000)).toBe(false);
      expect(await b.store.renewLease("xmpp-link", "pod-a", 10_000)).toBe(true);
      expect((await other.getLease("xmpp-link"))?.owner).toBe("pod-a");
      expect(await other.releaseLease("xmpp-link", "pod-b")).toBe(false);
      expect(await b.store.releaseLease("xmpp-link", "pod-a")).toBe(true);
      expect(await other.getLease("xmpp-link")).toBeUndefined();
      expect(await other.acquireLease("xmpp-link", "pod-b", 10_000)).toBe(true);
      expect(await b.store.releaseLease("xmpp-link", "pod-a")).toBe(false);
      if (other !== b.store) await other.close();
    });

    it("hands a marker to exactly one taker, across replicas", async () => {
      const other = await b.replica();
      expect(await other.takeMarker("clean-stop")).toBeUndefined();
      await b.store.putMarker("clean-stop", "first");
      await b.store.putMarker("clean-stop", "second");
      const taken = await Promise.all([other.takeMarker("clean-stop"), b.store.takeMarker("clean-stop")]);
      expect(taken.filter((v) => v !== undefined)).toEqual(["second"]);
      expect(await b.store.takeMarker("clean-stop")).toBeUndefined();
      if (other !== b.store) await other.close();
    });

    it("lets a lease expire when its holder stops renewing", async () => {
      expect(await b.store.acquireLease("xmpp-link", "pod-a", 150)).toBe(true);
      const lease = await b.store.getLease("xmpp-link");
      expect(lease?.expiresAt).toBeGreaterThan(Date.now());
      expect(lease?.expiresAt).toBeLessThanOrEqual(Date.now() + 200);
      await new Promise((r) => setTimeout(r, 400));
      expect(await b.store.renewLease("xmpp-link", "pod-a", 150)).toBe(false);
      expect(await b.store.acquireLease("xmpp-link", "pod-b", 10_000)).toBe(true);
    });

    it("answers ping, and rejects with a typed error once closed", async () => {
      await b.store.ping();
      const own = await open();
      await own.store.close();
      await own.store.close(); // idempotent
      await expectRejectsKind(own.store.getSubscription("x"), "closed");
      await expectRejectsKind(own.store.ping(), "closed");
      await own.dispose();
    });
  });
}

/** Restart persistence, for backends that have one. */
export function storeRestartContract(name: string, open: () => Promise<StoreBackend & { readonly restart: () => Promise<void>; readonly reopen: () => Promise<Store> }>): void {
  describe(`Store contract (restart): ${name}`, () => {
    it("keeps subscriptions, indexes, counters and presence versions across a backend restart", async () => {
      const b = await open();
      try {
        const s = sipWatcher();
        const x = xmppWatcher({ dialog: s.dialog, generation: 4 });
        await b.store.putSubscriptions([s, x]);
        await b.store.putPresence("juliet@example.com", away);
        await b.store.close();
        await b.restart();
        const again = await b.reopen();
        expect(await again.getSubscription(s.id)).toEqual(s);
        expect(await again.getSubscription(x.id)).toEqual(x);
        expect((await again.listByPresentity("sipWatcher", s.presentity)).map((v) => v.id)).toEqual([s.id]);
        expect(await again.countByDomain("xmppWatcher", "example.com")).toBe(1);
        expect((await again.listExpiring(Number.MAX_SAFE_INTEGER, 10)).length).toBe(2);
        expect(await again.getPresence("juliet@example.com")).toMatchObject({ version: 1, states: away });
        await again.close();
      } finally {
        await b.dispose();
      }
    });
  });
}
