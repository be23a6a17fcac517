import { describe, it, expect } from "@jest/globals";
import { parseXml } from "../../../../src/xmpp/xml.js";
import {
  buildPresenceStanza, buildSubscriptionStanza, classifyPresence, readPresenceState,
} from "../../../../src/xmpp/presence/presence-stanza.js";

describe("presence stanza ⇄ XmppPresenceState", () => {
  it("reads show, statuses per language, priority, caps and delay", () => {
    const el = parseXml(`<presence from="juliet@x/balcony" to="romeo@sip" xml:lang="en">
      <show>dnd</show><status>busy</status><status xml:lang="fr">occupée</status><status xml:lang="en">dup</status>
      <priority>-5</priority><c xmlns="http://jabber.org/protocol/caps" node="n" ver="v=" hash="sha-1"/>
      <delay xmlns="urn:xmpp:delay" stamp="2024-01-01T00:00:00Z"/></presence>`);
    expect(readPresenceState(el, "balcony")).toEqual({
      resource: "balcony", available: true, show: "dnd",
      statuses: [{ text: "busy", lang: "en" }, { text: "occupée", lang: "fr" }],
      priority: -5, caps: { node: "n", ver: "v=", hash: "sha-1" }, delay: "2024-01-01T00:00:00Z",
    });
  });
  it.each([
    ["<priority>300</priority>", undefined],
    ["<priority>1.5</priority>", undefined],
    ["<priority>127</priority>", 127],
  ])("priority %s → %s", (child, expected) => {
    expect(readPresenceState(parseXml(`<presence>${child}</presence>`), "r").priority).toBe(expected);
  });
  it("unavailable carries no show; unknown show values are dropped", () => {
    expect(readPresenceState(parseXml(`<presence type="unavailable"><show>away</show></presence>`), "r")).toEqual({ resource: "r", available: false, statuses: [] });
    expect(readPresenceState(parseXml(`<presence><show>sleeping</show></presence>`), "r").show).toBeUndefined();
  });
  it("classifies every RFC 6121 presence type", () => {
    const t = (type?: string) => classifyPresence(parseXml(type ? `<presence type="${type}"/>` : "<presence/>"), "r").kind;
    expect([t(), t("unavailable"), t("subscribe"), t("subscribed"), t("unsubscribe"), t("unsubscribed"), t("probe"), t("error")])
      .toEqual(["state", "state", "subscription", "subscription", "subscription", "subscription", "probe", "error"]);
  });
  it("builds and reads back the same state", () => {
    const state = { resource: "r", available: true, show: "away" as const, statuses: [{ text: "out", lang: "en" }, { text: "x" }], priority: 3, delay: "2024-01-01T00:00:00Z" };
    const el = buildPresenceStanza("a@sip.example/r", "b@xmpp.example", state);
    expect(el.attrs).toEqual({ from: "a@sip.example/r", to: "b@xmpp.example" });
    expect(readPresenceState(parseXml(el.toString()), "r")).toEqual(state);
    expect(buildPresenceStanza("a@s/r", "b@x", { resource: "r", available: false, statuses: [] }).toString())
      .toBe(`<presence from="a@s/r" to="b@x" type="unavailable"/>`);
  });
  it("builds subscription stanzas", () => {
    expect(buildSubscriptionStanza("a@s", "b@x", "subscribed").toString()).toBe(`<presence from="a@s" to="b@x" type="subscribed"/>`);
  });
});
