// DATA ONLY: SIP status codes ⇄ XMPP stanza errors, and the gateway's own error codes.
// `recalled: true` marks a row taken from memory of the RFC text because the RFC body could not be
// read in this environment (see docs/errors.md); such rows must be checked against RFC 7247 §7 (section numbers recalled too).
import type { GatewayErrorCode, XmppCondition, XmppErrorType, XmppStanzaError } from "../src/domain/errors.js";

export interface SipToXmppRow extends XmppStanzaError {
  readonly ref: string;
  readonly recalled: boolean;
}

export interface XmppToSipRow {
  readonly status: number;
  readonly ref: string;
  readonly recalled: boolean;
  readonly note?: string;
}

export interface SipStatusLine {
  readonly status: number;
  readonly reason: string;
  /** Seconds for a Retry-After header (RFC 3261 §20.33); absent when retrying is pointless. */
  readonly retryAfterS?: number;
}

export interface GatewayErrorRow {
  readonly sip: SipStatusLine;
  readonly xmpp: XmppStanzaError;
  readonly ref: string;
}

/**
 * RFC 6120 §8.3.3: the type each defined condition is used with in the RFC's examples
 * (recalled; corroborated by Smack's StanzaError CONDITION_TO_TYPE). Used when a row needs a type.
 */
export const xmppConditionDefaultType = {
  "bad-request": "modify",
  conflict: "cancel",
  "feature-not-implemented": "cancel",
  forbidden: "auth",
  gone: "cancel",
  "internal-server-error": "cancel",
  "item-not-found": "cancel",
  "jid-malformed": "modify",
  "not-acceptable": "modify",
  "not-allowed": "cancel",
  "not-authorized": "auth",
  "policy-violation": "modify",
  "recipient-unavailable": "wait",
  redirect: "modify",
  "registration-required": "auth",
  "remote-server-not-found": "cancel",
  "remote-server-timeout": "wait",
  "resource-constraint": "wait",
  "service-unavailable": "cancel",
  "subscription-required": "auth",
  "undefined-condition": "modify",
  "unexpected-request": "wait",
} as const satisfies Record<XmppCondition, XmppErrorType>;

const r7247 = (condition: XmppCondition, ref: string): SipToXmppRow => ({
  type: xmppConditionDefaultType[condition],
  condition,
  ref,
  recalled: true,
});

/** RFC 7247 §7.2: SIP response code → XMPP stanza error condition (3xx, 4xx, 5xx, 6xx tables). */
export const sipStatusToXmpp = {
  300: r7247("redirect", "RFC 7247 §7.2 (3xx)"),
  301: r7247("gone", "RFC 7247 §7.2 (3xx)"),
  302: r7247("redirect", "RFC 7247 §7.2 (3xx)"),
  305: r7247("redirect", "RFC 7247 §7.2 (3xx)"),
  380: r7247("not-acceptable", "RFC 7247 §7.2 (3xx)"),
  400: r7247("bad-request", "RFC 7247 §7.2 (4xx)"),
  401: r7247("not-authorized", "RFC 7247 §7.2 (4xx)"),
  402: r7247("bad-request", "RFC 7247 §7.2 (4xx): 402 is reserved in SIP"),
  403: r7247("forbidden", "RFC 7247 §7.2 (4xx)"),
  404: r7247("item-not-found", "RFC 7247 §7.2 (4xx)"),
  405: r7247("feature-not-implemented", "RFC 7247 §7.2 (4xx)"),
  406: r7247("not-acceptable", "RFC 7247 §7.2 (4xx)"),
  407: r7247("not-authorized", "RFC 7247 §7.2 (4xx)"),
  408: r7247("remote-server-timeout", "RFC 7247 §7.2 (4xx)"),
  410: r7247("gone", "RFC 7247 §7.2 (4xx)"),
  413: r7247("policy-violation", "RFC 7247 §7.2 (4xx)"),
  414: r7247("jid-malformed", "RFC 7247 §7.2 (4xx)"),
  415: r7247("not-acceptable", "RFC 7247 §7.2 (4xx)"),
  416: r7247("jid-malformed", "RFC 7247 §7.2 (4xx)"),
  420: r7247("feature-not-implemented", "RFC 7247 §7.2 (4xx)"),
  421: r7247("not-acceptable", "RFC 7247 §7.2 (4xx)"),
  423: r7247("resource-constraint", "RFC 7247 §7.2 (4xx)"),
  480: r7247("recipient-unavailable", "RFC 7247 §7.2 (4xx)"),
  481: r7247("item-not-found", "RFC 7247 §7.2 (4xx)"),
  482: r7247("not-acceptable", "RFC 7247 §7.2 (4xx)"),
  483: r7247("not-acceptable", "RFC 7247 §7.2 (4xx)"),
  484: r7247("item-not-found", "RFC 7247 §7.2 (4xx)"),
  485: r7247("item-not-found", "RFC 7247 §7.2 (4xx)"),
  486: r7247("recipient-unavailable", "RFC 7247 §7.2 (4xx)"),
  488: r7247("not-acceptable", "RFC 7247 §7.2 (4xx)"),
  491: r7247("unexpected-request", "RFC 7247 §7.2 (4xx)"),
  500: r7247("internal-server-error", "RFC 7247 §7.2 (5xx)"),
  501: r7247("feature-not-implemented", "RFC 7247 §7.2 (5xx)"),
  502: r7247("remote-server-not-found", "RFC 7247 §7.2 (5xx)"),
  503: r7247("service-unavailable", "RFC 7247 §7.2 (5xx)"),
  504: r7247("remote-server-timeout", "RFC 7247 §7.2 (5xx)"),
  505: r7247("not-acceptable", "RFC 7247 §7.2 (5xx)"),
  513: r7247("policy-violation", "RFC 7247 §7.2 (5xx)"),
  600: r7247("service-unavailable", "RFC 7247 §7.2 (6xx)"),
  603: r7247("service-unavailable", "RFC 7247 §7.2 (6xx)"),
  604: r7247("item-not-found", "RFC 7247 §7.2 (6xx)"),
  606: r7247("not-acceptable", "RFC 7247 §7.2 (6xx)"),
} as const satisfies Record<number, SipToXmppRow>;

