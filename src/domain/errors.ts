// The gateway's own failures as values. Each code has exactly one row in mappings/errors.ts that gives
// its SIP status and XMPP stanza error, so a handler never picks a status or condition by itself.

/** RFC 6120 §8.3.2: the five stanza error types. */
export type XmppErrorType = "auth" | "cancel" | "continue" | "modify" | "wait";

/** RFC 6120 §8.3.3.1–§8.3.3.22: the 22 defined stanza error conditions, in the RFC's order. */
export const XMPP_CONDITIONS = [
  "bad-request",
  "conflict",
  "feature-not-implemented",
  "forbidden",
  "gone",
  "internal-server-error",
  "item-not-found",
  "jid-malformed",
  "not-acceptable",
  "not-allowed",
  "not-authorized",
  "policy-violation",
  "recipient-unavailable",
  "redirect",
  "registration-required",
  "remote-server-not-found",
  "remote-server-timeout",
  "resource-constraint",
  "service-unavailable",
  "subscription-required",
  "undefined-condition",
  "unexpected-request",
] as const;

export type XmppCondition = (typeof XMPP_CONDITIONS)[number];

export interface XmppStanzaError {
  readonly type: XmppErrorType;
  readonly condition: XmppCondition;
}

export const GATEWAY_ERROR_CODES = [
  "malformedAddress",
  "incompleteAddress",
  "unknownDomain",
  "unroutable",
  "spoofedOrigin",
  "linkDown",
  "bufferFull",
  "rateLimited",
  "bodyTooLarge",
  "unsupportedMediaType",
  "malformedBody",
  "unknownEventPackage",
  "subscriptionLimit",
  "deliveryTimeout",
  "internal",
] as const;

export type GatewayErrorCode = (typeof GATEWAY_ERROR_CODES)[number];

export interface GatewayError {
  readonly code: GatewayErrorCode;
  /** Human-readable detail for logs and the XMPP <text/> / SIP reason suffix; never parsed. */
  readonly detail?: string;
  /** The underlying failure, kept for logs only. */
  readonly cause?: unknown;
  /** Overrides the table's Retry-After default when the caller knows better (e.g. a token bucket). */
  readonly retryAfterS?: number;
}

export type Result<T, E = GatewayError> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: E };

export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

export function fail<E = GatewayError>(error: E): { readonly ok: false; readonly error: E } {
  return { ok: false, error };
}

export function gatewayError(code: GatewayErrorCode, detail?: string, cause?: unknown): GatewayError {
  const err: { code: GatewayErrorCode; detail?: string; cause?: unknown } = { code };
  if (detail !== undefined) err.detail = detail;
  if (cause !== undefined) err.cause = cause;
  return err;
}

/** Shorthand for the common `return fail(gatewayError(…))`. */
export function failWith(code: GatewayErrorCode, detail?: string, cause?: unknown): { readonly ok: false; readonly error: GatewayError } {
  return fail(gatewayError(code, detail, cause));
}

export function isGatewayError(value: unknown): value is GatewayError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { code?: unknown }).code === "string" &&
    (GATEWAY_ERROR_CODES as readonly string[]).includes((value as { code: string }).code)
  );
}
