import { describe, it, expect } from "@jest/globals";
import { answerIq, NS_DISCO_INFO, NS_DISCO_ITEMS, NS_PING, NS_VERSION } from "../../../src/xmpp/ingress/iq.js";
import { readPackageVersion, type IqAnswerConfig } from "../../../src/xmpp/ingress/iq-config.js";
import { readStanza, type InboundStanza } from "../../../src/xmpp/parse/stanza.js";
import { parseXml, type Element } from "../../../src/xmpp/xml.js";

const NS = "urn:ietf:params:xml:ns:xmpp-stanzas";
const cfg: IqAnswerConfig = {
  domains: new Set(["sip.example"]),
  identityName: "SIP gateway",
  features: ["urn:xmpp:receipts", "http://jabber.org/protocol/chatstates"],
  userFeatures: ["urn:xmpp:receipts"],
  version: { name: "stox", version: "1.2.3" },
  capsNode: "https://stox.example/caps",
};

function iq(to: string, type: string, payload: string, id = "i1"): InboundStanza {
  const r = readStanza(parseXml(`<iq from="alice@example.org/pc" to="${to}" type="${type}" id="${id}">${payload}</iq>`));
  if (!r.ok) throw new Error(r.reason);
  return r.stanza;
}

function reply(stanza: InboundStanza, c: IqAnswerConfig = cfg): Element {
  const out = answerIq(stanza, c);
  if (out.kind !== "reply") throw new Error(`ignored: ${out.reason}`);
  return out.stanza;
}

const features = (el: Element) => el.getChild("query")!.getChildren("feature").map((f) => f.attrs.var as string);
const condition = (el: Element) => el.getChild("error")!.getChildElements().find((c) => c.attrs.xmlns === NS)!.name;

describe("answerIq", () => {
  it("answers disco#info on the gateway JID with the gateway/sip identity and the caller's features", () => {
    const r = reply(iq("sip.example", "get", `<query xmlns="${NS_DISCO_INFO}"/>`));
    expect(r.attrs).toEqual({ type: "result", from: "sip.example", to: "alice@example.org/pc", id: "i1" });
    expect(r.getChild("query")!.getChild("identity")!.attrs).toEqual({ category: "gateway", type: "sip", name: "SIP gateway" });
    expect(features(r)).toEqual([NS_DISCO_INFO, NS_DISCO_ITEMS, NS_PING, NS_VERSION, "urn:xmpp:receipts", "http://jabber.org/protocol/chatstates"]);
  });

  it("answers per-user disco#info: account/registered for bare JIDs, client/pc for full JIDs, no duplicate features", () => {
    const bare = reply(iq("Bob@sip.example", "get", `<query xmlns="${NS_DISCO_INFO}"/>`));
    expect(bare.attrs.from).toBe("Bob@sip.example");
    expect(bare.getChild("query")!.getChild("identity")!.attrs).toEqual({ category: "account", type: "registered" });
    expect(features(bare)).toEqual([NS_DISCO_INFO, NS_DISCO_ITEMS, NS_PING, "urn:xmpp:receipts"]);
    const full = reply(iq("bob@sip.example/phone", "get", `<query xmlns="${NS_DISCO_INFO}"/>`));
    expect(full.getChild("query")!.getChild("identity")!.attrs).toEqual({ category: "client", type: "pc" });
    const dup = reply(iq("sip.example", "get", `<query xmlns="${NS_DISCO_INFO}"/>`), { ...cfg, features: [NS_PING, "x"] });
    expect(features(dup)).toEqual([NS_DISCO_INFO, NS_DISCO_ITEMS, NS_PING, NS_VERSION, "x"]);
  });

  it("answers caps-node disco#info echoing the node, and item-not-found for unknown nodes", () => {
    const node = "https://stox.example/caps#abc=";
    const r = reply(iq("bob@sip.example/phone", "get", `<query xmlns="${NS_DISCO_INFO}" node="${node}"/>`));
    expect(r.getChild("query")!.attrs.node).toBe(node);
    const unknown = reply(iq("sip.example", "get", `<query xmlns="${NS_DISCO_INFO}" node="other"/>`));
    expect(unknown.attrs.type).toBe("error");
    expect(condition(unknown)).toBe("item-not-found");
  });

  it("answers disco#items with an empty list", () => {
    const r = reply(iq("sip.example", "get", `<query xmlns="${NS_DISCO_ITEMS}"/>`));
    expect(r.attrs.type).toBe("result");
    expect(r.getChild("query", NS_DISCO_ITEMS)!.children).toHaveLength(0);
  });

  it("answers ping for the domain and bare JIDs, not for full JIDs (no end-to-end claim)", () => {
    expect(reply(iq("sip.example", "get", `<ping xmlns="${NS_PING}"/>`)).attrs.type).toBe("result");
    expect(reply(iq("bob@sip.example", "get", `<ping xmlns="${NS_PING}"/>`)).children).toHaveLength(0);
    const full = reply(iq("bob@sip.example/x", "get", `<ping xmlns="${NS_PING}"/>`));
    expect(condition(full)).toBe("service-unavailable");
  });

  it("answers version for the gateway only, without os unless configured", () => {
    const q = reply(iq("sip.example", "get", `<query xmlns="${NS_VERSION}"/>`)).getChild("query")!;
    expect([q.getChildText("name"), q.getChildText("version"), q.getChild("os")]).toEqual(["stox", "1.2.3", undefined]);
    const withOs = reply(iq("sip.example", "get", `<query xmlns="${NS_VERSION}"/>`), { ...cfg, version: { ...cfg.version, os: "Linux" } });
    expect(withOs.getChild("query")!.getChildText("os")).toBe("Linux");
    expect(condition(reply(iq("bob@sip.example", "get", `<query xmlns="${NS_VERSION}"/>`)))).toBe("service-unavailable");
  });

  it.each([
    ["get", `<query xmlns="jabber:iq:last"/>`],
    ["set", `<query xmlns="jabber:iq:register"/>`],
    ["set", `<query xmlns="${NS_DISCO_INFO}"/>`],
    ["get", `<vCard xmlns="vcard-temp"/>`],
  ])("answers %s %s with cancel/service-unavailable (RFC 6120 §8.4)", (type, payload) => {
    const r = reply(iq("bob@sip.example", type, payload));
    expect(r.attrs).toMatchObject({ type: "error", id: "i1", from: "bob@sip.example", to: "alice@example.org/pc" });
    expect(r.getChild("error")!.attrs.type).toBe("cancel");
    expect(condition(r)).toBe("service-unavailable");
  });

  it("ignores result/error IQs (RFC 6120 §8.2.3) and IQs to other domains", () => {
    expect(answerIq(iq("sip.example", "result", ""), cfg)).toEqual({ kind: "ignored", reason: "response-without-request" });
    expect(answerIq(iq("sip.example", "error", `<error type="cancel"/>`), cfg)).toEqual({ kind: "ignored", reason: "response-without-request" });
    expect(answerIq(iq("other.example", "get", `<ping xmlns="${NS_PING}"/>`), cfg)).toEqual({ kind: "ignored", reason: "not-our-domain" });
  });

  it("reads the gateway version from package.json", () => {
    expect(readPackageVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
