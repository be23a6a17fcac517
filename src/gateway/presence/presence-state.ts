// Pure decisions over stored records: the subscription pair a set of records stands for, and how a
// presence update changes a presentity's cached resources (so unchanged presence is dropped).
import { presenceEquals, type XmppPresenceState } from "../../domain/presence.js";
import type { SubscriptionPair } from "../../domain/subscription.js";
import type { SipWatcherSubscription, XmppWatcherSubscription } from "../../store/store.js";

/**
 * The pair as the store records it: the SIP half from the watcher's dialogs toward this presentity
 * (any active one means the XMPP user approved), the XMPP half from the gateway's own subscription.
 */
export function pairFromRecords(sipDialogs: readonly SipWatcherSubscription[], xmppSub: XmppWatcherSubscription | undefined): SubscriptionPair {
  const sipWatchesXmpp = sipDialogs.some((s) => s.state === "active") ? "active" : sipDialogs.some((s) => s.state === "pending") ? "pending" : "none";
  if (xmppSub === undefined) return { sipWatchesXmpp, xmppWatchesSip: "none", xmppAuthorized: false };
  const xmppAuthorized = xmppSub.authorization === "subscribed";
  const xmppWatchesSip = xmppSub.retryAfterAt !== undefined ? "retrying" : xmppAuthorized ? "active" : "pending";
  return { sipWatchesXmpp, xmppWatchesSip, xmppAuthorized };
}

export interface PresenceChange {
  /** The presentity's resources after the update (what the cache stores). */
  readonly states: readonly XmppPresenceState[];
  /** Only what watchers must be told; empty when nothing changed. */
  readonly changed: readonly XmppPresenceState[];
}

/**
 * One XMPP resource's presence. An unavailable resource is dropped from the cache once announced:
 * keeping it would grow the document forever (RFC 8048 closed tuple is sent once, then forgotten).
 */
export function applyResourcePresence(cached: readonly XmppPresenceState[], update: XmppPresenceState): PresenceChange {
  const i = cached.findIndex((s) => s.resource === update.resource);
  const before = i === -1 ? undefined : cached[i];
  if (before !== undefined && presenceEquals(before, update)) return { states: cached, changed: [] };
  if (before === undefined && !update.available) return { states: cached, changed: [] };
  const states = cached.filter((s) => s.resource !== update.resource);
  if (update.available) states.push(update);
  return { states, changed: [update] };
}

/**
 * A full-state NOTIFY (RFC 6665 §4.2.1.2 / RFC 3856: presence NOTIFYs carry full state): resources
 * missing from it went away and get an unavailable presence; unchanged ones are not repeated.
 */
export function applyFullState(cached: readonly XmppPresenceState[], full: readonly XmppPresenceState[]): PresenceChange {
  const old = new Map(cached.map((s) => [s.resource, s] as const));
  const changed: XmppPresenceState[] = [];
  const states: XmppPresenceState[] = [];
  const seen = new Set<string>();
  for (const s of full) {
    seen.add(s.resource);
    const before = old.get(s.resource);
    if (s.available) states.push(s);
    if (before === undefined ? s.available : !presenceEquals(before, s)) changed.push(s);
  }
  for (const [resource, s] of old) if (!seen.has(resource) && s.available) changed.push({ resource, available: false, statuses: [] });
  return { states, changed };
}

/** The dialog `by` CSeq numbers further on (RESTORE_CSEQ_SKIP); a dialog that never sent starts there. */
export function skipLocalCseq<D extends { readonly localSeq: number | null }>(dialog: D, by: number): D {
  return by === 0 ? dialog : { ...dialog, localSeq: (dialog.localSeq ?? 0) + by };
}

