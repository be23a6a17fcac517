import { describe, it, expect } from "@jest/globals";
import { buildErrorStanza, mayAnswerWithError } from "../../../src/xmpp/build/error.js";
import { parseXml } from "../../../src/xmpp/xml.js";
import { readStanzaError } from "../../../src/xmpp/parse/stanza-error.js";

const NS = "urn:ietf:params:xml:ns:xmpp-stanzas";

describe("buildErrorStanza (RFC 6120 §8.3)", () => {
  it("swaps addresses, keeps id and kind, sets type=error and puts the condition in the stanzas namespace", () => {
    const original = parseXml(`<iq type="get" id="q1" from="alice@example.org/pc" to="bob@sip.example"><query xmlns="jabber:iq:last"/></iq>`);
    const err = buildErrorStanza(original, { type: "cancel", condition: "service-unavailable" });
    expect(err.name).toBe("iq");
    expect(err.attrs).toEqual({ type: "error", from: "bob@sip.example", to: "alice@example.org/pc", id: "q1" });
    const error = err.getChild("error")!;
    expect(error.attrs).toEqual({ type: "cancel" });
    expect(error.getChild("service-unavailable", NS)).toBeDefined();
    expect(error.getChild("text")).toBeUndefined();
  });

  it("adds <text xml:lang> and by= when given, and round-trips through the error reader", () => {
    const original = parseXml(`<message from="a@x" to="b@sip.example" id="m"><body>hi</body></message>`);
    const err = buildErrorStanza(original, { type: "wait", condition: "remote-server-timeout", text: "SIP 408 <timeout> & more", by: "sip.example" });
    expect(err.getChild("error")!.attrs).toEqual({ type: "wait", by: "sip.example" });
    expect(err.getChild("error")!.getChild("text", NS)!.attrs["xml:lang"]).toBe("en");
    // Built with xml(): special characters are escaped on the wire and come back intact.
    const reparsed = parseXml(err.toString());
    expect(readStanzaError(reparsed)).toEqual({ type: "wait", condition: "remote-server-timeout", text: "SIP 408 <timeout> & more" });
    expect(err.getChild("body")).toBeUndefined();
  });

  it("omits id when the original had none and never answers an error with an error", () => {
    const presence = parseXml(`<presence from="a@x/r" to="b@sip.example" type="subscribe"/>`);
    const err = buildErrorStanza(presence, { type: "auth", condition: "forbidden" });
    expect(err.attrs.id).toBeUndefined();
    expect(mayAnswerWithError(presence)).toBe(true);
    expect(mayAnswerWithError(err)).toBe(false);
  });
});

describe("readStanzaError", () => {
  it("maps missing or unknown conditions to undefined-condition and unknown types to unknown", () => {
    expect(readStanzaError(parseXml(`<iq type="error"><error type="bogus"><weird xmlns="${NS}"/></error></iq>`)))
      .toEqual({ type: "unknown", condition: "undefined-condition" });
    expect(readStanzaError(parseXml(`<iq type="error"/>`))).toEqual({ type: "unknown", condition: "undefined-condition" });
    // A condition outside the stanzas namespace is application-specific, not the defined condition.
    expect(readStanzaError(parseXml(`<message type="error"><error type="cancel"><gone xmlns="urn:other"/><item-not-found xmlns="${NS}"/></error></message>`)))
      .toEqual({ type: "cancel", condition: "item-not-found" });
  });
});
