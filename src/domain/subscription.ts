// The presence subscription between one SIP user and one XMPP user, as a pure reducer. Each
// direction is one half: RFC 6121 §3 (XMPP roster subscriptions, long-lived, approval by the user) on
// one side, RFC 6665 (SIP subscription dialogs, expiring, authorization carried by Subscription-State)
// on the other. The reducer decides; the presence router turns its actions into addressed effects.
import {
  permanentSubscribeFailures, revocationReason, terminationRow, transientRetrySeconds,
} from "../../mappings/subscription-state.js";

/** SIP watcher → XMPP presentity: the gateway is the RFC 6665 notifier. */
export type SipWatchState = "none" | "pending" | "active";
/** XMPP watcher → SIP presentity: the gateway is the RFC 6665 subscriber. */
export type XmppWatchState = "none" | "pending" | "active" | "retrying";

export interface SubscriptionPair {
  readonly sipWatchesXmpp: SipWatchState;
  readonly xmppWatchesSip: XmppWatchState;
  /** True once the SIP notifier said `active` for the current XMPP subscription (kept across re-subscribes). */
  readonly xmppAuthorized: boolean;
}

export const NO_SUBSCRIPTION: SubscriptionPair = { sipWatchesXmpp: "none", xmppWatchesSip: "none", xmppAuthorized: false };

export type SubscriptionEvent =
  // SIP watcher side (SUBSCRIBE received by the gateway's notifier)
  | { readonly kind: "sipSubscribe" }
  /** Expires: 0 from the watcher; `lastDialog` false when the same SIP user keeps another dialog. */
  | { readonly kind: "sipUnsubscribe"; readonly lastDialog: boolean }
  /** The watcher let the dialog expire or NOTIFYs failed (481/408): the dialog is gone, nothing was asked. */
  | { readonly kind: "sipDialogGone"; readonly lastDialog: boolean }
  // XMPP presentity side (stanzas from the XMPP user to the SIP user's JID)
  | { readonly kind: "xmppSubscribed" }
  | { readonly kind: "xmppUnsubscribed" }
  // XMPP watcher side
  | { readonly kind: "xmppSubscribe" }
  | { readonly kind: "xmppUnsubscribe" }
  // SIP presentity side (NOTIFY / responses to the gateway's SUBSCRIBE)
  | { readonly kind: "notify"; readonly state: "active" | "pending" }
  | { readonly kind: "notifyTerminated"; readonly reason?: string; readonly retryAfter?: number }
  | { readonly kind: "subscribeFailed"; readonly status: number; readonly retryAfter?: number }
  /** The delayed re-SUBSCRIBE is due. */
  | { readonly kind: "retryDue" };

export type SubscriptionAction =
  /** Answer the SIP SUBSCRIBE (RFC 6665 §4.2.1: 200, then an immediate NOTIFY in this state). */
  | { readonly kind: "acceptSip"; readonly state: "active" | "pending" }
  /** NOTIFY every dialog of this SIP watcher with the full state, now `active`. */
  | { readonly kind: "activateSip" }
  /** Final NOTIFY (RFC 6665 §4.2.2) to every dialog of this SIP watcher. */
  | { readonly kind: "terminateSip"; readonly reason: typeof revocationReason }
  /** Presence subscription stanza to the XMPP user, from the SIP user's JID. */
  | { readonly kind: "sendXmpp"; readonly type: "subscribe" | "subscribed" | "unsubscribe" | "unsubscribed" | "probe" }
  /** Start (or restart) the gateway's SUBSCRIBE dialog toward the SIP presentity. */
  | { readonly kind: "subscribeSip" }
  /** SUBSCRIBE Expires: 0 on the gateway's dialog (RFC 6665 §4.1.2.3). */
  | { readonly kind: "unsubscribeSip" }
  /** Schedule `retryDue` after this many seconds (a delayed queue job, never an in-memory timer). */
  | { readonly kind: "scheduleRetry"; readonly afterSeconds: number };

export interface SubscriptionStep {
  readonly pair: SubscriptionPair;
  readonly actions: readonly SubscriptionAction[];
}

const step = (pair: SubscriptionPair, ...actions: SubscriptionAction[]): SubscriptionStep => ({ pair, actions });

