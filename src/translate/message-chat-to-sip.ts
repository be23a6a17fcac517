// Neutral ChatMessage → SIP MESSAGE body and headers (RFC 7572 §4, RFC 3428, RFC 3862, RFC 3994,
// RFC 5438). Pure apart from the optional id/clock sources in the options.
import { randomUUID } from "node:crypto";
import type { ChatMessage, LangText } from "../domain/message.js";
import { chatStateToIsComposing } from "../../mappings/chat-states.js";
import { xmppRequestToDispositions } from "../../mappings/message-receipts.js";
import { buildCpim } from "../simple/cpim/build.js";
import type { CpimInput } from "../simple/cpim/types.js";
import { buildIsComposing, ISCOMPOSING_CONTENT_TYPE, ISCOMPOSING_TIMERS } from "../simple/iscomposing/iscomposing.js";
import { buildImdn, IMDN_CONTENT_TYPE } from "../simple/imdn/imdn.js";
import { IMDN_CPIM_NS, IMDN_PREFIX, imdnRequestHeaders, type Disposition } from "../simple/imdn/disposition.js";
import { xhtmlToSipHtml } from "./message-html.js";

export interface ChatToSipOptions {
  /** Wrap in message/cpim (needed for IMDN, RFC 5438 §5; only for peers known to take it). */
  readonly cpim: boolean;
  /** RFC 7572 maps <thread/> ⇄ Call-ID (recalled): "header" puts it in Call-ID when it is a valid word. */
  readonly includeThread: "header" | "drop";
  /** Language preference for choosing among several <body xml:lang> (BCP 47, most preferred first). */
  readonly languages?: readonly string[];
  /** Send text/html (from sanitised XHTML-IM) instead of text/plain when the message has XHTML. */
  readonly preferHtml?: boolean;
  /** Clock for CPIM DateTime / IMDN datetime; defaults to now. */
  readonly now?: () => Date;
  /** Id for messages that need one and have none (IMDN notifications); defaults to a UUID. */
  readonly newId?: () => string;
}

export interface SipMessageOut {
  readonly contentType: string;
  readonly body: Uint8Array;
  /** Extra SIP headers, canonical lowercase names (subject, content-language, call-id). */
  readonly headers: Readonly<Record<string, string>>;
}

const encoder = new TextEncoder();
const TEXT_PLAIN = "text/plain;charset=UTF-8"; // RFC 7572: always label the charset (XMPP is UTF-8)
// RFC 3261 §25.1 `word`: what a Call-ID may be made of.
const CALL_ID_WORD = /^[A-Za-z0-9\-.!%*_+`'~()<>:\\"/[\]?{}]+(@[A-Za-z0-9\-.!%*_+`'~()<>:\\"/[\]?{}]+)?$/;

/**
 * Picks one body: RFC 7572 carries a single text/plain per MESSAGE. Decision: the best match for the
 * configured languages (exact tag, then primary subtag), else the first body; other languages are
 * dropped rather than sent as multipart/alternative, which few SIP UAs render.
 */
export function pickByLanguage(items: readonly LangText[], prefs: readonly string[] = []): LangText | undefined {
  for (const want of prefs.map((p) => p.toLowerCase())) {
    const exact = items.find((b) => b.lang?.toLowerCase() === want);
    if (exact !== undefined) return exact;
    const primary = want.split("-")[0];
    const loose = items.find((b) => b.lang?.toLowerCase().split("-")[0] === primary);
    if (loose !== undefined) return loose;
  }
  return items[0];
}

function headerSafe(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\x00-\x1f\x7f]+/g, " ").trim();
}

function dispositionsOf(chat: ChatMessage): Disposition[] {
  const out = new Set<Disposition>();
  if (chat.receipt !== undefined && "request" in chat.receipt) for (const d of xmppRequestToDispositions.receiptRequest.dispositions) out.add(d);
  if (chat.marker !== undefined && "markable" in chat.marker) for (const d of xmppRequestToDispositions.markable.dispositions) out.add(d);
  return [...out];
}

