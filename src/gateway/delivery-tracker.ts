// Tracks the stanzas the gateway sends on behalf of SIP requests that are still waiting for their
// final response, and decides when that response may be given.
//
// Why: XMPP has no positive per-hop acknowledgement (RFC 7572 §5), but a server processes the stanzas
// of one stream in order (RFC 6120 §10.1) and bounces what it cannot deliver (unknown user, blocked,
// policy) with an error stanza carrying the same id. So after writing a batch of stanzas the tracker
// sends one barrier (a self-addressed XEP-0199 ping through the server): when it comes back, every
// stanza of the batch that did not bounce has been accepted by the server (delivered, or stored
// offline). An optional hold window after the barrier also catches errors generated later by the
// recipient's client. A bounce becomes the SIP final response (RFC 7247 §6); acceptance becomes 200.
// Nothing answered 200 is lost across a link cut: a stanza not yet past its barrier when the link
// goes down is sent again after the handshake (at-least-once, same stanza id), and one still queued
// when `maxWaitMs` runs out is answered with an error instead of 200.

import { createExpiryQueue } from "../sip/transaction/timers.js";

/** Longest a barrier in flight holds back the next one (see createDeliveryTracker). */
export const BARRIER_GATE_MS = 10;

export type SendOutcome = "sent" | "buffered" | "rejected";

export type DeliveryOutcome<E> =
  | { readonly kind: "accepted" }
  | { readonly kind: "bounced"; readonly error: E }
  | { readonly kind: "link-down" }
  | { readonly kind: "rejected" };

export interface DeliveryTrackerOptions<S> {
  /** Writes the stanza to the link; "buffered" means it will be written once the link is online. */
  readonly send: (stanza: S) => SendOutcome;
  /**
   * Resolves once the server has processed everything written before it; rejects when the link
   * fails first. Without one, the hold window alone decides (no ordering guarantee is used).
   */
  readonly barrier?: () => Promise<void>;
  /** After the barrier (or the write, without one): wait this long for an error from the recipient. */
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
  /** The link went down: stanzas not past their barrier may not have reached the server. */
  linkOffline(): void;
  readonly pending: number;
  /** Decides every pending delivery as link-down (shutdown). */
  abortAll(): void;
}

// `stanza` and `decide` are dropped when the delivery is decided: settled entries were found to stay
// reachable for the young generation's scavenges until a mark-compact (most likely through the Map's
// old tables), and through `decide` they held each SIP request's whole graph: ~2.4 KB promoted per
// MESSAGE (bench/im-gateway-heap.ts, docs/benchmarks.md).
interface Pending<S, E> {
  /** Kept while pending: sent again after a link loss (linkOffline). */
  stanza: S | undefined;
  decide: ((outcome: DeliveryOutcome<E>) => void) | undefined;
  /** queued: in the link's buffer; written: on the wire, barrier not back; holding: past the barrier. */
  state: "queued" | "written" | "holding";
  /** Bumped on every (re)write, so a barrier only vouches for the write it followed. */
  attempt: number;
  hold?: NodeJS.Timeout;
  /** Date.now() value at which an undecided delivery is answered link-down. */
  readonly deadlineAt: number;
}

