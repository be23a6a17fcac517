// In-process Store for one node (`store.kind: memory`) and for unit tests. Lost on restart.
// Indexes are Maps of Sets, so fan-out and login look-ups cost O(result), never a full scan.
import type { XmppPresenceState } from "../domain/presence.js";
import { storeError } from "./store-error.js";
import { watcherDomain, type LeaseInfo, type PresenceEntry, type PutPresenceOutcome, type Store, type Subscription, type SubscriptionKind, type SubscriptionOf } from "./store.js";

export interface MemoryStoreOptions {
  /** Clock for leases and presence timestamps (tests may inject one). */
  readonly now?: () => number;
}

const indexKey = (kind: SubscriptionKind, value: string): string => `${kind}\u0000${value}`;

export function createMemoryStore(opts: MemoryStoreOptions = {}): Store {
  const now = opts.now ?? Date.now;
  const subs = new Map<string, Subscription>();
  const byPresentity = new Map<string, Set<string>>();
  const byWatcher = new Map<string, Set<string>>();
  const domainCounts = new Map<string, number>();
  const presence = new Map<string, PresenceEntry>();
  const leases = new Map<string, LeaseInfo>();
  let closed = false;

  const guard = (): void => {
    if (closed) throw storeError("closed", "memory store is closed");
  };
  const addTo = (index: Map<string, Set<string>>, key: string, id: string): void => {
    const set = index.get(key);
    if (set) set.add(id);
    else index.set(key, new Set([id]));
  };
  const removeFrom = (index: Map<string, Set<string>>, key: string, id: string): void => {
    const set = index.get(key);
    if (!set) return;
    set.delete(id);
    if (set.size === 0) index.delete(key);
  };
  const bumpDomain = (key: string, delta: number): void => {
    const n = (domainCounts.get(key) ?? 0) + delta;
    if (n <= 0) domainCounts.delete(key);
    else domainCounts.set(key, n);
  };
  const unindex = (sub: Subscription): void => {
    removeFrom(byPresentity, indexKey(sub.kind, sub.presentity), sub.id);
    removeFrom(byWatcher, indexKey(sub.kind, sub.watcher), sub.id);
    bumpDomain(indexKey(sub.kind, watcherDomain(sub)), -1);
  };
  const put = (sub: Subscription): void => {
    const old = subs.get(sub.id);
    if (old) unindex(old);
    subs.set(sub.id, sub);
    addTo(byPresentity, indexKey(sub.kind, sub.presentity), sub.id);
    addTo(byWatcher, indexKey(sub.kind, sub.watcher), sub.id);
    bumpDomain(indexKey(sub.kind, watcherDomain(sub)), 1);
  };
  const collect = <K extends SubscriptionKind>(ids: Set<string> | undefined): SubscriptionOf<K>[] => {
    const out: SubscriptionOf<K>[] = [];
    for (const id of ids ?? []) {
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
    async listByPresentity(kind, presentity) { guard(); return collect(byPresentity.get(indexKey(kind, presentity))); },
    async listByWatcher(kind, watcher) { guard(); return collect(byWatcher.get(indexKey(kind, watcher))); },
    async countByWatcher(kind, watcher) { guard(); return byWatcher.get(indexKey(kind, watcher))?.size ?? 0; },
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

    async ping() { guard(); },
    async close() { closed = true; },
  };
}