/** The payload (before optional CPIM wrapping), or undefined when there is nothing to send. */
function payloadOf(chat: ChatMessage, opts: ChatToSipOptions, when: Date): { type: string; body: Uint8Array; lang?: string; imdn: boolean } | undefined {
  if (chat.bodies.length > 0 || chat.html !== undefined) {
    const html = opts.preferHtml === true && chat.html !== undefined ? xhtmlToSipHtml(chat.html) : undefined;
    const chosen = pickByLanguage(chat.bodies, opts.languages);
    if (html !== undefined) return { type: "text/html;charset=UTF-8", body: encoder.encode(html), imdn: false, ...(chosen?.lang ? { lang: chosen.lang } : {}) };
    if (chosen === undefined) return undefined;
    return { type: TEXT_PLAIN, body: encoder.encode(chosen.text), imdn: false, ...(chosen.lang ? { lang: chosen.lang } : {}) };
  }
  // RFC 5438 §7: notifications travel as message/imdn+xml inside CPIM; without CPIM nothing is sent.
  const ackId = chat.receipt !== undefined && "received" in chat.receipt ? chat.receipt.received : undefined;
  const seenId = chat.marker !== undefined && "displayed" in chat.marker ? chat.marker.displayed : undefined;
  if (ackId !== undefined || seenId !== undefined) {
    if (!opts.cpim) return undefined;
    const body = buildImdn({
      messageId: (ackId ?? seenId) as string,
      dateTime: when,
      recipientUri: chat.from,
      originalRecipientUri: chat.from,
      notification: ackId !== undefined ? { kind: "delivery", status: "delivered" } : { kind: "display", status: "displayed" },
    });
    return { type: IMDN_CONTENT_TYPE, body, imdn: true };
  }
  if (chat.chatState !== undefined) {
    const sip = chatStateToIsComposing[chat.chatState].toSip;
    if (sip === null) return undefined;
    const s = sip === "active"
      ? buildIsComposing({ state: "active", contentType: "text/plain", refresh: ISCOMPOSING_TIMERS.defaultRefreshS })
      : buildIsComposing({ state: "idle", lastActive: when, contentType: "text/plain" });
    return { type: ISCOMPOSING_CONTENT_TYPE, body: s, imdn: false };
  }
  return undefined;
}

/** Returns undefined when the message has nothing a SIP peer can receive (e.g. <gone/>, bare ack without CPIM). */
export function chatToSipMessage(chat: ChatMessage, opts: ChatToSipOptions): SipMessageOut | undefined {
  const when = opts.now?.() ?? new Date();
  const payload = payloadOf(chat, opts, when);
  if (payload === undefined) return undefined;

  const headers: Record<string, string> = {};
  const subject = chat.subject === undefined ? undefined : pickByLanguage(chat.subject, opts.languages);
  if (subject !== undefined && headerSafe(subject.text) !== "") headers.subject = headerSafe(subject.text);
  if (payload.lang !== undefined && /^[A-Za-z0-9-]{1,35}$/.test(payload.lang)) headers["content-language"] = payload.lang;
  if (opts.includeThread === "header" && chat.thread !== undefined && CALL_ID_WORD.test(chat.thread)) headers["call-id"] = chat.thread;

  if (!opts.cpim) return { contentType: payload.type, body: payload.body, headers };

  const disps = payload.imdn ? [] : dispositionsOf(chat);
  const needsId = payload.imdn || disps.length > 0;
  const id = chat.id ?? (needsId ? (opts.newId ?? randomUUID)() : undefined);
  const input: CpimInput = {
    from: { uri: chat.from },
    to: [{ uri: chat.to }],
    dateTime: chat.sentAt ?? when,
    ...(chat.subject !== undefined && !payload.imdn ? { subjects: chat.subject } : {}),
    ...(id !== undefined && needsId
      ? { namespaces: [{ prefix: IMDN_PREFIX, uri: IMDN_CPIM_NS }], extra: imdnRequestHeaders(id, disps) }
      : {}),
    contentType: payload.type,
    // RFC 5438 §7.1.1: an IMDN body is marked Content-Disposition: notification.
    ...(payload.imdn ? { contentHeaders: [{ name: "Content-Disposition", value: "notification" }] } : {}),
    ...(payload.lang !== undefined ? { contentHeaders: [{ name: "Content-Language", value: payload.lang }] } : {}),
    body: payload.body,
  };
  return { contentType: "message/cpim", body: buildCpim(input), headers };
}

/**
 * RFC 3261 §18.1.1 (cited by RFC 3428 for MESSAGE): a request within 200 bytes of the path MTU, or
 * over 1300 bytes when the MTU is unknown, MUST go over a congestion-controlled transport (TCP/TLS).
 */
export function needsReliableTransport(bytes: number): boolean {
  return bytes > 1300;
}
