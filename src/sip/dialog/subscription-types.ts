// Shared vocabulary of the RFC 6665 roles: the listener plumbing and the records the store persists.
import type { DialogState } from "./dialog.js";
import type { EventHeader, SubscriptionStateValue, TerminationReason } from "./event-headers.js";

/** A tiny typed listener list: roles expose `onX(listener)` instead of string-keyed emitters. */
export interface Listeners<T> {
  add(listener: (value: T) => void): void;
  emit(value: T): void;
}
export function listeners<T>(): Listeners<T> {
  const list: Array<(value: T) => void> = [];
  return {
    add: (l) => { list.push(l); },
    emit: (v) => { for (const l of list) l(v); },
  };
}

/** Why a subscription ended, from this side's point of view. */
export interface SubscriptionEnded {
  /** RFC 6665 §4.1.3 reason when one was sent or received; "unsubscribed" when the subscriber left. */
  readonly reason: TerminationReason | "unsubscribed" | "expired" | "request-failed";
  /** Who ended it. */
  readonly by: "subscriber" | "notifier" | "timeout" | "error";
  /** SIP status when a request or response failed (e.g. NOTIFY answered 481, SUBSCRIBE refused 403). */
  readonly status?: number;
  /** Seconds before re-subscribing makes sense (Subscription-State retry-after). */
  readonly retryAfter?: number;
}

/** Notifier side, persistable: everything needed to resume sending NOTIFYs after a restart. */
export interface NotifierSubscriptionData {
  readonly dialog: DialogState;
  readonly event: EventHeader;
  readonly state: SubscriptionStateValue;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
  /** The subscriber (From URI) and the resource (To URI). */
  readonly subscriber: string;
  readonly resource: string;
  /** Last NOTIFY body (UTF-8 text) and type, re-sent on refresh (RFC 6665 §4.2.1.2). */
  readonly body?: string;
  readonly contentType?: string;
}

/** Subscriber side, persistable. */
export interface SubscriberSubscriptionData {
  /** Undefined until a 2xx or the first NOTIFY created the dialog (RFC 6665 §4.1.2.4). */
  readonly dialog?: DialogState;
  readonly event: EventHeader;
  readonly state: SubscriptionStateValue | "init";
  readonly expiresAt: number;
  readonly identity: string;
  readonly target: string;
  readonly callId: string;
  readonly localTag: string;
  readonly requestedExpires: number;
  /** Accept of the initial SUBSCRIBE, repeated in refreshes (RFC 6665 §4.1.2.2). */
  readonly accept?: readonly string[];
}
