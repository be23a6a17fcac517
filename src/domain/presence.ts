// Protocol-neutral presence of one XMPP resource (or one SIP service/tuple seen as a resource).
// This is what crosses the translate stage in both directions; PIDF and stanzas are built from it.

/** RFC 6121 §4.7.2.1 <show/> values; absent means plainly available. */
export type XmppShow = "away" | "chat" | "dnd" | "xa";

/** One <status/> (RFC 6121 §4.7.2.2), one per xml:lang. */
export interface PresenceStatus {
  readonly text: string;
  readonly lang?: string;
}

/** XEP-0115 entity capabilities, plus the disco#info features when the gateway has resolved them. */
export interface PresenceCaps {
  readonly node: string;
  readonly ver: string;
  readonly hash: string;
  readonly features?: readonly string[];
}

export interface XmppPresenceState {
  readonly resource: string;
  readonly available: boolean;
  readonly show?: XmppShow;
  readonly statuses: readonly PresenceStatus[];
  /** RFC 6121 §4.7.2.3: −128..127. */
  readonly priority?: number;
  readonly caps?: PresenceCaps;
  /** XEP-0203 delay stamp (xs:dateTime). */
  readonly delay?: string;
}

function sameStatuses(a: readonly PresenceStatus[], b: readonly PresenceStatus[]): boolean {
  if (a.length !== b.length) return false;
  const key = (s: PresenceStatus): string => `${s.lang ?? ""}\u0000${s.text}`;
  const set = new Set(a.map(key));
  return b.every((s) => set.has(key(s)));
}

/**
 * True when two states would produce the same stanza for a watcher, so the newer one can be dropped
 * (flood control, interworking.md §5.8). The delay stamp is ignored: a re-sent but unchanged
 * presence is still unchanged. Status order is ignored (one status per language).
 */
export function presenceEquals(a: XmppPresenceState, b: XmppPresenceState): boolean {
  return (
    a.resource === b.resource &&
    a.available === b.available &&
    a.show === b.show &&
    a.priority === b.priority &&
    a.caps?.ver === b.caps?.ver &&
    a.caps?.node === b.caps?.node &&
    sameStatuses(a.statuses, b.statuses)
  );
}
