import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { sipMessageToChat, type SipMessageIn, type SipToChatResult } from "../../../src/translate/message.js";
import type { MessageError } from "../../../src/domain/message.js";
import { buildCpim } from "../../../src/simple/cpim/build.js";
import { buildImdn } from "../../../src/simple/imdn/imdn.js";
import { buildIsComposing } from "../../../src/simple/iscomposing/iscomposing.js";
import { SIP_MESSAGE_ACCEPT } from "../../../mappings/message-types.js";

const enc = new TextEncoder();
const base = { from: "sip:alice@sip.example", to: "sip:juliet@xmpp.example" };

function good(m: Partial<SipMessageIn> & { contentType: string | undefined; body: Uint8Array }, opts = {}): SipToChatResult {
  const r = sipMessageToChat({ ...base, ...m }, opts);
  if (!r.ok) throw new Error(`unexpected error ${r.error.sip.status} ${r.error.detail}`);
  return r.value;
}
function bad(m: Partial<SipMessageIn> & { contentType: string | undefined; body: Uint8Array }): MessageError {
  const r = sipMessageToChat({ ...base, ...m });
  if (r.ok) throw new Error("expected an error");
  return r.error;
}

describe("sipMessageToChat: text/plain and charsets", () => {
  it("maps a RFC 3428 §4 style MESSAGE with Subject and Content-Language", () => {
    const r = good({ contentType: "text/plain", body: enc.encode("Watson, come here."), subject: "Hi", contentLanguage: "en" });
    expect(r.message).toEqual({ ...base, type: "chat", bodies: [{ lang: "en", text: "Watson, come here." }], subject: [{ text: "Hi" }] });
    expect(r.identity).toEqual({ envelopeFrom: base.from, envelopeTo: base.to });
  });

  it.each([
    ["text/plain; charset=ISO-8859-1", new Uint8Array([0x63, 0x61, 0x66, 0xe9]), "café"],
    ["text/plain;charset=windows-1252", new Uint8Array([0x80, 0x31]), "€1"],
    ['text/plain; charset="utf-16"', new Uint8Array([0xfe, 0xff, 0x00, 0xe9]), "é"],
    ["text/plain; charset=utf-16", new Uint8Array([0x00, 0x41]), "A"], // RFC 2781: big-endian without BOM
    ["text/plain; charset=UTF-16LE", new Uint8Array([0x41, 0x00]), "A"],
    ["TEXT/PLAIN", enc.encode("ünïcode ✓"), "ünïcode ✓"], // UTF-8 default
  ])("decodes %s", (ct, bytes, text) => {
    expect(good({ contentType: ct, body: bytes }).message.bodies).toEqual([{ text }]);
  });

  it("invalid UTF-8 → 400 with a reason", () => {
    const e = bad({ contentType: "text/plain;charset=utf-8", body: new Uint8Array([0x61, 0xc3, 0x28]) });
    expect(e.sip).toEqual({ status: 400, reason: "body is not valid utf-8" });
    expect(e.xmpp.condition).toBe("bad-request");
  });

  it("unknown charset → 415 with Accept", () => {
    const e = bad({ contentType: "text/plain; charset=koi8-r", body: enc.encode("x") });
    expect(e.sip.status).toBe(415);
    expect(e.accept).toBe(SIP_MESSAGE_ACCEPT);
  });

  it("control characters XML 1.0 cannot carry are stripped", () => {
    expect(good({ contentType: "text/plain", body: enc.encode("a\u0000b\u001bc\td\u000ce\uffff") }).message.bodies).toEqual([{ text: "abc\tde" }]);
  });

  it.each(["application/pdf", "image/png", "multipart/mixed;boundary=x"])("%s → 415 with Accept", (ct) => {
    const e = bad({ contentType: ct, body: enc.encode("x") });
    expect(e.sip).toEqual({ status: 415, reason: "Unsupported Media Type" });
    expect(e.accept).toContain("text/plain");
    expect(e.accept).toContain("message/cpim");
  });

  it("missing Content-Type with a body → 400", () => {
    expect(bad({ contentType: undefined, body: enc.encode("x") }).sip.status).toBe(400);
  });

  it("Call-ID becomes the thread only when asked", () => {
    expect(good({ contentType: "text/plain", body: enc.encode("x"), callId: "abc@h" }).message.thread).toBeUndefined();
    expect(good({ contentType: "text/plain", body: enc.encode("x"), callId: "abc@h" }, { threadFromCallId: true }).message.thread).toBe("abc@h");
  });

  it("never throws on arbitrary bodies and content types", () => {
    const ct = fc.constantFrom("text/plain", "text/html", "message/cpim", "application/im-iscomposing+xml", "message/imdn+xml", "x/y", "garbage", "text/plain;charset=utf-16");
    fc.assert(fc.property(ct, fc.uint8Array({ maxLength: 200 }), (contentType, body) => {
      const r = sipMessageToChat({ ...base, contentType, body });
      expect(typeof r.ok).toBe("boolean");
    }));
  });
});

