import { describe, it, expect } from "@jest/globals";
import { formatUri, parseUri, uriScheme } from "../../../../src/sip/message/uri.js";

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