export function reduceSubscription(p: SubscriptionPair, e: SubscriptionEvent): SubscriptionStep {
  switch (e.kind) {
    case "sipSubscribe":
      // Already approved: answer active and fetch the state. Otherwise ask the XMPP user, and probe only
      // once she approved: a probe from a non-subscriber is answered `unsubscribed` (RFC 6121 §4.3.2,
      // Prosody does), which would read as a denial. Her server auto-replies `subscribed` to a
      // subscribe it has already approved (RFC 6121 §3.1.3), so re-subscribing asks no one twice.
      if (p.sipWatchesXmpp === "active") return step(p, { kind: "acceptSip", state: "active" }, { kind: "sendXmpp", type: "probe" });
      return step({ ...p, sipWatchesXmpp: "pending" }, { kind: "acceptSip", state: "pending" }, { kind: "sendXmpp", type: "subscribe" });
    case "sipUnsubscribe":
      if (!e.lastDialog) return step(p);
      // RFC 8048 (recalled): Expires: 0 is the SIP user ending the subscription → XMPP unsubscribe.
      return step({ ...p, sipWatchesXmpp: "none" }, { kind: "sendXmpp", type: "unsubscribe" });
    case "sipDialogGone":
      // An expired or broken dialog is not a decision of the SIP user: the XMPP approval is kept, so a
      // later SUBSCRIBE is answered active without asking again.
      if (!e.lastDialog || p.sipWatchesXmpp !== "pending") return step(p);
      return step({ ...p, sipWatchesXmpp: "none" });
    case "xmppSubscribed":
      if (p.sipWatchesXmpp === "pending") return step({ ...p, sipWatchesXmpp: "active" }, { kind: "activateSip" }, { kind: "sendXmpp", type: "probe" });
      return step(p);
    case "xmppUnsubscribed":
      if (p.sipWatchesXmpp === "none") return step(p);
      return step({ ...p, sipWatchesXmpp: "none" }, { kind: "terminateSip", reason: revocationReason });
    case "xmppSubscribe":
      if (p.xmppWatchesSip === "none") return step({ ...p, xmppWatchesSip: "pending", xmppAuthorized: false }, { kind: "subscribeSip" });
      // RFC 6121 §3.1.3: a repeated subscribe to an approved contact is answered `subscribed` again.
      if (p.xmppAuthorized) return step(p, { kind: "sendXmpp", type: "subscribed" });
      return step(p);
    case "xmppUnsubscribe":
      if (p.xmppWatchesSip === "none") return step(p);
      return step({ ...p, xmppWatchesSip: "none", xmppAuthorized: false },
        ...(p.xmppWatchesSip === "retrying" ? [] : [{ kind: "unsubscribeSip" } as const]));
    case "notify":
      if (p.xmppWatchesSip === "none") return step(p);
      if (e.state === "pending") return step({ ...p, xmppWatchesSip: "pending" });
      // RFC 8048 (recalled) / interworking §2.2: authorization comes from Subscription-State: active.
      if (p.xmppAuthorized) return step({ ...p, xmppWatchesSip: "active" });
      return step({ ...p, xmppWatchesSip: "active", xmppAuthorized: true }, { kind: "sendXmpp", type: "subscribed" });
    case "notifyTerminated": {
      if (p.xmppWatchesSip === "none") return step(p);
      const row = terminationRow(e.reason);
      if (row.outcome === "unsubscribed") return step({ ...p, xmppWatchesSip: "none", xmppAuthorized: false }, { kind: "sendXmpp", type: "unsubscribed" });
      return retry(p, e.retryAfter ?? row.defaultRetrySeconds ?? 0);
    }
    case "subscribeFailed":
      if (p.xmppWatchesSip === "none") return step(p);
      if (permanentSubscribeFailures.has(e.status)) {
        return step({ ...p, xmppWatchesSip: "none", xmppAuthorized: false }, { kind: "sendXmpp", type: "unsubscribed" });
      }
      return retry(p, e.retryAfter ?? transientRetrySeconds);
    case "retryDue":
      if (p.xmppWatchesSip !== "retrying") return step(p);
      return step({ ...p, xmppWatchesSip: "pending" }, { kind: "subscribeSip" });
  }
}

function retry(p: SubscriptionPair, afterSeconds: number): SubscriptionStep {
  return step({ ...p, xmppWatchesSip: "retrying" }, { kind: "scheduleRetry", afterSeconds });
}

/** RFC 6121 §3 roster view of the SIP contact from the XMPP user's side (the gateway's model of it). */
export interface RosterView {
  readonly subscription: "none" | "to" | "from" | "both";
  /** The XMPP user asked and the SIP side has not authorized yet ("pending out"). */
  readonly pendingOut: boolean;
  /** The SIP user asked and the XMPP user has not approved yet ("pending in"). */
  readonly pendingIn: boolean;
}

export function rosterView(p: SubscriptionPair): RosterView {
  const to = p.xmppAuthorized && p.xmppWatchesSip !== "none";
  const from = p.sipWatchesXmpp === "active";
  return {
    subscription: to && from ? "both" : to ? "to" : from ? "from" : "none",
    pendingOut: !to && p.xmppWatchesSip !== "none",
    pendingIn: p.sipWatchesXmpp === "pending",
  };
}
