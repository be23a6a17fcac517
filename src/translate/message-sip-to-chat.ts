// SIP MESSAGE body and headers → neutral ChatMessage (RFC 7572 §5, RFC 3428, RFC 3862, RFC 3994,
// RFC 5438). Pure: no I/O, no clock; the caller checks identities and routes.
import {
  badRequest, unsupportedMediaType,
  type ChatMessage, type ChatMessageType, type LangText, type MessageError, type Result,
} from "../domain/message.js";
import { sipContentTypes, SIP_MESSAGE_ACCEPT } from "../../mappings/message-types.js";
import { isComposingToChatState } from "../../mappings/chat-states.js";
import { imdnStatusToXmpp, type ImdnStatusKey } from "../../mappings/message-receipts.js";
import { parseCpim } from "../simple/cpim/parse.js";
import type { CpimMessage } from "../simple/cpim/types.js";
import { parseIsComposing } from "../simple/iscomposing/iscomposing.js";
import { parseImdn } from "../simple/imdn/imdn.js";
import { imdnRequestOf } from "../simple/imdn/disposition.js";
import { decodeTextBody, parseMediaType, toXmlAttributeText, toXmlSafeText } from "./message-text.js";
import { htmlToChatParts } from "./message-html.js";

export interface SipMessageIn {
  /** Content-Type header value; RFC 3261 §20.15 makes it mandatory with a body. */
  readonly contentType: string | undefined;
  readonly body: Uint8Array;
  /** Envelope From URI (text, without display name). */
  readonly from: string;
  /** Envelope To / Request-URI (text). */
  readonly to: string;
  readonly subject?: string;
  readonly callId?: string;
  readonly contentLanguage?: string;
}

export interface SipToChatOptions {
  /** XMPP type for the result; RFC 7572 allows chat or normal for page mode. Default "chat". */
  readonly type?: ChatMessageType;
  /** RFC 7572 maps Call-ID ⇄ <thread/> (recalled): copy the Call-ID into the thread. Default false. */
  readonly threadFromCallId?: boolean;
}

export interface SipToChatResult {
  readonly message: ChatMessage;
  /**
   * Both identities, so the caller can enforce RFC 7247 §9 anti-spoofing: when a CPIM envelope was
   * unwrapped, `message.from` is the CPIM From, which must agree with the authenticated envelope.
   */
  readonly identity: { readonly envelopeFrom: string; readonly cpimFrom?: string; readonly envelopeTo: string; readonly cpimTo?: string };
}

type Draft = { -readonly [K in keyof ChatMessage]: ChatMessage[K] };

function fail(e: MessageError): { ok: false; error: MessageError } {
  return { ok: false, error: e };
}

/** Reads one non-CPIM body into the draft. `inCpim` limits recursion to one CPIM level. */
function readBody(draft: Draft, contentType: string | undefined, body: Uint8Array, lang: string | undefined): MessageError | undefined {
  if (contentType === undefined) {
    return body.length === 0 ? undefined : badRequest("MESSAGE with a body but no Content-Type");
  }
  const mt = parseMediaType(contentType);
  if (mt === undefined) return badRequest("malformed Content-Type");
  const row = sipContentTypes.get(mt.type);
  if (row === undefined) return unsupportedMediaType(`${mt.type} is not supported`, SIP_MESSAGE_ACCEPT);
  const withLang = (text: string): LangText => (lang === undefined ? { text } : { lang, text });
  switch (row.kind) {
    case "text": {
      const text = decodeTextBody(body, mt.params.get("charset"), SIP_MESSAGE_ACCEPT);
      if (!text.ok) return text.error;
      draft.bodies = text.value === "" ? [] : [withLang(text.value)];
      return undefined;
    }
    case "html": {
      const text = decodeTextBody(body, mt.params.get("charset"), SIP_MESSAGE_ACCEPT);
      if (!text.ok) return text.error;
      const parts = htmlToChatParts(text.value);
      draft.bodies = parts.text === "" ? [] : [withLang(toXmlSafeText(parts.text))];
      if (parts.html !== undefined) draft.html = parts.html;
      return undefined;
    }
    case "iscomposing": {
      const s = parseIsComposing(body);
      if (!s.ok) return badRequest(s.error.reason);
      draft.chatState = isComposingToChatState[s.value.state].toXmpp;
      return undefined;
    }
    case "imdn": {
      const n = parseImdn(body);
      if (!n.ok) return badRequest(n.error.reason);
      const key = `${n.value.notification.kind}/${n.value.notification.status}` as ImdnStatusKey;
      // An attribute of the receipt/marker (see toXmlAttributeText); XMPP ids it answers never hold TAB/LF/CR.
      const id = toXmlAttributeText(n.value.messageId);
      switch (imdnStatusToXmpp[key].xmpp) {
        case "received": draft.receipt = { received: id }; break;
        case "displayed": draft.marker = { displayed: id }; break;
        case "failure": {
          const status = n.value.notification.status as "failed" | "forbidden" | "error";
          draft.failure = { id, status, kind: n.value.notification.kind === "display" ? "display" : "delivery" };
          break;
        }
        case "none": break;
      }
      return undefined;
    }
    case "cpim":
      // RFC 3862 §2 allows nesting, but page mode never needs it; one level keeps the work bounded.
      return unsupportedMediaType("message/cpim nested in message/cpim", SIP_MESSAGE_ACCEPT);
  }
}

