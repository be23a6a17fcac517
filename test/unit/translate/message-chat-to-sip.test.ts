import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { chatToSipMessage, needsReliableTransport, pickByLanguage, sipMessageToChat, type ChatToSipOptions } from "../../../src/translate/message.js";
import type { ChatMessage, ChatState } from "../../../src/domain/message.js";
import { parseCpim } from "../../../src/simple/cpim/parse.js";
import { cpimHeaderValue } from "../../../src/simple/cpim/types.js";
import { parseIsComposing } from "../../../src/simple/iscomposing/iscomposing.js";
import { parseImdn } from "../../../src/simple/imdn/imdn.js";
import { chatStateToIsComposing } from "../../../mappings/chat-states.js";

const dec = new TextDecoder();
const NOW = new Date("2025-01-02T03:04:05Z");
const plain: ChatToSipOptions = { cpim: false, includeThread: "drop", now: () => NOW };
const withCpim: ChatToSipOptions = { cpim: true, includeThread: "drop", now: () => NOW, newId: () => "gen-1" };
const base: ChatMessage = { from: "xmpp:juliet@xmpp.example", to: "sip:romeo@sip.example", type: "chat", bodies: [] };

describe("chatToSipMessage: bodies (RFC 7572 §4)", () => {
  it("always labels text/plain with charset=UTF-8", () => {
    const out = chatToSipMessage({ ...base, bodies: [{ text: "Art thou not Romeo?" }] }, plain);
    expect(out?.contentType).toBe("text/plain;charset=UTF-8");
    expect(dec.decode(out?.body)).toBe("Art thou not Romeo?");
    expect(out?.headers).toEqual({});
  });

  it("picks one body by language preference and sets Content-Language; subject → Subject", () => {
    const chat: ChatMessage = {
      ...base,
      bodies: [{ lang: "en", text: "Wherefore art thou, Romeo?" }, { lang: "cs", text: "Pročež jsi ty, Romeo?" }],
      subject: [{ lang: "en", text: "I implore you!" }, { lang: "cs", text: "Úpěnlivě prosím!" }],
    };
    const out = chatToSipMessage(chat, { ...plain, languages: ["cs-CZ"] });
    expect(dec.decode(out?.body)).toBe("Pročež jsi ty, Romeo?");
    expect(out?.headers).toEqual({ subject: "Úpěnlivě prosím!", "content-language": "cs" });
    expect(dec.decode(chatToSipMessage(chat, plain)?.body)).toBe("Wherefore art thou, Romeo?");
  });

  it("thread → Call-ID only with includeThread=header and a valid Call-ID word", () => {
    const chat = { ...base, bodies: [{ text: "x" }], thread: "e0ffe42b28561960c6b12b944a092794b9683a38" };
    expect(chatToSipMessage(chat, plain)?.headers["call-id"]).toBeUndefined();
    expect(chatToSipMessage(chat, { ...plain, includeThread: "header" })?.headers["call-id"]).toBe(chat.thread);
    expect(chatToSipMessage({ ...chat, thread: "has space" }, { ...plain, includeThread: "header" })?.headers["call-id"]).toBeUndefined();
  });

  it("keeps header values on one line", () => {
    const out = chatToSipMessage({ ...base, bodies: [{ text: "x" }], subject: [{ text: "a\r\nInjected: yes" }] }, plain);
    expect(out?.headers.subject).toBe("a Injected: yes");
  });

  it("sends sanitised text/html when preferred", () => {
    const html = '<body xmlns="http://www.w3.org/1999/xhtml"><p>hi <em>there</em></p></body>';
    const out = chatToSipMessage({ ...base, bodies: [{ text: "hi there" }], html }, { ...plain, preferHtml: true });
    expect(out?.contentType).toBe("text/html;charset=UTF-8");
    expect(dec.decode(out?.body)).toBe(html);
  });
});

