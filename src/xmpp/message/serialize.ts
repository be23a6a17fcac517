// Neutral ChatMessage → the XML text of its <message/>, written directly. The same stanza as
// buildXmppMessage(chat).toString(), byte for byte (test/unit/xmpp-message/serialize.test.ts checks it
// against the element path, hostile text included), without the element tree: the SIP MESSAGE path
// builds one stanza per request and serialized it at once, so the tree was only garbage.
// Escaping is ltx's (src/xmpp/xml-escape.ts). Characters XML 1.0 cannot carry are removed earlier,
// by the translator (src/translate/message-text.ts for text, message-sip-to-chat.ts for the id,
// thread and xml:lang).
import type { ChatMessage, LangText } from "../../domain/message.js";
import { XHTML_IM_NS } from "../../../mappings/message-xhtml-profile.js";
import { serializedStanza, type SerializedStanza } from "../transport/serialized-stanza.js";
import { xml } from "../xml.js";
import { escapeAttr, escapeText } from "../xml-escape.js";
import { CHATSTATES_NS, MARKERS_NS, RECEIPTS_NS } from "./namespaces.js";
import { parseXhtml } from "./xhtml-parse.js";
import { sanitizeXhtmlBody } from "./xhtml-im.js";

/** `<name xml:lang="…">text</name>`; empty text gives `<name/>` (ltx drops an empty text child). */
function langText(name: string, t: LangText): string {
  const open = t.lang === undefined ? `<${name}` : `<${name} xml:lang="${escapeAttr(t.lang)}"`;
  return t.text === "" ? `${open}/>` : `${open}>${escapeText(t.text)}</${name}>`;
}

export function serializeXmppMessage(chat: ChatMessage): SerializedStanza {
  let s = `<message from="${escapeAttr(chat.from)}" to="${escapeAttr(chat.to)}" type="${escapeAttr(chat.type)}"`;
  if (chat.id !== undefined) s += ` id="${escapeAttr(chat.id)}"`;
  let children = "";
  for (const t of chat.subject ?? []) children += langText("subject", t);
  for (const b of chat.bodies) children += langText("body", b);
  if (chat.thread !== undefined) children += chat.thread === "" ? "<thread/>" : `<thread>${escapeText(chat.thread)}</thread>`;
  if (chat.html !== undefined) {
    // Re-sanitised on the way out, as in buildXmppMessage; XHTML-IM is rare, so its tree stays.
    const parsed = parseXhtml(chat.html);
    const clean = parsed === undefined ? undefined : sanitizeXhtmlBody(parsed);
    if (clean !== undefined) children += xml("html", { xmlns: XHTML_IM_NS }, clean).toString();
  }
  if (chat.chatState !== undefined) children += `<${chat.chatState} xmlns="${CHATSTATES_NS}"/>`;
  const isAck = chat.receipt !== undefined && "received" in chat.receipt;
  if (chat.receipt !== undefined) {
    if ("received" in chat.receipt) children += `<received xmlns="${RECEIPTS_NS}" id="${escapeAttr(chat.receipt.received)}"/>`;
    // XEP-0184 §5: a request needs an id on the message (the ack echoes it).
    else if (chat.id !== undefined) children += `<request xmlns="${RECEIPTS_NS}"/>`;
  }
  if (chat.marker !== undefined) {
    if ("displayed" in chat.marker) children += `<displayed xmlns="${MARKERS_NS}" id="${escapeAttr(chat.marker.displayed)}"/>`;
    // XEP-0184 §5 forbids requests inside acks; the same loop guard applies to markers (XEP-0333 §4).
    else if (chat.id !== undefined && !isAck) children += `<markable xmlns="${MARKERS_NS}"/>`;
  }
  s += children === "" ? "/>" : `>${children}</message>`;
  return serializedStanza("message", chat.from, s);
}