/**
 * RFC 3261 §8.1.3.2: an unrecognised final response is treated as the x00 code of its class, so an
 * unlisted code takes the row of its class's x00 code (e.g. 429 → 400 → bad-request).
 */
export const sipClassDefault = {
  3: 300,
  4: 400,
  5: 500,
  6: 600,
} as const satisfies Record<3 | 4 | 5 | 6, keyof typeof sipStatusToXmpp>;

const x7247 = (status: number, note?: string): XmppToSipRow =>
  note === undefined ? { status, ref: "RFC 7247 §7.1", recalled: true } : { status, ref: "RFC 7247 §7.1", recalled: true, note };

/** RFC 7247 §7.1: XMPP stanza error condition (all 22 of RFC 6120 §8.3.3) → SIP response code. */
export const xmppConditionToSip = {
  "bad-request": x7247(400),
  conflict: x7247(400),
  "feature-not-implemented": x7247(405),
  forbidden: x7247(403),
  gone: x7247(301, "permanent move: the caller adds Contact from the <gone/> address when it has one"),
  "internal-server-error": x7247(500),
  "item-not-found": x7247(404),
  "jid-malformed": x7247(400),
  "not-acceptable": x7247(406),
  "not-allowed": x7247(405),
  "not-authorized": x7247(401),
  "policy-violation": x7247(403),
  "recipient-unavailable": x7247(480),
  redirect: x7247(302, "temporary move: the caller adds Contact from the <redirect/> address when it has one"),
  "registration-required": x7247(400),
  "remote-server-not-found": x7247(404),
  "remote-server-timeout": x7247(408),
  "resource-constraint": x7247(500),
  "service-unavailable": x7247(503),
  "subscription-required": x7247(400),
  "undefined-condition": x7247(400),
  "unexpected-request": x7247(400, "RFC 7247 allows 491 or 400: 491 is used when the error type is 'wait'"),
} as const satisfies Record<XmppCondition, XmppToSipRow>;

/** RFC 7247 §7.1 "491 or 400": the alternative taken for <unexpected-request/> of type 'wait'. */
export const unexpectedRequestWaitStatus = 491;

/** RFC 3261 §21 (and RFC 6665 §8.3.2 for 489) reason phrases for every status the tables produce. */
export const sipReasonPhrase = {
  300: "Multiple Choices",
  301: "Moved Permanently",
  302: "Moved Temporarily",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  408: "Request Timeout",
  410: "Gone",
  413: "Request Entity Too Large",
  415: "Unsupported Media Type",
  480: "Temporarily Unavailable",
  484: "Address Incomplete",
  489: "Bad Event",
  491: "Request Pending",
  500: "Server Internal Error",
  501: "Not Implemented",
  503: "Service Unavailable",
  504: "Server Time-out",
} as const satisfies Record<number, string>;

