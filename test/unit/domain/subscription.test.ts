import { describe, it, expect } from "@jest/globals";
import {
  NO_SUBSCRIPTION, reduceSubscription, rosterView, type SubscriptionEvent, type SubscriptionPair,
} from "../../../src/domain/subscription.js";
import { terminationReasons, terminationRow } from "../../../mappings/subscription-state.js";

const pair = (o: Partial<SubscriptionPair> = {}): SubscriptionPair => ({ ...NO_SUBSCRIPTION, ...o });
const kinds = (p: SubscriptionPair, e: SubscriptionEvent) => reduceSubscription(p, e).actions.map((a) =>
  a.kind === "sendXmpp" ? `xmpp:${a.type}` : a.kind === "acceptSip" ? `accept:${a.state}` : a.kind === "scheduleRetry" ? `retry:${a.afterSeconds}` : a.kind === "terminateSip" ? `terminate:${a.reason}` : a.kind);

describe("subscription reducer: SIP watcher → XMPP presentity", () => {
  const rows: Array<[string, SubscriptionPair, SubscriptionEvent, SubscriptionPair["sipWatchesXmpp"], string[]]> = [
    ["new SUBSCRIBE asks the XMPP user, no probe before approval", pair(), { kind: "sipSubscribe" }, "pending", ["accept:pending", "xmpp:subscribe"]],
    ["SUBSCRIBE while approved is active at once", pair({ sipWatchesXmpp: "active" }), { kind: "sipSubscribe" }, "active", ["accept:active", "xmpp:probe"]],
    ["approval activates and probes for the current state", pair({ sipWatchesXmpp: "pending" }), { kind: "xmppSubscribed" }, "active", ["activateSip", "xmpp:probe"]],
    ["repeated approval is idempotent", pair({ sipWatchesXmpp: "active" }), { kind: "xmppSubscribed" }, "active", []],
    ["approval without a watcher does nothing", pair(), { kind: "xmppSubscribed" }, "none", []],
    ["denial of a pending watcher: rejected", pair({ sipWatchesXmpp: "pending" }), { kind: "xmppUnsubscribed" }, "none", ["terminate:rejected"]],
    ["revocation of an active watcher: rejected too (RFC 6665 §4.1.3)", pair({ sipWatchesXmpp: "active" }), { kind: "xmppUnsubscribed" }, "none", ["terminate:rejected"]],
    ["Expires: 0 on the last dialog → unsubscribe", pair({ sipWatchesXmpp: "active" }), { kind: "sipUnsubscribe", lastDialog: true }, "none", ["xmpp:unsubscribe"]],
    ["Expires: 0 with another dialog left → nothing", pair({ sipWatchesXmpp: "active" }), { kind: "sipUnsubscribe", lastDialog: false }, "active", []],
    ["expired active dialog keeps the approval", pair({ sipWatchesXmpp: "active" }), { kind: "sipDialogGone", lastDialog: true }, "active", []],
    ["expired pending dialog forgets the request", pair({ sipWatchesXmpp: "pending" }), { kind: "sipDialogGone", lastDialog: true }, "none", []],
  ];
  it.each(rows)("%s", (_name, before, event, after, actions) => {
    const r = reduceSubscription(before, event);
    expect(r.pair.sipWatchesXmpp).toBe(after);
    expect(kinds(before, event)).toEqual(actions);
  });
});

