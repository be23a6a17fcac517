import { describe, it, expect } from "@jest/globals";
import { formatUri, parseUri, sipUriHeaderCount, uriScheme } from "../../../../src/sip/message/uri.js";

describe("parseUri", () => {
  it("parses a full sip URI", () => {
    const u = parseUri("sip:alice:secret@example.com:5070;transport=TCP;lr;Maddr=1.2.3.4?subject=hi%20there&priority=urgent");
    expect(u).toMatchObject({ scheme: "sip", user: "alice", password: "secret", host: "example.com", port: 5070 });
    expect([...u!.params]).toEqual([["transport", "TCP"], ["lr", null], ["maddr", "1.2.3.4"]]);
    expect([...u!.headers]).toEqual([["subject", "hi there"], ["priority", "urgent"]]);
  });

  it("percent-decodes the user part (RFC 4475 esc01)", () => {
    expect(parseUri("sip:sips%3Auser%40example.com@example.net")?.user).toBe("sips:user@example.com");
    expect(parseUri("sip:null-%00-null@example.com")?.user).toBe("null-\u0000-null");
    expect(parseUri("sip:%E2%82%AC@example.com")?.user).toBe("€");
  });

  it("handles IPv6 references (RFC 5118)", () => {
    expect(parseUri("sip:[2001:db8::10]:5070")).toMatchObject({ host: "2001:db8::10", port: 5070 });
    expect(parseUri("sips:user@[2001:db8::10:5070]")).toMatchObject({ host: "2001:db8::10:5070", port: undefined });
    expect(parseUri("sip:user@[2001:db8:::192.0.2.1]")).toBeNull();
    expect(parseUri("sip:user@[2001:db8::10")).toBeNull();
  });

  it("parses tel URIs and refuses other schemes", () => {
    expect(parseUri("tel:+1-201-555-0123;phone-context=example.com")).toMatchObject({ scheme: "tel", user: "+1-201-555-0123", host: "" });
    expect(parseUri("nobodyKnowsThisScheme:totallyopaquecontent")).toBeNull();
    expect(uriScheme("nobodyKnowsThisScheme:x")).toBe("nobodyknowsthisscheme");
  });

  it.each(["sip:", "sip:user@", "sip:host:99999", "sip:host:", "sip:a b@host", "sip:%4@host", "sip:host;=x", "sip:host?x"])(
    "rejects %s", (text) => {
      expect(parseUri(text)).toBeNull();
    });
});

describe("formatUri", () => {
  it("escapes what RFC 3261 §25.1 does not allow and round-trips", () => {
    const u = parseUri("sip:sips%3Auser%40example.com@example.net;name=va%3Blue?h=a%26b")!;
    const text = formatUri(u);
    expect(text).toBe("sip:sips%3Auser%40example.com@example.net;name=va%3Blue?h=a%26b");
    expect(parseUri(text)).toEqual(u);
  });
  it("brackets IPv6 hosts and encodes UTF-8 users", () => {
    expect(formatUri({ scheme: "sip", user: "€ x", host: "2001:db8::1", port: 5060, params: new Map(), headers: new Map() }))
      .toBe("sip:%E2%82%AC%20x@[2001:db8::1]:5060");
  });
});

describe("sipUriHeaderCount (the allocation-free Request-URI check)", () => {
  it.each<[string, number]>([
    ["sip:a@b", 0], ["SIP:a@b;lr", 0], ["sips:host:5061", 0], ["sip:a?b@host", 0], ["sip:a@b?x=1&y=2", 2],
    ["sip:a@b?Route=%3Csip:example.com%3E", 1], ["sip:a@b;x=%4", -1], ["sip:a@b;=x", -1], ["sip:%zz@b", -1],
    ["sip:host:70000", -1], ["tel:+123", -1], ["sip:user@[2001:db8:::192.0.2.1]", -1],
  ])("%s → %i", (text, n) => {
    expect(sipUriHeaderCount(text)).toBe(n);
  });
  it("agrees with parseUri on validity", () => {
    for (const t of ["sip:a@b", "sip:a:p@h:1;x=y;lr?h=v", "sip:a b@h", "sip:@h", "sip:h;", "sip:h?", "sip:%41@h;n%61me=v"]) {
      const parsed = parseUri(t);
      expect(sipUriHeaderCount(t)).toBe(parsed === null ? -1 : parsed.headers.size);
    }
  });
});