export function createDeliveryTracker<S, E>(opts: DeliveryTrackerOptions<S>): DeliveryTracker<S, E> {
  const pending = new Map<string, Pending<S, E>>();
  /** Stanzas written since the last barrier went out, with the attempt each barrier covers. */
  let unbarriered: [string, number][] = [];
  let barrierScheduled = false;
  // One barrier in flight at a time: what is written meanwhile waits for the next one, sent when
  // this one returns. Under load one barrier then covers everything written during a round trip
  // instead of one turn's worth; each extra barrier is two stanzas through the server and back.
  // When the server is slow (a backlog), waiting a whole extra round trip would push SIP answers
  // toward T1 and UDP retransmissions: after BARRIER_GATE_MS the next barrier goes out anyway.
  let barriersInFlight = 0;
  let lastBarrierAt = 0;
  let gateTimer: NodeJS.Timeout | undefined;
  /** Bumped when the link goes down: a barrier from before then must not gate the next one. */
  let linkEpoch = 0;
  // Every delivery has the same maxWaitMs: one FIFO with one timer instead of a timer per message.
  // An entry whose delivery was decided (or tracked again under the same id) is skipped on expiry.
  const deadlines = createExpiryQueue<string>(opts.maxWaitMs, (id) => {
    const p = pending.get(id);
    if (p !== undefined && p.deadlineAt <= Date.now()) settle(id, { kind: "link-down" });
  });

  const settle = (id: string, outcome: DeliveryOutcome<E>): void => {
    const p = pending.get(id);
    if (!p) return;
    pending.delete(id);
    if (p.hold) clearTimeout(p.hold);
    const decide = p.decide;
    p.decide = undefined;
    p.stanza = undefined;
    decide?.(outcome);
  };

  const startHold = (id: string, p: Pending<S, E>): void => {
    p.state = "holding";
    if (opts.holdMs <= 0) return settle(id, { kind: "accepted" });
    if (p.hold) clearTimeout(p.hold);
    p.hold = setTimeout(() => settle(id, { kind: "accepted" }), opts.holdMs);
  };

  const scheduleBarrier = (): void => {
    if (barrierScheduled || opts.barrier === undefined) return;
    barrierScheduled = true;
    setImmediate(sendBarrier);
  };

  const sendBarrier = (): void => {
    barrierScheduled = false;
    if (unbarriered.length === 0 || opts.barrier === undefined) return;
    if (barriersInFlight > 0) {
      const wait = lastBarrierAt + BARRIER_GATE_MS - Date.now();
      if (wait > 0) {
        gateTimer ??= setTimeout(() => { gateTimer = undefined; sendBarrier(); }, wait);
        return;
      }
    }
    const batch = unbarriered;
    unbarriered = [];
    barriersInFlight++;
    lastBarrierAt = Date.now();
    const epoch = linkEpoch;
    const done = (): void => {
      if (epoch !== linkEpoch) return;
      barriersInFlight--;
      if (unbarriered.length > 0) scheduleBarrier();
    };
    opts.barrier().then(
      () => {
        for (const [id, attempt] of batch) {
          const p = pending.get(id);
          if (p !== undefined && p.state === "written" && p.attempt === attempt) startHold(id, p);
        }
        done();
      },
      // The link failed before the barrier came back: linkOffline() re-sends, the deadline bounds it.
      done,
    );
  };

  const written = (id: string, p: Pending<S, E>): void => {
    p.attempt++;
    if (opts.barrier === undefined) return startHold(id, p);
    p.state = "written";
    unbarriered.push([id, p.attempt]);
    // One barrier per event-loop turn (at most) covers every stanza written in it.
    scheduleBarrier();
  };

  const attempt = (id: string, p: Pending<S, E>): void => {
    // Scheduled before the write so that, when the link batches the turn's writes (its own
    // setImmediate), the barrier joins the same socket write after the stanzas.
    scheduleBarrier();
    if (p.stanza === undefined) return; // decided meanwhile: nothing to send
    const r = opts.send(p.stanza);
    if (r === "sent") written(id, p);
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
        attempt: 0,
        deadlineAt: Date.now() + opts.maxWaitMs,
      };
      pending.set(id, p);
      deadlines.add(id);
      attempt(id, p);
    },
    bounce(id, error) {
      if (!pending.has(id)) return false;
      settle(id, { kind: "bounced", error });
      return true;
    },
    linkOnline() {
      // The link flushes its buffer in order on `online`; queued stanzas are written now.
      for (const [id, p] of pending) if (p.state === "queued") written(id, p);
    },
    linkOffline() {
      // A barrier in flight on the lost stream will never vouch for anything now.
      linkEpoch++;
      barriersInFlight = 0;
      clearTimeout(gateTimer);
      gateTimer = undefined;
      for (const [id, p] of pending) {
        // Past the barrier means the server has it: only the hold for client errors is lost.
        if (p.state !== "written" && !(p.state === "holding" && opts.barrier === undefined)) continue;
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
      deadlines.clear();
      clearTimeout(gateTimer);
      gateTimer = undefined;
    },
  };
}
