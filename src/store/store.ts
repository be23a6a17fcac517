// The state store seam: subscriptions of both directions with their indexes, the versioned presence
// cache and leases. Two implementations (memory-store.ts, redis-store.ts) pass one conformance suite
// (test/contract/store.contract.ts). Records are plain JSON data: no class instances, no Maps.
import { randomBytes } from "node:crypto";
import type { DialogState } from "../sip/dialog/dialog.js";
import type { XmppPresenceState } from "../domain/presence.js";

/**
 * The SIP dialog part of a subscription. src/sip/dialog/dialog.ts already defines DialogState as
 * plain, JSON-serializable data (ids, CSeqs, URIs, route set, flow), so the store persists it as is.
 */
export type DialogSnapshot = DialogState;

/** RFC 6665 §4.1.3 subscription states as the notifier keeps them. */
export type SipSubscriptionState = "pending" | "active" | "terminated";

/** A SIP watcher subscribed to an XMPP presentity: the gateway is the RFC 6665 notifier. */
export interface SipWatcherSubscription {
  readonly kind: "sipWatcher";
  /** Store key; short random ids (newSubscriptionId) keep the indexes small. */
  readonly id: string;
  /** The watcher's SIP URI (From of the SUBSCRIBE). */
  readonly watcher: string;
  /** Bare JID of the XMPP presentity. */
  readonly presentity: string;
  /** Event header package name, lowercased, e.g. "presence", and its optional id parameter (RFC 6665 §8.2.1). */
  readonly event: string;
  readonly eventId?: string;
  readonly dialog: DialogSnapshot;
  readonly state: SipSubscriptionState;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
}

/** RFC 6121 §3 subscription authorization as seen from the XMPP user's side. */
export type XmppAuthorization = "none" | "pending" | "subscribed";

/** An XMPP user subscribed to a SIP presentity: the gateway is the RFC 6665 subscriber. */
export interface XmppWatcherSubscription {
  readonly kind: "xmppWatcher";
  readonly id: string;
  /** Bare JID of the XMPP user. */
  readonly watcher: string;
  /** SIP URI of the presentity. */
  readonly presentity: string;
  /** Absent until a 2xx or the first NOTIFY created the dialog (RFC 6665 §4.1.2.4). */
  readonly dialog?: DialogSnapshot;
  readonly expiresAt: number;
  /** Incremented on every refresh; refresh jobs carry it so a stale job is a no-op. */
  readonly generation: number;
  readonly authorization: XmppAuthorization;
  /** Epoch ms before which re-subscribing is pointless (Subscription-State retry-after, RFC 6665 §4.1.3). */
  readonly retryAfterAt?: number;
}

export type Subscription = SipWatcherSubscription | XmppWatcherSubscription;
export type SubscriptionKind = Subscription["kind"];
export type SubscriptionOf<K extends SubscriptionKind> = Extract<Subscription, { kind: K }>;

/** The cached presence of one presentity, versioned so replicas cannot overwrite newer state. */
export interface PresenceEntry {
  readonly version: number;
  readonly states: readonly XmppPresenceState[];
  /** Epoch ms of the write. */
  readonly updatedAt: number;
}

export type PutPresenceOutcome =
  | { readonly ok: true; readonly version: number }
  /** The `ifVersion` precondition failed: someone wrote `currentVersion` (0 = absent) first. */
  | { readonly ok: false; readonly currentVersion: number };

export interface LeaseInfo {
  readonly owner: string;
  readonly expiresAt: number;
}

export interface Store {
  /** Inserts or replaces by id; the indexes follow the new record atomically. */
  putSubscription(sub: Subscription): Promise<void>;
  /** Bulk insert (restore, migration): pipelined, atomic per record. */
  putSubscriptions(subs: readonly Subscription[]): Promise<void>;
  getSubscription(id: string): Promise<Subscription | undefined>;
  /** True when a record was removed. */
  deleteSubscription(id: string): Promise<boolean>;
  /** All subscriptions of `kind` whose presentity is `presentity` (fan-out). */
  listByPresentity<K extends SubscriptionKind>(kind: K, presentity: string): Promise<SubscriptionOf<K>[]>;
  /** All subscriptions of `kind` held by `watcher` (login fan-out, per-user limits). */
  listByWatcher<K extends SubscriptionKind>(kind: K, watcher: string): Promise<SubscriptionOf<K>[]>;
  countByWatcher(kind: SubscriptionKind, watcher: string): Promise<number>;
  /** Subscriptions of `kind` whose watcher is in `domain` (lowercase), for per-domain limits. */
  countByDomain(kind: SubscriptionKind, domain: string): Promise<number>;
  /** Up to `limit` subscriptions with expiresAt ≤ `before`, soonest first (refresh/timeout scans). */
  listExpiring(before: number, limit: number): Promise<Subscription[]>;
  /** Every subscription of `kind` (restart recovery). */
  listAll<K extends SubscriptionKind>(kind: K): Promise<SubscriptionOf<K>[]>;

  getPresence(presentity: string): Promise<PresenceEntry | undefined>;
  /**
   * Writes a new version (previous + 1). With `ifVersion` the write only happens when the stored
   * version equals it (0 = no entry yet): compare-and-set between replicas.
   */
  putPresence(presentity: string, states: readonly XmppPresenceState[], opts?: { readonly ifVersion?: number }): Promise<PutPresenceOutcome>;
  deletePresence(presentity: string): Promise<void>;

  /** True when `owner` now holds `name` (free, expired, or already its own: then the TTL restarts). */
  acquireLease(name: string, owner: string, ttlMs: number): Promise<boolean>;
  /** True when `owner` still held `name` and its TTL was extended. */
  renewLease(name: string, owner: string, ttlMs: number): Promise<boolean>;
  /** True when `owner` held `name` and released it. */
  releaseLease(name: string, owner: string): Promise<boolean>;
  getLease(name: string): Promise<LeaseInfo | undefined>;

  /**
   * A named marker another process can take once: `putMarker` sets it (replacing), `takeMarker`
   * reads and removes it atomically. Used for "the previous process stopped cleanly" (src/main.ts).
   */
  putMarker(name: string, value: string): Promise<void>;
  takeMarker(name: string): Promise<string | undefined>;

  /** Readiness: resolves when the backend answers, rejects with a StoreError otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** 12 url-safe characters (72 random bits): short ids keep every index entry small. */
export function newSubscriptionId(): string {
  return randomBytes(9).toString("base64url");
}

/**
 * Lowercased domain of a watcher address, for per-domain counts: the JID domainpart (RFC 7622 §3.2)
 * or the SIP URI host (RFC 3261 §19.1.1), without port or parameters.
 */
export function watcherDomain(sub: Subscription): string {
  const addr = sub.watcher;
  if (sub.kind === "xmppWatcher") {
    const at = addr.indexOf("@");
    const slash = addr.indexOf("/", at + 1);
    return addr.slice(at + 1, slash === -1 ? undefined : slash).toLowerCase();
  }
  const noScheme = addr.replace(/^sips?:/i, "");
  const hostPart = noScheme.slice(noScheme.lastIndexOf("@") + 1);
  if (hostPart.startsWith("[")) return hostPart.slice(0, hostPart.indexOf("]") + 1).toLowerCase();
  const end = hostPart.search(/[:;?>]/);
  return (end === -1 ? hostPart : hostPart.slice(0, end)).toLowerCase();
}
