// Fuzz finding (target xmpp-message): an unknown message type was copied raw into the error reason,
// control characters included; it is now quoted and cut to 40 characters.
import { describe, expect, it } from "@jest/globals";
import { parseXmppMessage } from "../../../src/xmpp/message/parse.js";
import { xml } from "../../../src/xmpp/xml.js";

describe("unknown XMPP message types", () => {
  it("are refused bad-request with the type quoted, controls escaped and length bounded", () => {
    const r = parseXmppMessage(xml("message", { to: "bob@sip.example", type: `ch\u0001at${"x".repeat(500)}` }, xml("body", {}, "x")));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.xmpp.condition).toBe("bad-request");
    expect(r.error.sip.reason).toMatch(/^unknown message type "ch\\u0001atx+"$/);
    expect(r.error.sip.reason.length).toBeLessThan(80);
  });
});
