import { describe, it, expect } from "@jest/globals";
import { applyFullState, applyResourcePresence, pairFromRecords } from "../../../../src/gateway/presence/presence-state.js";
import type { XmppPresenceState } from "../../../../src/domain/presence.js";
import type { SipWatcherSubscription, XmppWatcherSubscription } from "../../../../src/store/store.js";

const st = (resource: string, o: Partial<XmppPresenceState> = {}): XmppPresenceState => ({ resource, available: true, statuses: [], ...o });

describe("applyResourcePresence", () => {
  it("adds, changes, drops unchanged and removes unavailable resources", () => {
    const a = applyResourcePresence([], st("phone"));
    expect(a.changed).toHaveLength(1);
    const same = applyResourcePresence(a.states, st("phone", { delay: "2024-01-01T00:00:00Z" }));
    expect(same.changed).toEqual([]);
    const away = applyResourcePresence(a.states, st("phone", { show: "away" }));
    expect(away.states).toEqual([st("phone", { show: "away" })]);
    const gone = applyResourcePresence(away.states, { resource: "phone", available: false, statuses: [] });
    expect(gone.states).toEqual([]);
    expect(gone.changed).toEqual([{ resource: "phone", available: false, statuses: [] }]);
    expect(applyResourcePresence([], { resource: "x", available: false, statuses: [] }).changed).toEqual([]);
  });
});

describe("applyFullState", () => {
  it("reports new and changed resources, and unavailable for the ones that disappeared", () => {
    const cached = [st("a"), st("b", { show: "away" })];
    const r = applyFullState(cached, [st("b", { show: "away" }), st("c", { show: "dnd" })]);
    expect(r.states).toEqual([st("b", { show: "away" }), st("c", { show: "dnd" })]);
    expect(r.changed).toEqual([st("c", { show: "dnd" }), { resource: "a", available: false, statuses: [] }]);
  });
  it("a closed tuple for a known resource is a change, for an unknown one it is not", () => {
    expect(applyFullState([st("a")], [{ resource: "a", available: false, statuses: [] }]).changed).toHaveLength(1);
    expect(applyFullState([], [{ resource: "a", available: false, statuses: [] }]).changed).toHaveLength(0);
  });
});

describe("pairFromRecords", () => {
  const dialog = { id: { callId: "c", localTag: "l", remoteTag: "r" }, localSeq: 1, remoteSeq: 1, localUri: "", remoteUri: "", localTarget: "", remoteTarget: "", routeSet: [], secure: false, early: false };
  const sipRec = (state: SipWatcherSubscription["state"]): SipWatcherSubscription => ({ kind: "sipWatcher", id: state, watcher: "sip:b@s", presentity: "j@x", event: "presence", dialog, state, expiresAt: 0 });
  const xRec = (o: Partial<XmppWatcherSubscription>): XmppWatcherSubscription => ({ kind: "xmppWatcher", id: "x", watcher: "j@x", presentity: "sip:b@s", expiresAt: 0, generation: 0, authorization: "pending", ...o });
  it.each([
    [[], undefined, { sipWatchesXmpp: "none", xmppWatchesSip: "none", xmppAuthorized: false }],
    [[sipRec("pending"), sipRec("active")], undefined, { sipWatchesXmpp: "active", xmppWatchesSip: "none", xmppAuthorized: false }],
    [[sipRec("pending")], xRec({}), { sipWatchesXmpp: "pending", xmppWatchesSip: "pending", xmppAuthorized: false }],
    [[], xRec({ authorization: "subscribed" }), { sipWatchesXmpp: "none", xmppWatchesSip: "active", xmppAuthorized: true }],
    [[], xRec({ authorization: "subscribed", retryAfterAt: 5 }), { sipWatchesXmpp: "none", xmppWatchesSip: "retrying", xmppAuthorized: true }],
  ] as Array<[SipWatcherSubscription[], XmppWatcherSubscription | undefined, object]>)("%#", (sips, x, expected) => {
    expect(pairFromRecords(sips, x)).toEqual(expected);
  });
});
