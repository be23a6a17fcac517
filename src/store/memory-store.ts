// In-process Store for one node (`store.kind: memory`) and for unit tests. Lost on restart.
// Indexes map a presentity / watcher to its ids, so fan-out and login look-ups cost O(result), never a
// full scan. Memory per held subscription matters (issue 4: < 2 KB each): the indexes are one Map per
// kind keyed by the record's own strings (no concatenated key per entry), and a key with a single id
// holds that id itself, a Set only from the second one (most watchers hold one dialog per presentity).
import type { XmppPresenceState } from "../domain/presence.js";
import { storeError } from "./store-error.js";
import { watcherDomain, type LeaseInfo, type PresenceEntry, type PutPresenceOutcome, type Store, type Subscription, type SubscriptionKind, type SubscriptionOf } from "./store.js";

export interface MemoryStoreOptions {
  /** Clock for leases and presence timestamps (tests may inject one). */
  readonly now?: () => number;
}

/** The ids under one index key: the id itself while there is one, a Set beyond. */
type Ids = string | Set<string>;
type Index = Map<SubscriptionKind, Map<string, Ids>>;

const addTo = (index: Index, kind: SubscriptionKind, key: string, id: string): void => {
  let byKey = index.get(kind);
  if (!byKey) index.set(kind, byKey = new Map());
  const ids = byKey.get(key);
  if (ids === undefined) byKey.set(key, id);
  else if (typeof ids === "string") { if (ids !== id) byKey.set(key, new Set([ids, id])); }
  else ids.add(id);
};
const removeFrom = (index: Index, kind: SubscriptionKind, key: string, id: string): void => {
  const byKey = index.get(kind);
  const ids = byKey?.get(key);
  if (byKey === undefined || ids === undefined) return;
  if (typeof ids === "string") {
    if (ids === id) byKey.delete(key);
    return;
  }
  ids.delete(id);
  // Back to the single-id form, so a key that once had two ids does not keep a Set.
  if (ids.size === 1) byKey.set(key, ids.values().next().value as string);
  else if (ids.size === 0) byKey.delete(key);
};
const idsOf = (index: Index, kind: SubscriptionKind, key: string): Ids | undefined => index.get(kind)?.get(key);
const sizeOf = (ids: Ids | undefined): number => ids === undefined ? 0 : typeof ids === "string" ? 1 : ids.size;
const indexKey = (kind: SubscriptionKind, value: string): string => `${kind}\u0000${value}`;