describe("chatToSipMessage: CPIM and IMDN (RFC 3862, RFC 5438)", () => {
  it("wraps with From/To/DateTime and requests IMDN for receipts and markers", () => {
    const out = chatToSipMessage({ ...base, id: "x1", bodies: [{ text: "hello" }], receipt: { request: true }, marker: { markable: true } }, withCpim);
    expect(out?.contentType).toBe("message/cpim");
    const m = parseCpim(out?.body ?? new Uint8Array());
    if (!m.ok) throw new Error(m.error.reason);
    expect(m.value.from.uri).toBe(base.from);
    expect(m.value.to[0]?.uri).toBe(base.to);
    expect(m.value.dateTime).toEqual(NOW);
    expect(cpimHeaderValue(m.value, "urn:ietf:params:imdn", "Message-ID")).toBe("x1");
    expect(cpimHeaderValue(m.value, "urn:ietf:params:imdn", "Disposition-Notification")).toBe("positive-delivery, negative-delivery, display");
    expect(m.value.contentType).toBe("text/plain;charset=UTF-8");
    expect(dec.decode(m.value.body)).toBe("hello");
  });

  it("a XEP-0184 <received/> becomes an IMDN delivered notification", () => {
    const out = chatToSipMessage({ ...base, receipt: { received: "orig-7" } }, withCpim);
    const m = parseCpim(out?.body ?? new Uint8Array());
    if (!m.ok) throw new Error(m.error.reason);
    expect(m.value.contentType).toBe("message/imdn+xml");
    expect(cpimHeaderValue(m.value, "urn:ietf:params:imdn", "Message-ID")).toBe("gen-1");
    const n = parseImdn(m.value.body);
    expect(n.ok && n.value).toMatchObject({ messageId: "orig-7", notification: { kind: "delivery", status: "delivered" } });
  });

  it("an ack or marker without CPIM has no SIP form", () => {
    expect(chatToSipMessage({ ...base, receipt: { received: "o" } }, plain)).toBeUndefined();
    expect(chatToSipMessage({ ...base, marker: { displayed: "o" } }, plain)).toBeUndefined();
  });

  it("a translated-back CPIM round-trips through sipMessageToChat", () => {
    fc.assert(fc.property(fc.string({ minLength: 1, maxLength: 80 }).filter((s) => s.trim() === s && s !== ""), fc.boolean(), (text, receipt) => {
      const chat: ChatMessage = { ...base, id: "r1", bodies: [{ text }], ...(receipt ? { receipt: { request: true } } : {}) };
      const out = chatToSipMessage(chat, withCpim);
      if (out === undefined) throw new Error("no output");
      const back = sipMessageToChat({ contentType: out.contentType, body: out.body, from: base.from, to: base.to });
      if (!back.ok) throw new Error(back.error.detail);
      const expected = text.replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]|[\ud800-\udfff]/g, "");
      expect(back.value.message.bodies).toEqual(expected === "" ? [] : [{ text: expected }]);
      expect(back.value.message.receipt).toEqual(receipt ? { request: true } : undefined);
    }));
  });
});

describe("chatToSipMessage: chat states (XEP-0085 → RFC 3994)", () => {
  it.each<[ChatState, "active" | "idle" | null]>(
    (Object.keys(chatStateToIsComposing) as ChatState[]).map((s) => [s, chatStateToIsComposing[s].toSip]),
  )("%s → %s", (chatState, sip) => {
    const out = chatToSipMessage({ ...base, chatState }, plain);
    if (sip === null) {
      expect(out).toBeUndefined();
      return;
    }
    expect(out?.contentType).toBe("application/im-iscomposing+xml");
    const parsed = parseIsComposing(out?.body ?? new Uint8Array());
    expect(parsed.ok && parsed.value.state).toBe(sip);
    if (sip === "active") expect(parsed.ok && parsed.value.refresh).toBe(90);
  });

  it("a content message carrying <active/> sends only the body", () => {
    expect(chatToSipMessage({ ...base, bodies: [{ text: "x" }], chatState: "active" }, plain)?.contentType).toBe("text/plain;charset=UTF-8");
  });
});

describe("helpers", () => {
  it("needsReliableTransport at the RFC 3261 §18.1.1 1300-byte line", () => {
    expect(needsReliableTransport(1300)).toBe(false);
    expect(needsReliableTransport(1301)).toBe(true);
  });
  it("pickByLanguage falls back to the first body", () => {
    expect(pickByLanguage([{ lang: "de", text: "a" }, { text: "b" }], ["fr"])).toEqual({ lang: "de", text: "a" });
    expect(pickByLanguage([], ["fr"])).toBeUndefined();
  });
});
