// RFC 6665 Subscription-State (state + reason) ⇄ XMPP presence subscription stanzas (RFC 6121 §3),
// per RFC 8048 §4 (recalled) and interworking.md §2.2. Data only: the reducer in
// src/domain/subscription.ts reads these rows, it never decides a reason by itself.

/** What an XMPP watcher's side does when the SIP notifier ends its subscription. */
export type TerminatedOutcome =
  /** Authorization refused or the resource is gone: tell XMPP `unsubscribed`, never retry. */
  | "unsubscribed"
  /** The subscription ended for a reason unrelated to authorization: SUBSCRIBE again, XMPP not told. */
  | "resubscribe";

export interface TerminationRow {
  readonly outcome: TerminatedOutcome;
  /** Seconds to wait before re-subscribing when the NOTIFY carries no retry-after. */
  readonly defaultRetrySeconds?: number;
  readonly ref: string;
}

/** RFC 6665 §4.1.3 reason values (read; see docs/presence-flows.md). */
export const terminationReasons = {
  rejected: { outcome: "unsubscribed", ref: "RFC 6665 §4.1.3: change in authorization policy, SHOULD NOT re-subscribe" },
  noresource: { outcome: "unsubscribed", ref: "RFC 6665 §4.1.3: resource no longer exists, SHOULD NOT re-subscribe" },
  invariant: { outcome: "unsubscribed", ref: "RFC 6665 §4.1.3: resource cannot be subscribed to, SHOULD NOT re-subscribe" },
  deactivated: { outcome: "resubscribe", defaultRetrySeconds: 0, ref: "RFC 6665 §4.1.3: SHOULD retry immediately (e.g. notifier migration)" },
  timeout: { outcome: "resubscribe", defaultRetrySeconds: 0, ref: "RFC 6665 §4.1.3: not refreshed in time, MAY re-subscribe immediately" },
  probation: { outcome: "resubscribe", defaultRetrySeconds: 60, ref: "RFC 6665 §4.1.3: SHOULD retry later, honouring retry-after" },
  giveup: { outcome: "resubscribe", defaultRetrySeconds: 60, ref: "RFC 6665 §4.1.3: no authorization in time, MAY retry later, honouring retry-after" },
} as const satisfies Record<string, TerminationRow>;

export type KnownTerminationReason = keyof typeof terminationReasons;

/**
 * An unknown reason (RFC 6665 §4.1.3: "clients MUST treat any unrecognized reason like a missing
 * one", recalled) and a missing one behave like probation: retry later, XMPP not told.
 */
export const unknownReasonRow: TerminationRow = { outcome: "resubscribe", defaultRetrySeconds: 60, ref: "RFC 6665 §4.1.3 (recalled): unknown reason → retry later" };

export function terminationRow(reason: string | undefined): TerminationRow {
  if (reason === undefined) return unknownReasonRow;
  const key = reason.toLowerCase();
  return Object.hasOwn(terminationReasons, key) ? terminationReasons[key as KnownTerminationReason] : unknownReasonRow;
}

/**
 * Reason of the final NOTIFY when the XMPP presentity revokes or denies a SIP watcher (`unsubscribed`).
 * `rejected` in both cases: RFC 6665 §4.1.3 defines it as "terminated due to change in authorization
 * policy … SHOULD NOT attempt to re-subscribe", which is exactly a revocation. `deactivated` (the brief's
 * alternative for formerly active subscriptions) tells the client to re-subscribe at once, which would
 * re-ask the XMPP user — wrong for a revocation.
 */
export const revocationReason = "rejected" as const satisfies KnownTerminationReason;

/**
 * SIP final responses to our SUBSCRIBE that mean "not authorized / no such resource" (→ `unsubscribed`);
 * every other failure is treated as transient and retried. RFC 3261 §21.4.3 (403), §21.4.5 (404),
 * §21.6.2 (603), §21.4.1 (400); RFC 6665 §7.2.2 (489, the notifier does not do presence).
 */
export const permanentSubscribeFailures: ReadonlySet<number> = new Set([400, 403, 404, 410, 484, 489, 603, 604]);

/** Back-off for transient SUBSCRIBE failures (no Retry-After): RFC 6665 §4.1.2.1 leaves it to policy. */
export const transientRetrySeconds = 30;