describe("sipMessageToChat: text/html", () => {
  it("XHTML becomes sanitised XHTML-IM plus a text body", () => {
    const m = good({ contentType: "text/html;charset=utf-8", body: enc.encode('<p>Hi <em>you</em><script>x</script></p>') }).message;
    expect(m.bodies).toEqual([{ text: "Hi you" }]);
    expect(m.html).toBe('<body xmlns="http://www.w3.org/1999/xhtml"><p>Hi <em>you</em></p></body>');
  });
});

describe("sipMessageToChat: message/cpim", () => {
  const cpim = (extra: Parameters<typeof buildCpim>[0]["extra"], contentType: string, body: Uint8Array, subjects?: { lang?: string; text: string }[]): Uint8Array =>
    buildCpim({
      from: { displayName: "Alice", uri: "sip:alice@sip.example" }, to: [{ uri: "sip:juliet@xmpp.example" }],
      dateTime: new Date("2024-03-01T10:00:00Z"),
      namespaces: [{ prefix: "imdn", uri: "urn:ietf:params:imdn" }], ...(extra ? { extra } : {}),
      ...(subjects ? { subjects } : {}), contentType, body,
    });

  it("unwraps CPIM: sender identity, DateTime, subjects, IMDN requests", () => {
    const body = cpim(
      [{ name: "imdn.Message-ID", value: "m1" }, { name: "imdn.Disposition-Notification", value: "positive-delivery, display" }],
      "text/plain;charset=UTF-8", enc.encode("hello"), [{ text: "s" }, { lang: "fr", text: "sujet" }],
    );
    const r = good({ contentType: "message/cpim", body, from: "sip:alice@sip.example" });
    expect(r.message).toEqual({
      from: "sip:alice@sip.example", to: "sip:juliet@xmpp.example", type: "chat",
      id: "m1", bodies: [{ text: "hello" }], subject: [{ text: "s" }, { lang: "fr", text: "sujet" }],
      sentAt: new Date("2024-03-01T10:00:00Z"), receipt: { request: true }, marker: { markable: true },
    });
    expect(r.identity.cpimFrom).toBe("sip:alice@sip.example");
  });

  it("reports a CPIM From that differs from the envelope, for the caller to judge", () => {
    const r = good({ contentType: "message/cpim", body: cpim(undefined, "text/plain", enc.encode("x")), from: "sip:mallory@evil.example" });
    expect(r.identity).toMatchObject({ envelopeFrom: "sip:mallory@evil.example", cpimFrom: "sip:alice@sip.example" });
  });

  it("maps an IMDN delivered notification to a XEP-0184 <received/>", () => {
    const imdn = buildImdn({ messageId: "orig-1", dateTime: new Date(), notification: { kind: "delivery", status: "delivered" } });
    const m = good({ contentType: "message/cpim", body: cpim([{ name: "imdn.Message-ID", value: "n1" }], "message/imdn+xml", imdn) }).message;
    expect(m.receipt).toEqual({ received: "orig-1" });
    expect(m.bodies).toEqual([]);
  });

  it("maps displayed → XEP-0333 <displayed/> and failed → failure", () => {
    const shown = buildImdn({ messageId: "o2", dateTime: new Date(), notification: { kind: "display", status: "displayed" } });
    expect(good({ contentType: "message/cpim", body: cpim(undefined, "message/imdn+xml", shown) }).message.marker).toEqual({ displayed: "o2" });
    const failed = buildImdn({ messageId: "o3", dateTime: new Date(), notification: { kind: "delivery", status: "forbidden" } });
    expect(good({ contentType: "message/cpim", body: cpim(undefined, "message/imdn+xml", failed) }).message.failure).toEqual({ id: "o3", status: "forbidden", kind: "delivery" });
  });

  it("keeps what XML 1.0 cannot carry out of the stanza's id, xml:lang and thread, not only its text", () => {
    // CPIM header escapes (RFC 3862 §3.6 \\uXXXX) can produce any code point, NUL included; the id,
    // xml:lang and thread are attributes/text of the <message/> too (XML 1.0 §2.2 Char), and one
    // forbidden character makes the XMPP server close the whole component stream (RFC 6120 §4.9.3.13).
    const raw = [
      "From: <sip:alice@sip.example>", "To: <sip:juliet@xmpp.example>", "NS: imdn <urn:ietf:params:imdn>",
      "imdn.Message-ID: m\\u0000\\b1", "imdn.Disposition-Notification: positive-delivery", "",
      "Content-Type: text/plain;charset=UTF-8", "Content-Language: e\\u0001n", "", "hi"].join("\r\n");
    const m = good({ contentType: "message/cpim", body: enc.encode(raw), callId: "c\u0001\ufffe1" }, { threadFromCallId: true }).message;
    expect([m.id, m.bodies, m.thread, m.receipt]).toEqual(["m1", [{ text: "hi" }], "c1", { request: true }]);
    // TAB/LF/CR in an id come back from the server as spaces (XML 1.0 §3.3.3): sent as spaces, so a
    // bounce carrying the id still matches the message.
    const ws = raw.replace("m\\u0000\\b1", "m\\u0009a\\u000Ab\\u000Dc");
    expect(good({ contentType: "message/cpim", body: enc.encode(ws) }).message.id).toBe("m a b c");
    // A Content-Language that is no language tag (BCP 47, what xml:lang holds: XML 1.0 §2.12) is dropped.
    expect(good({ contentType: "text/plain", body: enc.encode("x"), contentLanguage: "en\"x" }).message.bodies).toEqual([{ text: "x" }]);
    expect(good({ contentType: "text/plain", body: enc.encode("x"), contentLanguage: "zh-Hant-TW, en" }).message.bodies).toEqual([{ lang: "zh-Hant-TW", text: "x" }]);
    const subj = cpim(undefined, "text/plain", enc.encode("x"), [{ lang: "fr", text: "a" }, { lang: "e\ufffen", text: "b" }]);
    expect(good({ contentType: "message/cpim", body: subj }).message.subject).toEqual([{ lang: "fr", text: "a" }, { text: "b" }]);
  });

  it("refuses nested CPIM (415), broken CPIM (400) and an unsupported Require (400)", () => {
    expect(bad({ contentType: "message/cpim", body: cpim(undefined, "message/cpim", enc.encode("x")) }).sip.status).toBe(415);
    expect(bad({ contentType: "message/cpim", body: enc.encode("To: <sip:b@x>\r\n\r\n\r\nx") }).sip).toEqual({ status: 400, reason: "CPIM: missing From header" });
    const req = buildCpim({ from: { uri: "sip:a@x" }, to: [{ uri: "sip:b@x" }], require: ["MyFeatures.Vital"], namespaces: [{ prefix: "MyFeatures", uri: "mid:f" }], contentType: "text/plain", body: enc.encode("x") });
    expect(bad({ contentType: "message/cpim", body: req }).sip.reason).toBe("CPIM: Require of unsupported header MyFeatures.Vital");
  });
});

describe("sipMessageToChat: isComposing (RFC 3994 ⇄ XEP-0085)", () => {
  it.each<["active" | "idle", string]>([["active", "composing"], ["idle", "paused"]])("%s → %s", (state, chatState) => {
    const m = good({ contentType: "application/im-iscomposing+xml", body: buildIsComposing({ state }) }).message;
    expect(m.chatState).toBe(chatState);
    expect(m.bodies).toEqual([]);
  });
  it("CPIM-wrapped isComposing (Linphone) → chat state", () => {
    const body = buildCpim({ from: { uri: "sip:alice@sip.example" }, to: [{ uri: "sip:juliet@xmpp.example" }], contentType: "application/im-iscomposing+xml", body: buildIsComposing({ state: "active", refresh: 60 }) });
    expect(good({ contentType: "message/cpim", body }).message).toMatchObject({ chatState: "composing", bodies: [] });
  });
  it("broken isComposing → 400", () => {
    expect(bad({ contentType: "application/im-iscomposing+xml", body: enc.encode("<x/>") }).sip.status).toBe(400);
  });
});
