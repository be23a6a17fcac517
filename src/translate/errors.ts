// Pure look-ups over mappings/errors.ts: no status or condition is chosen here, only read.
import {
  gatewayErrorMap,
  sipClassDefault,
  sipReasonPhrase,
  sipStatusToXmpp,
  unexpectedRequestWaitStatus,
  xmppConditionToSip,
} from "../../mappings/errors.js";
import type { SipStatusLine, SipToXmppRow } from "../../mappings/errors.js";
import { XMPP_CONDITIONS } from "../domain/errors.js";
import type { GatewayError, XmppCondition, XmppErrorType, XmppStanzaError } from "../domain/errors.js";

const bySipStatus: ReadonlyMap<number, SipToXmppRow> = new Map(
  Object.entries(sipStatusToXmpp).map(([k, v]) => [Number(k), v] as const),
);
const conditions: ReadonlySet<string> = new Set(XMPP_CONDITIONS);

/**
 * RFC 7247 §7.2 for a SIP final error response (300–699). Codes missing from the table take their
 * class's x00 row (RFC 3261 §8.1.3.2). Returns null for 1xx/2xx and out-of-range values: not errors.
 */
export function sipStatusToXmppError(status: number): XmppStanzaError | null {
  if (!Number.isInteger(status) || status < 300 || status > 699) return null;
  const row = bySipStatus.get(status) ?? bySipStatus.get(sipClassDefault[Math.floor(status / 100) as 3 | 4 | 5 | 6]);
  return row === undefined ? null : { type: row.type, condition: row.condition };
}

function reasonFor(status: number): string {
  return (sipReasonPhrase as Readonly<Record<number, string>>)[status] ?? "Error";
}

/**
 * RFC 7247 §7.1. An unknown condition is handled as <undefined-condition/> (RFC 6120 §8.3.2: a
 * recipient treats an unrecognised condition as undefined). The type only matters for
 * <unexpected-request/>, which the RFC maps to "491 or 400".
 */
export function xmppErrorToSipStatus(condition: XmppCondition | string, type?: XmppErrorType): SipStatusLine {
  const known: XmppCondition = conditions.has(condition) ? (condition as XmppCondition) : "undefined-condition";
  const status =
    known === "unexpected-request" && type === "wait" ? unexpectedRequestWaitStatus : xmppConditionToSip[known].status;
  return { status, reason: reasonFor(status) };
}

/** The SIP final response for a gateway error; `retryAfterS` on the error overrides the table default. */
export function gatewayErrorToSip(err: GatewayError): SipStatusLine {
  const row = gatewayErrorMap[err.code].sip;
  const retryAfterS = err.retryAfterS ?? row.retryAfterS;
  return retryAfterS === undefined ? { status: row.status, reason: row.reason } : { status: row.status, reason: row.reason, retryAfterS };
}

export interface XmppErrorOut extends XmppStanzaError {
  /** RFC 6120 §8.3.2 <text/>: the error's detail, when it has one. */
  readonly text?: string;
}

export function gatewayErrorToXmpp(err: GatewayError): XmppErrorOut {
  const { type, condition } = gatewayErrorMap[err.code].xmpp;
  return err.detail === undefined ? { type, condition } : { type, condition, text: err.detail };
}
