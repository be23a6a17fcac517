// Neutral ChatMessage → XMPP <message/> element, built with xml() (never string templates).
import { xml, type Element } from "../xml.js";
import type { ChatMessage } from "../../domain/message.js";
import { XHTML_IM_NS } from "../../../mappings/message-xhtml-profile.js";
import { CHATSTATES_NS, MARKERS_NS, RECEIPTS_NS } from "./namespaces.js";
import { parseXhtml } from "./xhtml-parse.js";
import { sanitizeXhtmlBody } from "./xhtml-im.js";

export function buildXmppMessage(chat: ChatMessage): Element {
  const attrs: Record<string, string> = { from: chat.from, to: chat.to, type: chat.type };
  if (chat.id !== undefined) attrs.id = chat.id;
  const msg = xml("message", attrs);
  for (const s of chat.subject ?? []) msg.append(xml("subject", s.lang === undefined ? {} : { "xml:lang": s.lang }, s.text));
  for (const b of chat.bodies) msg.append(xml("body", b.lang === undefined ? {} : { "xml:lang": b.lang }, b.text));
  if (chat.thread !== undefined) msg.append(xml("thread", {}, chat.thread));
  if (chat.html !== undefined) {
    // Re-sanitised on the way out: ChatMessage.html may come from any producer.
    const parsed = parseXhtml(chat.html);
    const clean = parsed === undefined ? undefined : sanitizeXhtmlBody(parsed);
    if (clean !== undefined) msg.append(xml("html", { xmlns: XHTML_IM_NS }, clean));
  }
  if (chat.chatState !== undefined) msg.append(xml(chat.chatState, { xmlns: CHATSTATES_NS }));
  const isAck = chat.receipt !== undefined && "received" in chat.receipt;
  if (chat.receipt !== undefined) {
    if ("received" in chat.receipt) msg.append(xml("received", { xmlns: RECEIPTS_NS, id: chat.receipt.received }));
    // XEP-0184 §5: a request needs an id on the message (the ack echoes it).
    else if (chat.id !== undefined) msg.append(xml("request", { xmlns: RECEIPTS_NS }));
  }
  if (chat.marker !== undefined) {
    if ("displayed" in chat.marker) msg.append(xml("displayed", { xmlns: MARKERS_NS, id: chat.marker.displayed }));
    // XEP-0184 §5 forbids requests inside acks; the same loop guard applies to markers (XEP-0333 §4).
    else if (chat.id !== undefined && !isAck) msg.append(xml("markable", { xmlns: MARKERS_NS }));
  }
  return msg;
}
