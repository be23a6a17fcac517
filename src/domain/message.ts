// The protocol-neutral page-mode instant message (RFC 7572) that sits between the SIP MESSAGE side and
// the XMPP <message/> side. Addresses are kept as text here (SIP URI text or JID text); mapping one
// into the other is the address translator's job, not this module's.

/** XEP-0085 §2 chat states. RFC 3994 isComposing can express only composing/idle (mappings/chat-states.ts). */
export type ChatState = "active" | "composing" | "paused" | "inactive" | "gone";

/** XMPP message types that page mode can carry; "groupchat" never crosses page mode (RFC 7572 §4). */
export type ChatMessageType = "chat" | "normal" | "headline";

export interface LangText {
  /** BCP 47 language tag (xml:lang, Content-Language, CPIM ;lang=), when known. */
  readonly lang?: string;
  readonly text: string;
}

/** XEP-0184 request / ack, mirrored by RFC 5438 positive-delivery / <delivered/>. */
export type Receipt = { readonly request: true } | { readonly received: string };

/** XEP-0333 markable / displayed, mirrored by RFC 5438 display / <displayed/>. */
export type Marker = { readonly markable: true } | { readonly displayed: string };

/** RFC 5438 negative outcomes, carried back to XMPP as an error stanza by the caller. */
export interface DeliveryFailure {
  /** Id of the message that failed (XMPP id / imdn.Message-ID). */
  readonly id: string;
  readonly status: "failed" | "forbidden" | "error";
  readonly kind: "delivery" | "display";
}

export interface ChatMessage {
  /** XMPP stanza id or CPIM imdn.Message-ID; required whenever a receipt or marker is requested. */
  readonly id?: string;
  readonly from: string;
  readonly to: string;
  readonly type: ChatMessageType;
  readonly bodies: readonly LangText[];
  readonly subject?: readonly LangText[];
  readonly thread?: string;
  /** Sanitised XHTML-IM: the serialised `<body xmlns="http://www.w3.org/1999/xhtml">` element (XEP-0071). */
  readonly html?: string;
  readonly chatState?: ChatState;
  readonly receipt?: Receipt;
  readonly marker?: Marker;
  /** RFC 5438 failure notification (no XMPP equivalent element: the caller turns it into an error stanza). */
  readonly failure?: DeliveryFailure;
  /** CPIM DateTime (RFC 3862 §4.4); XEP-0203 <delay/> is the caller's business. */
  readonly sentAt?: Date;
}

/**
 * Why a message could not be translated, with its meaning on both sides: the SIP final response for
 * a refused MESSAGE and the XMPP stanza error for a refused <message/> (RFC 7247 §6 style pairing).
 */
export interface MessageError {
  readonly sip: { readonly status: number; readonly reason: string };
  readonly xmpp: {
    readonly type: "cancel" | "modify" | "wait" | "auth";
    readonly condition: "bad-request" | "feature-not-implemented" | "not-acceptable" | "policy-violation";
  };
  /** Human-readable detail, safe to put in a Warning header or an XMPP <text/>. */
  readonly detail: string;
  /** For 415: the Accept header value to send back (RFC 3261 §21.4.13). */
  readonly accept?: string;
}

export type Result<T, E> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

export function err<E>(error: E): { readonly ok: false; readonly error: E } {
  return { ok: false, error };
}

/** 400 with a precise reason phrase (RFC 3261 §21.4.1): the body or envelope is malformed. */
export function badRequest(detail: string): MessageError {
  return {
    sip: { status: 400, reason: detail },
    xmpp: { type: "modify", condition: "bad-request" },
    detail,
  };
}

/** 415 with an Accept list (RFC 3261 §21.4.13, RFC 3428 §7): we cannot render this body type. */
export function unsupportedMediaType(detail: string, accept: string): MessageError {
  return {
    sip: { status: 415, reason: "Unsupported Media Type" },
    xmpp: { type: "cancel", condition: "feature-not-implemented" },
    detail,
    accept,
  };
}

/** Something page mode cannot carry (e.g. groupchat, RFC 7572 §4): 488/not-acceptable. */
export function notAcceptable(detail: string): MessageError {
  return {
    sip: { status: 488, reason: "Not Acceptable Here" },
    xmpp: { type: "cancel", condition: "not-acceptable" },
    detail,
  };
}
