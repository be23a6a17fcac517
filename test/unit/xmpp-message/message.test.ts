import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { parseXml } from "../../../src/xmpp/xml.js";
import { parseXmppMessage } from "../../../src/xmpp/message/parse.js";
import { buildXmppMessage } from "../../../src/xmpp/message/build.js";
import type { ChatMessage, ChatState } from "../../../src/domain/message.js";
import { chatToSipMessage, sipMessageToChat } from "../../../src/translate/message.js";

function parsed(text: string): ChatMessage {
  const r = parseXmppMessage(parseXml(text));
  if (!r.ok) throw new Error(r.error.detail);
  return r.value;
}

describe("parseXmppMessage", () => {
  it("parses the RFC 7572 §4 example", () => {
    const m = parsed(`<message from='juliet@example.com/yn0cl4bnw0yr3vym' to='romeo@example.net' type='chat' xml:lang='en'>
      <body>Art thou not Romeo, and a Montague?</body></message>`);
    expect(m).toEqual({
      from: "juliet@example.com/yn0cl4bnw0yr3vym", to: "romeo@example.net", type: "chat",
      bodies: [{ lang: "en", text: "Art thou not Romeo, and a Montague?" }],
    });
  });

  it("parses the RFC 6121 §5.2 multi-language example with subject and thread", () => {
    const m = parsed(`<message xmlns='jabber:client' from='juliet@example.com/balcony' id='ktx72v49' to='romeo@example.net' type='chat' xml:lang='en'>
      <subject>I implore you!</subject><subject xml:lang='cs'>Úpěnlivě prosím!</subject>
      <body>Wherefore art thou, Romeo?</body><body xml:lang='cs'>Pročež jsi ty, Romeo?</body>
      <thread parent='e0ffe42b28561960c6b12b944a092794b9683a38'>0e3141cd80894871a68e6fe6b1ec56fa</thread></message>`);
    expect(m.id).toBe("ktx72v49");
    expect(m.subject).toEqual([{ lang: "en", text: "I implore you!" }, { lang: "cs", text: "Úpěnlivě prosím!" }]);
    expect(m.bodies).toEqual([{ lang: "en", text: "Wherefore art thou, Romeo?" }, { lang: "cs", text: "Pročež jsi ty, Romeo?" }]);
    expect(m.thread).toBe("0e3141cd80894871a68e6fe6b1ec56fa");
  });

  it("reads XEP-0085, XEP-0184, XEP-0333 and sanitised XEP-0071 payloads", () => {
    const m = parsed(`<message from='a@x/r' to='b@y' id='m1' type='chat'><body>hi</body>
      <active xmlns='http://jabber.org/protocol/chatstates'/>
      <request xmlns='urn:xmpp:receipts'/><markable xmlns='urn:xmpp:chat-markers:0'/>
      <html xmlns='http://jabber.org/protocol/xhtml-im'><body xmlns='http://www.w3.org/1999/xhtml'><p onclick='x'>hi<script>evil()</script></p></body></html></message>`);
    expect(m).toMatchObject({ chatState: "active", receipt: { request: true }, marker: { markable: true } });
    expect(m.html).toBe('<body xmlns="http://www.w3.org/1999/xhtml"><p>hi</p></body>');
  });

  it("reads acks", () => {
    expect(parsed(`<message from='a@x' to='b@y'><received xmlns='urn:xmpp:receipts' id='m1'/></message>`).receipt).toEqual({ received: "m1" });
    expect(parsed(`<message from='a@x' to='b@y'><displayed xmlns='urn:xmpp:chat-markers:0' id='m2'/></message>`).marker).toEqual({ displayed: "m2" });
  });

  it("defaults a missing type to normal and drops requests without an id", () => {
    const m = parsed(`<message from='a@x' to='b@y'><body>x</body><request xmlns='urn:xmpp:receipts'/></message>`);
    expect(m.type).toBe("normal");
    expect(m.receipt).toBeUndefined();
  });

  it.each([
    [`<message from='a@x' to='room@muc' type='groupchat'><body>x</body></message>`, 488, "not-acceptable"],
    [`<message from='a@x' to='b@y' type='error'><error type='cancel'/></message>`, 488, "not-acceptable"],
    [`<message to='b@y'><body>x</body></message>`, 400, "bad-request"],
    [`<message from='a@x' to='b@y' type='bogus'/>`, 400, "bad-request"],
    [`<message from='a@x' to='b@y'><composing xmlns='http://jabber.org/protocol/chatstates'/><paused xmlns='http://jabber.org/protocol/chatstates'/></message>`, 400, "bad-request"],
  ])("refuses %s", (text, status, condition) => {
    const r = parseXmppMessage(parseXml(text));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.sip.status).toBe(status);
      expect(r.error.xmpp.condition).toBe(condition);
    }
  });
});

