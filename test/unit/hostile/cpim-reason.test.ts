// Fuzz finding (target cpim, 2026-11): a malformed CPIM header line was quoted raw into the error
// reason, which becomes the SIP reason phrase of the 400; a lone CR or another control character
// from the body then reached the status line (RFC 3261 §25.1 Reason-Phrase admits none).
import { describe, expect, it } from "@jest/globals";
import { parseCpim } from "../../../src/simple/cpim/parse.js";
import { sipMessageToChat } from "../../../src/translate/message-sip-to-chat.js";

const CONTROLS = /[\u0000-\u0008\u000a-\u001f\u007f]/;

describe("CPIM refusals quote the bad line safely", () => {
  it.each([
    ["a lone CR in a header line", "From-delivery\rx\r\n\r\nContent-Type: text/plain\r\n\r\nhi"],
    ["an escape and a NUL in a header line", "Fr\u001b[2Jom\u0000 x\r\n\r\nContent-Type: text/plain\r\n\r\nhi"],
    ["a CR in an encapsulated MIME header", "From: <im:a@b>\r\nTo: <im:c@d>\r\n\r\nContent\rType text/plain\r\n\r\nhi"],
  ])("%s", (_what, body) => {
    const r = parseCpim(Buffer.from(body, "utf8"));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.reason).toMatch(/^CPIM: malformed (MIME )?header/);
    expect(CONTROLS.test(r.error.reason)).toBe(false);
  });

  it("answers the MESSAGE 400 with a reason phrase free of controls", () => {
    const r = sipMessageToChat({ contentType: "message/cpim", body: Buffer.from("From\r: x\r\n\r\n", "utf8"), from: "sip:a@sip.example", to: "sip:b@xmpp.example" });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.sip.status).toBe(400);
    expect(r.error.sip.reason).toContain("\\r");
    expect(CONTROLS.test(r.error.sip.reason)).toBe(false);
  });
});
