// XMPP <message/> → neutral ChatMessage (RFC 6121 §5, XEP-0085, XEP-0184, XEP-0333, XEP-0071). Pure.
import { isElement, type Element } from "../xml.js";
import {
  badRequest, notAcceptable,
  type ChatMessage, type ChatMessageType, type ChatState, type LangText, type MessageError, type Result,
} from "../../domain/message.js";
import { xmppMessageTypes } from "../../../mappings/message-types.js";
import { XHTML_IM_NS, XHTML_NS } from "../../../mappings/message-xhtml-profile.js";
import { CHATSTATES_NS, MARKERS_NS, RECEIPTS_NS, STANZA_NAMESPACES } from "./namespaces.js";
import { sanitizeXhtmlBody } from "./xhtml-im.js";

const CHAT_STATES: ReadonlySet<string> = new Set<ChatState>(["active", "composing", "paused", "inactive", "gone"]);

export interface XmppParseOptions {
  /** Stream default language (RFC 6120 §4.7.4), applied where neither element nor stanza has xml:lang. */
  readonly defaultLang?: string;
  /** Preferred languages, to choose the XHTML-IM body when several are present. */
  readonly languages?: readonly string[];
}

/** Children in the stanza's own namespace; an unset one counts (xmpp.js detaches stanzas from the stream). */
function stanzaChildren(el: Element, name: string): Element[] {
  return el.children.filter((c): c is Element => {
    if (!isElement(c) || c.name !== name) return false;
    const ns = c.getNS();
    return ns === undefined || ns === "" || STANZA_NAMESPACES.has(ns);
  });
}

function langTexts(el: Element, name: string, inherited: string | undefined): LangText[] {
  return stanzaChildren(el, name).map((c) => {
    const lang = (c.attrs["xml:lang"] as string | undefined) ?? inherited;
    return lang === undefined || lang === "" ? { text: c.getText() } : { lang, text: c.getText() };
  });
}

function pickXhtml(html: Element, prefs: readonly string[]): Element | undefined {
  const bodies = html.getChildren("body", XHTML_NS);
  for (const p of prefs) {
    const hit = bodies.find((b) => String(b.attrs["xml:lang"] ?? "").toLowerCase() === p.toLowerCase());
    if (hit !== undefined) return hit;
  }
  return bodies[0];
}

export function parseXmppMessage(el: Element, opts: XmppParseOptions = {}): Result<ChatMessage, MessageError> {
  if (el.name !== "message") return { ok: false, error: badRequest("not a <message/> stanza") };
  const rawType = typeof el.attrs.type === "string" ? el.attrs.type : "normal"; // RFC 6121 §5.2.2 default
  // Quoted and cut: the value is the sender's, and the reason may become a SIP reason phrase or log field.
  if (!(rawType in xmppMessageTypes)) return { ok: false, error: badRequest(`unknown message type ${JSON.stringify(rawType.slice(0, 40))}`) };
  if (!xmppMessageTypes[rawType as keyof typeof xmppMessageTypes].pageMode) {
    return { ok: false, error: notAcceptable(`type=${rawType} is not carried by page-mode MESSAGE (RFC 7572)`) };
  }
  const from = el.attrs.from as unknown;
  const to = el.attrs.to as unknown;
  if (typeof from !== "string" || from === "" || typeof to !== "string" || to === "") {
    return { ok: false, error: badRequest("message without from or to") };
  }

  const inherited = (el.attrs["xml:lang"] as string | undefined) ?? opts.defaultLang;
  const draft: { -readonly [K in keyof ChatMessage]: ChatMessage[K] } = {
    from, to, type: rawType as ChatMessageType, bodies: langTexts(el, "body", inherited),
  };
  if (typeof el.attrs.id === "string" && el.attrs.id !== "") draft.id = el.attrs.id;
  const subject = langTexts(el, "subject", inherited);
  if (subject.length > 0) draft.subject = subject;
  const thread = stanzaChildren(el, "thread")[0]?.getText().trim();
  if (thread) draft.thread = thread;

  for (const c of el.children) {
    if (!isElement(c)) continue;
    const ns = c.getNS();
    if (ns === CHATSTATES_NS && CHAT_STATES.has(c.name)) {
      // XEP-0085 §5.5: at most one chat state child; a second one makes the stanza malformed.
      if (draft.chatState !== undefined) return { ok: false, error: badRequest("more than one chat state") };
      draft.chatState = c.name as ChatState;
    } else if (ns === RECEIPTS_NS && c.name === "request") {
      draft.receipt ??= { request: true };
    } else if (ns === RECEIPTS_NS && c.name === "received") {
      const id = c.attrs.id as unknown;
      // XEP-0184 §4: the ack MUST carry the id it echoes; one without is useless and dropped.
      if (typeof id === "string" && id !== "") draft.receipt = { received: id };
    } else if (ns === MARKERS_NS && c.name === "markable") {
      draft.marker ??= { markable: true };
    } else if (ns === MARKERS_NS && c.name === "displayed") {
      const id = c.attrs.id as unknown;
      if (typeof id === "string" && id !== "") draft.marker = { displayed: id };
    } else if (ns === XHTML_IM_NS && c.name === "html") {
      const body = pickXhtml(c, opts.languages ?? (inherited === undefined ? [] : [inherited]));
      const clean = body === undefined ? undefined : sanitizeXhtmlBody(body);
      if (clean !== undefined) draft.html = clean.toString();
    }
  }
  // XEP-0184 §5 / XEP-0333 §4: requests need an id to be answerable; without one they are ignored.
  if (draft.id === undefined) {
    if (draft.receipt !== undefined && "request" in draft.receipt) delete draft.receipt;
    if (draft.marker !== undefined && "markable" in draft.marker) delete draft.marker;
  }
  return { ok: true, value: draft };
}