describe("buildXmppMessage", () => {
  it("builds the RFC 7572 §5 example stanza", () => {
    const el = buildXmppMessage({ from: "romeo@example.net", to: "juliet@example.com", type: "chat", id: "x1", bodies: [{ text: "Neither, fair saint, if either thee dislike." }] });
    expect(el.toString()).toBe(`<message from="romeo@example.net" to="juliet@example.com" type="chat" id="x1"><body>Neither, fair saint, if either thee dislike.</body></message>`);
  });

  it("never puts a request or markable into an ack", () => {
    const el = buildXmppMessage({ from: "a@x", to: "b@y", type: "chat", id: "i", bodies: [], receipt: { received: "o" }, marker: { markable: true } });
    expect(el.toString()).toBe(`<message from="a@x" to="b@y" type="chat" id="i"><received xmlns="urn:xmpp:receipts" id="o"/></message>`);
  });

  it("build → parse round trip", () => {
    const lt = fc.record({ lang: fc.option(fc.constantFrom("en", "fr"), { nil: undefined }), text: fc.string({ maxLength: 20 }) })
      .map((b) => (b.lang === undefined ? { text: b.text } : { lang: b.lang, text: b.text }));
    const chat = fc.record({
      id: fc.stringMatching(/^[a-z0-9]{1,8}$/),
      type: fc.constantFrom("chat", "normal", "headline") as fc.Arbitrary<ChatMessage["type"]>,
      bodies: fc.array(lt, { maxLength: 3 }),
      thread: fc.option(fc.stringMatching(/^[a-f0-9]{4,12}$/), { nil: undefined }),
      chatState: fc.option(fc.constantFrom<ChatState>("active", "composing", "paused", "inactive", "gone"), { nil: undefined }),
      request: fc.boolean(),
    });
    fc.assert(fc.property(chat, (c) => {
      const msg: ChatMessage = {
        from: "a@x/r", to: "b@y", type: c.type, id: c.id, bodies: c.bodies,
        ...(c.thread === undefined ? {} : { thread: c.thread }),
        ...(c.chatState === undefined ? {} : { chatState: c.chatState }),
        ...(c.request ? { receipt: { request: true } as const } : {}),
      };
      const back = parseXmppMessage(parseXml(buildXmppMessage(msg).toString()));
      expect(back).toEqual({ ok: true, value: msg });
    }));
  });
});

describe("end to end: SIP MESSAGE → XMPP → SIP", () => {
  it("keeps the text, subject and receipt request through both translators", () => {
    const sip = sipMessageToChat({ contentType: "text/plain;charset=utf-8", body: new TextEncoder().encode("¿Qué tal? 👋"), from: "sip:a@s", to: "sip:b@x", subject: "s" });
    if (!sip.ok) throw new Error(sip.error.detail);
    const stanza = buildXmppMessage({ ...sip.value.message, id: "g1" });
    const back = parseXmppMessage(parseXml(stanza.toString()));
    if (!back.ok) throw new Error(back.error.detail);
    const out = chatToSipMessage(back.value, { cpim: false, includeThread: "drop" });
    expect(new TextDecoder().decode(out?.body)).toBe("¿Qué tal? 👋");
    expect(out?.headers.subject).toBe("s");
  });
});