const line = (status: keyof typeof sipReasonPhrase, retryAfterS?: number): SipStatusLine =>
  retryAfterS === undefined ? { status, reason: sipReasonPhrase[status] } : { status, reason: sipReasonPhrase[status], retryAfterS };
const xe = (type: XmppErrorType, condition: XmppCondition): XmppStanzaError => ({ type, condition });

/** The gateway's own error codes: one row each (the compiler rejects a missing or extra code). */
export const gatewayErrorMap = {
  malformedAddress: {
    sip: line(400),
    xmpp: xe("modify", "jid-malformed"),
    ref: "RFC 3261 §21.4.1; RFC 6120 §8.3.3.8; RFC 7247 §7.1 maps jid-malformed to 400",
  },
  incompleteAddress: {
    sip: line(484),
    xmpp: xe("modify", "jid-malformed"),
    ref: "RFC 3261 §21.4.22 (user part missing); RFC 6120 §8.3.3.8",
  },
  unknownDomain: {
    sip: line(404),
    xmpp: xe("cancel", "remote-server-not-found"),
    ref: "RFC 3261 §21.4.5 (domain not handled by the recipient); RFC 6120 §8.3.3.16",
  },
  unroutable: {
    sip: line(404),
    xmpp: xe("cancel", "item-not-found"),
    ref: "RFC 3261 §21.4.5; RFC 6120 §8.3.3.7: served domain, but no route in this direction",
  },
  spoofedOrigin: {
    sip: line(403),
    xmpp: xe("auth", "forbidden"),
    ref: "RFC 7247 Security Considerations (gateway must not relay a forged origin); RFC 3261 §21.4.4; RFC 6120 §8.3.3.4",
  },
  linkDown: {
    sip: line(503, 30),
    xmpp: xe("wait", "remote-server-timeout"),
    ref: "RFC 3261 §21.5.4 (503 + Retry-After); RFC 6120 §8.3.3.17",
  },
  bufferFull: {
    sip: line(503, 10),
    xmpp: xe("wait", "resource-constraint"),
    ref: "RFC 3261 §21.5.4; RFC 6120 §8.3.3.18 (lacks the system resources)",
  },
  rateLimited: {
    sip: line(503, 5),
    xmpp: xe("wait", "policy-violation"),
    ref: "RFC 3261 §21.5.4 (SIP's 429 means Provide Referrer Identity, not a rate limit); RFC 6120 §8.3.3.12 + §8.3.2 'wait'",
  },
  bodyTooLarge: {
    sip: line(413),
    xmpp: xe("modify", "policy-violation"),
    ref: "RFC 3261 §21.4.11; RFC 6120 §8.3.3.12; RFC 7247 §7.2 maps 413 to policy-violation",
  },
  unsupportedMediaType: {
    sip: line(415),
    xmpp: xe("cancel", "feature-not-implemented"),
    ref: "RFC 3261 §21.4.13; RFC 6120 §8.3.3.3 (the recipient does not implement what the stanza carries)",
  },
  malformedBody: {
    sip: line(400),
    xmpp: xe("modify", "bad-request"),
    ref: "RFC 3261 §21.4.1; RFC 6120 §8.3.3.1",
  },
  unknownEventPackage: {
    sip: line(489),
    xmpp: xe("cancel", "feature-not-implemented"),
    ref: "RFC 6665 §8.3.2 (489 Bad Event); RFC 6120 §8.3.3.3",
  },
  subscriptionLimit: {
    sip: line(403),
    xmpp: xe("cancel", "policy-violation"),
    ref: "RFC 3261 §21.4.4 (repeating will not help); RFC 6120 §8.3.3.12",
  },
  deliveryTimeout: {
    sip: line(408),
    xmpp: xe("wait", "remote-server-timeout"),
    ref: "RFC 3261 §21.4.8; RFC 6120 §8.3.3.17; RFC 7247 §7.2 maps 408 to remote-server-timeout",
  },
  internal: {
    sip: line(500),
    xmpp: xe("cancel", "internal-server-error"),
    ref: "RFC 3261 §21.5.1; RFC 6120 §8.3.3.6",
  },
} as const satisfies Record<GatewayErrorCode, GatewayErrorRow>;