/** Applies the CPIM envelope: identities, DateTime, Subject, IMDN requests (RFC 5438 §5). */
function applyCpim(draft: Draft, cpim: CpimMessage): void {
  draft.from = cpim.from.uri;
  const to = cpim.to[0];
  if (to !== undefined) draft.to = to.uri;
  if (cpim.dateTime !== undefined) draft.sentAt = cpim.dateTime;
  if (cpim.subjects.length > 0) {
    draft.subject = cpim.subjects.map((s) => {
      const lang = languageTag(s.lang);
      return lang === undefined ? { text: toXmlSafeText(s.text) } : { lang, text: toXmlSafeText(s.text) };
    });
  }
  const req = imdnRequestOf(cpim);
  if (req.messageId === undefined) return;
  // RFC 3862 §3.6 escapes can put any code point in a header value; the id becomes an attribute.
  draft.id = toXmlAttributeText(req.messageId);
  // XEP-0184 §5 / XEP-0333 §4: a request needs an id, which imdn.Message-ID provides.
  if (req.dispositions.has("positive-delivery")) draft.receipt = { request: true };
  if (req.dispositions.has("display")) draft.marker = { markable: true };
}

// xml:lang holds a BCP 47 tag (XML 1.0 §2.12, RFC 5646 §2.1 shape); anything else (quotes, controls) is
// dropped rather than carried into the attribute.
const LANGUAGE_TAG = /^[A-Za-z0-9]{1,8}(?:-[A-Za-z0-9]{1,8})*$/;
const languageTag = (v: string | undefined): string | undefined => {
  const tag = v?.split(",")[0]?.trim();
  return tag !== undefined && LANGUAGE_TAG.test(tag) ? tag : undefined;
};

// RFC 3862 §4.7: a message that Requires a header we do not act on must not be processed.
const UNDERSTOOD = new Set(["imdn.message-id", "imdn.disposition-notification"]);

export function sipMessageToChat(msg: SipMessageIn, opts: SipToChatOptions = {}): Result<SipToChatResult, MessageError> {
  const draft: Draft = { from: msg.from, to: msg.to, type: opts.type ?? "chat", bodies: [] };
  if (msg.subject !== undefined && msg.subject.trim() !== "") draft.subject = [{ text: toXmlSafeText(msg.subject) }];
  if (opts.threadFromCallId === true && msg.callId !== undefined) draft.thread = toXmlSafeText(msg.callId);
  const lang = languageTag(msg.contentLanguage);

  const mt = msg.contentType === undefined ? undefined : parseMediaType(msg.contentType);
  let cpim: CpimMessage | undefined;
  if (mt?.type === "message/cpim") {
    const parsed = parseCpim(msg.body);
    if (!parsed.ok) return fail(badRequest(parsed.error.reason));
    cpim = parsed.value;
    const unknown = cpim.require.find((r) => !UNDERSTOOD.has(r.toLowerCase()));
    if (unknown !== undefined) return fail(badRequest(`CPIM: Require of unsupported header ${unknown}`));
    applyCpim(draft, cpim);
    const inner = cpim.contentHeaders.find((h) => h.name.toLowerCase() === "content-language")?.value;
    const e = readBody(draft, cpim.contentType, cpim.body, languageTag(inner) ?? lang);
    if (e !== undefined) return fail(e);
  } else {
    const e = readBody(draft, msg.contentType, msg.body, lang);
    if (e !== undefined) return fail(e);
  }

  const identity = {
    envelopeFrom: msg.from,
    envelopeTo: msg.to,
    ...(cpim === undefined ? {} : { cpimFrom: cpim.from.uri }),
    ...(cpim?.to[0] === undefined ? {} : { cpimTo: cpim.to[0].uri }),
  };
  return { ok: true, value: { message: draft, identity } };
}
