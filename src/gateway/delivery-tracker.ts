// Tracks the stanzas the gateway sends on behalf of SIP requests that are still waiting for their
// final response, and decides when that response may be given.
//
// Why: XMPP has no positive per-hop acknowledgement (RFC 7572 §5), but the XMPP server bounces an
// error stanza with the same id within milliseconds when it cannot deliver (unknown user, blocked,
// policy). The gateway therefore keeps the SIP transaction open for a short hold window after the
// stanza is written to the component link: an error in that window becomes the SIP final response
// (RFC 7247 §6 mapping); silence means the server took the stanza, and the SIP side gets 200.
// Nothing answered 200 is lost across a link cut: a stanza whose hold window is interrupted by the
// link going down is sent again after the handshake (at-least-once, same stanza id), and one still
// queued when `maxWaitMs` runs out is answered with an error instead of 200.

export type SendOutcome = "sent" | "buffered" | "rejected";

export type DeliveryOutcome<E> =
  | { readonly kind: "accepted" }
  | { readonly kind: "bounced"; readonly error: E }
  | { readonly kind: "link-down" }
  | { readonly kind: "rejected" };

export interface DeliveryTrackerOptions<S> {
  /** Writes the stanza to the link; "buffered" means it will be written once the link is online. */
  readonly send: (stanza: S) => SendOutcome;
  /** Silence after writing for this long means the server accepted the stanza. */
  readonly holdMs: number;
  /** Upper bound from first attempt to the decision; must stay below SIP Timer F (64·T1). */
  readonly maxWaitMs: number;
}

export interface DeliveryTracker<S, E> {
  /** Starts delivery; `decide` is called exactly once. */
  track(id: string, stanza: S, decide: (outcome: DeliveryOutcome<E>) => void): void;
  /** An error stanza arrived for `id`: returns false when no delivery with that id is pending. */
  bounce(id: string, error: E): boolean;
  /** The link completed its handshake: buffered stanzas are on the wire now. */
  linkOnline(): void;
  /** The link went down: stanzas inside their hold window may not have reached the server. */
  linkOffline(): void;
  readonly pending: number;
  /** Decides every pending delivery as link-down (shutdown). */
  abortAll(): void;
}

interface Pending<S, E> {
  readonly stanza: S;
  readonly decide: (outcome: DeliveryOutcome<E>) => void;
  state: "queued" | "holding";
  hold?: NodeJS.Timeout;
  readonly deadline: NodeJS.Timeout;
}

export function createDeliveryTracker<S, E>(opts: DeliveryTrackerOptions<S>): DeliveryTracker<S, E> {
  const pending = new Map<string, Pending<S, E>>();

  const settle = (id: string, outcome: DeliveryOutcome<E>): void => {
    const p = pending.get(id);
    if (!p) return;
    pending.delete(id);
    if (p.hold) clearTimeout(p.hold);
    clearTimeout(p.deadline);
    p.decide(outcome);
  };

  const startHold = (id: string, p: Pending<S, E>): void => {
    p.state = "holding";
    if (p.hold) clearTimeout(p.hold);
    p.hold = setTimeout(() => settle(id, { kind: "accepted" }), opts.holdMs);
  };

  const attempt = (id: string, p: Pending<S, E>): void => {
    const r = opts.send(p.stanza);
    if (r === "sent") startHold(id, p);
    else if (r === "buffered") p.state = "queued";
    else settle(id, { kind: "rejected" });
  };

  return {
    track(id, stanza, decide) {
      if (pending.has(id)) {
        // A duplicate id would make bounces ambiguous; the caller generates unique ids.
        decide({ kind: "rejected" });
        return;
      }
      const p: Pending<S, E> = {
        stanza,
        decide,
        state: "queued",
        deadline: setTimeout(() => settle(id, { kind: "link-down" }), opts.maxWaitMs),
      };
      pending.set(id, p);
      attempt(id, p);
    },
    bounce(id, error) {
      if (!pending.has(id)) return false;
      settle(id, { kind: "bounced", error });
      return true;
    },
    linkOnline() {
      // The link flushes its buffer in order on `online`; queued stanzas are written now.
      for (const [id, p] of pending) if (p.state === "queued") startHold(id, p);
    },
    linkOffline() {
      for (const [id, p] of pending) {
        if (p.state !== "holding") continue;
        if (p.hold) clearTimeout(p.hold);
        p.hold = undefined;
        attempt(id, p);
      }
    },
    get pending() {
      return pending.size;
    },
    abortAll() {
      for (const id of [...pending.keys()]) settle(id, { kind: "link-down" });
    },
  };
}
