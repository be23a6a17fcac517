import { describe, it, expect } from "@jest/globals";
import fc from "fast-check";
import type { ChatMessage, ChatState, LangText } from "../../../src/domain/message.js";
import { buildXmppMessage } from "../../../src/xmpp/message/build.js";
import { serializeXmppMessage } from "../../../src/xmpp/message/serialize.js";
import { parseXmppMessage } from "../../../src/xmpp/message/parse.js";
import { parseXml } from "../../../src/xmpp/xml.js";
import { serializedStanza } from "../../../src/xmpp/transport/serialized-stanza.js";

// Hostile pieces: markup, entities, CDATA end, both quotes, C0 controls XML 1.0 forbids, DEL, C1,
// U+FFFE, a lone surrogate, astral-plane emoji (surrogate pairs), combining marks, RTL text.
const HOSTILE = ["<", ">", "&", "&amp;", "]]>", '"', "'", "\u0000", "\u0001", "\u000b", "\u001f", "\u007f", "\u0085",
  "\ufffe", "\ud800", "👋", "🏳️‍🌈", "e\u0301", "שלום", "\t", "\r\n", " ", "<body>", "</message>", "&#0;"];
const hostileText = fc.array(fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ unit: "binary", maxLength: 6 })), { maxLength: 8 })
  .map((parts) => parts.join(""));
const langText: fc.Arbitrary<LangText> = fc.record({
  lang: fc.option(fc.oneof(fc.constantFrom("en", "fr-CA", "zh-Hant-TW"), hostileText), { nil: undefined }),
  text: hostileText,
}).map((t) => (t.lang === undefined ? { text: t.text } : { lang: t.lang, text: t.text }));

const chat: fc.Arbitrary<ChatMessage> = fc.record({
  id: fc.option(hostileText, { nil: undefined }),
  from: hostileText,
  to: hostileText,
  type: fc.constantFrom<ChatMessage["type"]>("chat", "normal", "headline"),
  bodies: fc.array(langText, { maxLength: 3 }),
  subject: fc.option(fc.array(langText, { maxLength: 2 }), { nil: undefined }),
  thread: fc.option(hostileText, { nil: undefined }),
  html: fc.option(fc.constantFrom(
    `<body xmlns="http://www.w3.org/1999/xhtml"><p>hi <strong>there</strong> &amp; &lt;you&gt;</p></body>`,
    `<body xmlns="http://www.w3.org/1999/xhtml" xml:lang="fr"><p style="color: red" onclick="x()">a<script>b</script></p></body>`,
    `not xml <`,
  ), { nil: undefined }),
  chatState: fc.option(fc.constantFrom<ChatState>("active", "composing", "paused", "inactive", "gone"), { nil: undefined }),
  receipt: fc.option(fc.oneof(fc.constant({ request: true } as const), hostileText.map((received) => ({ received }))), { nil: undefined }),
  marker: fc.option(fc.oneof(fc.constant({ markable: true } as const), hostileText.map((displayed) => ({ displayed }))), { nil: undefined }),
}).map((c) => Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)) as unknown as ChatMessage);

describe("serializeXmppMessage", () => {
  it("writes the same bytes as the element path, for any message (hostile text included)", () => {
    fc.assert(fc.property(chat, (c) => {
      expect(serializeXmppMessage(c).xml).toBe(buildXmppMessage(c).toString());
    }), { numRuns: 3000 });
  });

  it.each<[string, ChatMessage]>([
    ["the RFC 7572 §5 example", { from: "romeo@example.net", to: "juliet@example.com", type: "chat", id: "x1", bodies: [{ text: "Neither, fair saint, if either thee dislike." }] }],
    ["markup and quotes everywhere", { from: `a"'<>&@x`, to: "b@y", type: "chat", id: `i"d'`, bodies: [{ lang: `e"n`, text: `<b>&amp;]]>"'` }], thread: "t<&>", subject: [{ text: "" }] }],
    ["an empty body and thread (self-closing, like ltx)", { from: "a@x", to: "b@y", type: "normal", bodies: [{ text: "" }], thread: "" }],
    ["a contentless chat state", { from: "a@x", to: "b@y", type: "chat", bodies: [], chatState: "composing" }],
    ["no children at all", { from: "a@x", to: "b@y", type: "chat", bodies: [] }],
    ["an ack never carries a request or markable", { from: "a@x", to: "b@y", type: "chat", id: "i", bodies: [], receipt: { received: "o&" }, marker: { markable: true } }],
    ["a request without an id is dropped (XEP-0184 §5)", { from: "a@x", to: "b@y", type: "chat", bodies: [{ text: "x" }], receipt: { request: true }, marker: { markable: true } }],
    ["astral-plane emoji and forbidden controls pass through as the element path writes them", { from: "a@x", to: "b@y", type: "chat", bodies: [{ text: "👋\u0000\u001f\ud800" }] }],
  ])("%s", (_name, c) => {
    const s = serializeXmppMessage(c);
    expect(s.xml).toBe(buildXmppMessage(c).toString());
    expect(s.from).toBe(c.from);
    expect(s.name).toBe("message");
  });

  it("escapes what would otherwise break the stanza", () => {
    const s = serializeXmppMessage({ from: "a@x", to: "b@y", type: "chat", id: `"><x/>`, bodies: [{ lang: "en'", text: "</body><evil/>&" }] });
    expect(s.xml).toBe(`<message from="a@x" to="b@y" type="chat" id="&quot;&gt;&lt;x/&gt;"><body xml:lang="en&apos;">&lt;/body&gt;&lt;evil/&gt;&amp;</body></message>`);
    // Parses back to the same message: nothing was injected.
    const back = parseXmppMessage(parseXml(s.xml));
    expect(back).toEqual({ ok: true, value: { from: "a@x", to: "b@y", type: "chat", id: `"><x/>`, bodies: [{ lang: "en'", text: "</body><evil/>&" }] } });
  });
});

describe("serializedStanza: the link's from is the text's own", () => {
  it("accepts text that opens with its from attribute, escaped as written", () => {
    expect(serializedStanza("message", "a&b@x.example", '<message from="a&amp;b@x.example" to="c@y"/>').from).toBe("a&b@x.example");
  });
  it("refuses text whose from attribute differs from the one the link would check", () => {
    expect(() => serializedStanza("message", "alice@sip.example", '<message from="mallory@evil.example" to="c@y"/>')).toThrow(/from attribute/);
    expect(() => serializedStanza("message", "alice@sip.example", '<message to="c@y" from="alice@sip.example"/>')).toThrow(/from attribute/);
    expect(() => serializedStanza("presence", "alice@sip.example", '<message from="alice@sip.example"/>')).toThrow(/from attribute/);
  });
});
