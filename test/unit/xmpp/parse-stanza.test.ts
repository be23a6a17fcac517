import { describe, it, expect } from "@jest/globals";
import { readStanza } from "../../../src/xmpp/parse/stanza.js";
import { readJid, domainOf } from "../../../src/xmpp/parse/jid.js";
import { parseXml } from "../../../src/xmpp/xml.js";

describe("readJid (RFC 7622)", () => {
  it.each([
    ["alice@example.org", "alice", "example.org", ""],
    ["Alice@Example.ORG/Res Part", "alice", "example.org", "Res Part"],
    ["sip.example", "", "sip.example", ""],
    ["a@b/c/d@e", "a", "b", "c/d@e"],
    ["example.org.", "", "example.org", ""],
  ])("accepts %s", (text, local, domain, resource) => {
    const r = readJid(text);
    expect(r.ok).toBe(true);
    if (r.ok) expect([r.jid.local, r.jid.domain, r.jid.resource]).toEqual([local, domain, resource]);
  });

  it.each([
    ["", "empty"],
    ["@example.org", "empty-localpart"],
    ["alice@", "empty-domain"],
    ["alice@example.org/", "empty-resource"],
    ["al ice@example.org", "bad-localpart"],
    ["a<b@example.org", "bad-localpart"],
    ["a@b@c", "bad-domain"],
    ["alice@exa mple.org", "bad-domain"],
    ["alice@example..org", "bad-domain"],
    [`${"a".repeat(1024)}@example.org`, "too-long"],
  ])("rejects %j as %s", (text, reason) => {
    expect(readJid(text)).toEqual({ ok: false, reason });
  });

  it("domainOf extracts the lowercased domain without a full parse", () => {
    expect(domainOf("Bob@SIP.Example/res@x")).toBe("sip.example");
    expect(domainOf("sip.example")).toBe("sip.example");
  });
});

describe("readStanza", () => {
  const read = (s: string) => readStanza(parseXml(s));

  it("reads kind, parsed addresses, id and type of a valid stanza", () => {
    const r = read(`<message from="alice@example.org/pc" to="bob@sip.example" id="m1" type="chat"><body>x</body></message>`);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.stanza.kind).toBe("message");
    expect(r.stanza.from.toString()).toBe("alice@example.org/pc");
    expect(r.stanza.to.local).toBe("bob");
    expect(r.stanza.id).toBe("m1");
    expect(r.stanza.type).toBe("chat");
  });

  it.each([
    [`<message to="b@sip.example"/>`, "bad-request", false],
    [`<message from="a b@x" to="b@sip.example"/>`, "jid-malformed", false],
    [`<message from="a@x"/>`, "bad-request", true],
    [`<message from="a@x" to="@sip.example"/>`, "jid-malformed", true],
    [`<message from="a@x" to="@sip.example" type="error"/>`, "jid-malformed", false],
    [`<message from="a@x" to="b@sip.example" type="shout"/>`, "bad-request", true],
    [`<presence from="a@x" to="b@sip.example" type="available"/>`, "bad-request", true],
    [`<iq from="a@x" to="sip.example" id="1"><ping xmlns="urn:xmpp:ping"/></iq>`, "bad-request", true],
    [`<iq from="a@x" to="sip.example" type="get"><ping xmlns="urn:xmpp:ping"/></iq>`, "bad-request", true],
    [`<iq from="a@x" to="sip.example" type="get" id="1"/>`, "bad-request", true],
    [`<iq from="a@x" to="sip.example" type="set" id="1"><a xmlns="x"/><b xmlns="y"/></iq>`, "bad-request", true],
    [`<iq from="a@x" to="sip.example" type="result"/>`, "bad-request", false],
  ])("%s → %s (replyable %s)", (text, condition, replyable) => {
    const r = read(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.condition).toBe(condition);
    expect(r.error.type).toBe("modify");
    expect(r.replyable).toBe(replyable);
  });

  it("accepts an iq result without payload and presence without type", () => {
    expect(read(`<iq from="a@x" to="sip.example" type="result" id="7"/>`).ok).toBe(true);
    expect(read(`<presence from="a@x/r" to="b@sip.example"/>`).ok).toBe(true);
  });
});