export function createMemoryStore(opts: MemoryStoreOptions = {}): Store {
  const now = opts.now ?? Date.now;
  const subs = new Map<string, Subscription>();
  const byPresentity: Index = new Map();
  const byWatcher: Index = new Map();
  const domainCounts = new Map<string, number>();
  const presence = new Map<string, PresenceEntry>();
  const leases = new Map<string, LeaseInfo>();
  const markers = new Map<string, string>();
  let closed = false;

  const guard = (): void => {
    if (closed) throw storeError("closed", "memory store is closed");
  };
  const bumpDomain = (key: string, delta: number): void => {
    const n = (domainCounts.get(key) ?? 0) + delta;
    if (n <= 0) domainCounts.delete(key);
    else domainCounts.set(key, n);
  };
  const unindex = (sub: Subscription): void => {
    removeFrom(byPresentity, sub.kind, sub.presentity, sub.id);
    removeFrom(byWatcher, sub.kind, sub.watcher, sub.id);
    bumpDomain(indexKey(sub.kind, watcherDomain(sub)), -1);
  };
  const put = (sub: Subscription): void => {
    const old = subs.get(sub.id);
    // The indexes (and the domain count) depend on kind, presentity and watcher only: a record
    // rewritten with the same ones (a fan-out storing each dialog's new CSeq) just replaces the value.
    if (old && old.kind === sub.kind && old.presentity === sub.presentity && old.watcher === sub.watcher) {
      subs.set(sub.id, sub);
      return;
    }
    if (old) unindex(old);
    subs.set(sub.id, sub);
    addTo(byPresentity, sub.kind, sub.presentity, sub.id);
    addTo(byWatcher, sub.kind, sub.watcher, sub.id);
    bumpDomain(indexKey(sub.kind, watcherDomain(sub)), 1);
  };
  const collect = <K extends SubscriptionKind>(ids: Ids | undefined): SubscriptionOf<K>[] => {
    const out: SubscriptionOf<K>[] = [];
    if (ids === undefined) return out;
    for (const id of typeof ids === "string" ? [ids] : ids) {
      const sub = subs.get(id);
      if (sub) out.push(sub as SubscriptionOf<K>);
    }
    return out;
  };
  const liveLease = (name: string): LeaseInfo | undefined => {
    const lease = leases.get(name);
    if (lease && lease.expiresAt <= now()) {
      leases.delete(name);
      return undefined;
    }
    return lease;
  };

  return {
    async putSubscription(sub) { guard(); put(sub); },
    async putSubscriptions(list) { guard(); for (const sub of list) put(sub); },
    async getSubscription(id) { guard(); return subs.get(id); },
    async deleteSubscription(id) {
      guard();
      const old = subs.get(id);
      if (!old) return false;
      unindex(old);
      subs.delete(id);
      return true;
    },
    async listByPresentity(kind, presentity) { guard(); return collect(idsOf(byPresentity, kind, presentity)); },
    async listByWatcher(kind, watcher) { guard(); return collect(idsOf(byWatcher, kind, watcher)); },
    async countByWatcher(kind, watcher) { guard(); return sizeOf(idsOf(byWatcher, kind, watcher)); },
    async countByDomain(kind, domain) { guard(); return domainCounts.get(indexKey(kind, domain.toLowerCase())) ?? 0; },
    async listExpiring(before, limit) {
      guard();
      // A linear pass: expiry scans run every few seconds, not per message, and a heap would need
      // lazy deletion on every refresh. 10 000 subscriptions scan in well under a millisecond.
      const due: Subscription[] = [];
      for (const sub of subs.values()) if (sub.expiresAt <= before) due.push(sub);
      due.sort((a, b) => a.expiresAt - b.expiresAt);
      return due.slice(0, limit);
    },
    async listAll(kind) {
      guard();
      const out: SubscriptionOf<typeof kind>[] = [];
      for (const sub of subs.values()) if (sub.kind === kind) out.push(sub as SubscriptionOf<typeof kind>);
      return out;
    },

    async getPresence(presentity) { guard(); return presence.get(presentity); },
    async putPresence(presentity, states: readonly XmppPresenceState[], opts = {}): Promise<PutPresenceOutcome> {
      guard();
      const current = presence.get(presentity)?.version ?? 0;
      if (opts.ifVersion !== undefined && opts.ifVersion !== current) return { ok: false, currentVersion: current };
      const version = current + 1;
      presence.set(presentity, { version, states, updatedAt: now() });
      return { ok: true, version };
    },
    async deletePresence(presentity) { guard(); presence.delete(presentity); },

    async acquireLease(name, owner, ttlMs) {
      guard();
      const lease = liveLease(name);
      if (lease && lease.owner !== owner) return false;
      leases.set(name, { owner, expiresAt: now() + ttlMs });
      return true;
    },
    async renewLease(name, owner, ttlMs) {
      guard();
      const lease = liveLease(name);
      if (!lease || lease.owner !== owner) return false;
      leases.set(name, { owner, expiresAt: now() + ttlMs });
      return true;
    },
    async releaseLease(name, owner) {
      guard();
      const lease = liveLease(name);
      if (!lease || lease.owner !== owner) return false;
      leases.delete(name);
      return true;
    },
    async getLease(name) { guard(); return liveLease(name); },

    async putMarker(name, value) { guard(); markers.set(name, value); },
    async takeMarker(name) {
      guard();
      const v = markers.get(name);
      markers.delete(name);
      return v;
    },

    async ping() { guard(); },
    async close() { closed = true; },
  };
}