describe("subscription reducer: XMPP watcher → SIP presentity", () => {
  const rows: Array<[string, SubscriptionPair, SubscriptionEvent, SubscriptionPair["xmppWatchesSip"], boolean, string[]]> = [
    ["subscribe starts a SIP SUBSCRIBE", pair(), { kind: "xmppSubscribe" }, "pending", false, ["subscribeSip"]],
    ["repeated subscribe while pending waits", pair({ xmppWatchesSip: "pending" }), { kind: "xmppSubscribe" }, "pending", false, []],
    ["repeated subscribe once authorized re-affirms", pair({ xmppWatchesSip: "active", xmppAuthorized: true }), { kind: "xmppSubscribe" }, "active", true, ["xmpp:subscribed"]],
    ["NOTIFY pending says nothing to XMPP", pair({ xmppWatchesSip: "pending" }), { kind: "notify", state: "pending" }, "pending", false, []],
    ["NOTIFY active → subscribed", pair({ xmppWatchesSip: "pending" }), { kind: "notify", state: "active" }, "active", true, ["xmpp:subscribed"]],
    ["NOTIFY active after a re-subscribe is silent", pair({ xmppWatchesSip: "pending", xmppAuthorized: true }), { kind: "notify", state: "active" }, "active", true, []],
    ["NOTIFY for no subscription is ignored", pair(), { kind: "notify", state: "active" }, "none", false, []],
    ["terminated;reason=rejected → unsubscribed", pair({ xmppWatchesSip: "active", xmppAuthorized: true }), { kind: "notifyTerminated", reason: "rejected" }, "none", false, ["xmpp:unsubscribed"]],
    ["terminated;reason=noresource → unsubscribed", pair({ xmppWatchesSip: "pending" }), { kind: "notifyTerminated", reason: "noresource" }, "none", false, ["xmpp:unsubscribed"]],
    ["terminated;reason=invariant → unsubscribed", pair({ xmppWatchesSip: "pending" }), { kind: "notifyTerminated", reason: "invariant" }, "none", false, ["xmpp:unsubscribed"]],
    ["terminated;reason=deactivated → re-subscribe now", pair({ xmppWatchesSip: "active", xmppAuthorized: true }), { kind: "notifyTerminated", reason: "deactivated" }, "retrying", true, ["retry:0"]],
    ["terminated;reason=timeout → re-subscribe now", pair({ xmppWatchesSip: "active", xmppAuthorized: true }), { kind: "notifyTerminated", reason: "timeout" }, "retrying", true, ["retry:0"]],
    ["terminated;reason=probation;retry-after=120", pair({ xmppWatchesSip: "active", xmppAuthorized: true }), { kind: "notifyTerminated", reason: "probation", retryAfter: 120 }, "retrying", true, ["retry:120"]],
    ["terminated;reason=giveup without retry-after", pair({ xmppWatchesSip: "pending" }), { kind: "notifyTerminated", reason: "giveup" }, "retrying", false, ["retry:60"]],
    ["terminated with an unknown reason retries later", pair({ xmppWatchesSip: "active", xmppAuthorized: true }), { kind: "notifyTerminated", reason: "moved" }, "retrying", true, ["retry:60"]],
    ["SUBSCRIBE 403 → unsubscribed", pair({ xmppWatchesSip: "pending" }), { kind: "subscribeFailed", status: 403 }, "none", false, ["xmpp:unsubscribed"]],
    ["SUBSCRIBE 503 Retry-After 10 → retry", pair({ xmppWatchesSip: "pending" }), { kind: "subscribeFailed", status: 503, retryAfter: 10 }, "retrying", false, ["retry:10"]],
    ["SUBSCRIBE 408 → retry after the default back-off", pair({ xmppWatchesSip: "pending" }), { kind: "subscribeFailed", status: 408 }, "retrying", false, ["retry:30"]],
    ["retry due → SUBSCRIBE again", pair({ xmppWatchesSip: "retrying", xmppAuthorized: true }), { kind: "retryDue" }, "pending", true, ["subscribeSip"]],
    ["stale retry (unsubscribed meanwhile) is a no-op", pair(), { kind: "retryDue" }, "none", false, []],
    ["unsubscribe → Expires: 0", pair({ xmppWatchesSip: "active", xmppAuthorized: true }), { kind: "xmppUnsubscribe" }, "none", false, ["unsubscribeSip"]],
    ["unsubscribe while retrying has no dialog to end", pair({ xmppWatchesSip: "retrying" }), { kind: "xmppUnsubscribe" }, "none", false, []],
  ];
  it.each(rows)("%s", (_name, before, event, after, authorized, actions) => {
    const r = reduceSubscription(before, event);
    expect(r.pair.xmppWatchesSip).toBe(after);
    expect(r.pair.xmppAuthorized).toBe(authorized);
    expect(kinds(before, event)).toEqual(actions);
  });

  it("the two halves are independent", () => {
    const both = pair({ sipWatchesXmpp: "active", xmppWatchesSip: "active", xmppAuthorized: true });
    expect(reduceSubscription(both, { kind: "xmppUnsubscribe" }).pair.sipWatchesXmpp).toBe("active");
    expect(reduceSubscription(both, { kind: "xmppUnsubscribed" }).pair.xmppWatchesSip).toBe("active");
  });
});

describe("roster view (RFC 6121 §3)", () => {
  const rows: Array<[SubscriptionPair, string, boolean, boolean]> = [
    [pair(), "none", false, false],
    [pair({ xmppWatchesSip: "pending" }), "none", true, false],
    [pair({ sipWatchesXmpp: "pending" }), "none", false, true],
    [pair({ xmppWatchesSip: "active", xmppAuthorized: true }), "to", false, false],
    [pair({ xmppWatchesSip: "retrying", xmppAuthorized: true }), "to", false, false],
    [pair({ sipWatchesXmpp: "active" }), "from", false, false],
    [pair({ sipWatchesXmpp: "active", xmppWatchesSip: "active", xmppAuthorized: true }), "both", false, false],
    [pair({ sipWatchesXmpp: "active", xmppWatchesSip: "pending" }), "from", true, false],
  ];
  it.each(rows)("%o → %s", (p, sub, out, inn) => {
    expect(rosterView(p)).toEqual({ subscription: sub, pendingOut: out, pendingIn: inn });
  });
});

describe("mappings/subscription-state", () => {
  it("every RFC 6665 §4.1.3 reason has a row and a citation", () => {
    expect(Object.keys(terminationReasons).sort()).toEqual(["deactivated", "giveup", "invariant", "noresource", "probation", "rejected", "timeout"]);
    for (const row of Object.values(terminationReasons)) expect(row.ref).toMatch(/RFC 6665 §4\.1\.3/);
  });
  it("reasons compare case-insensitively; missing and unknown ones retry later", () => {
    expect(terminationRow("REJECTED").outcome).toBe("unsubscribed");
    expect(terminationRow(undefined)).toMatchObject({ outcome: "resubscribe", defaultRetrySeconds: 60 });
    expect(terminationRow("toString").outcome).toBe("resubscribe");
  });
});
