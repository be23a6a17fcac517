// Store failures as typed values. They are Error objects (stack traces survive catch-alls and pino),
// tagged with a kind and the GatewayError a handler answers with, so no caller inspects messages.
import { gatewayError, type GatewayError } from "../domain/errors.js";

/**
 * unavailable: the backend does not answer (down, reconnecting, timeout) — transient, retry later.
 * corrupt:     a stored record does not decode — a bug or a foreign writer; the record is skipped/left.
 * closed:      the store was closed by this process (shutdown in progress).
 */
export type StoreErrorKind = "unavailable" | "corrupt" | "closed";

export interface StoreError extends Error {
  readonly name: "StoreError";
  readonly kind: StoreErrorKind;
  /** What the gateway answers when a request fails because of this (SIP status / XMPP condition). */
  readonly gatewayError: GatewayError;
}

export function storeError(kind: StoreErrorKind, detail: string, cause?: unknown): StoreError {
  const err = new Error(`store ${kind}: ${detail}`, cause === undefined ? undefined : { cause });
  // A dependency that is down is a 503 + Retry-After / <wait/> (mappings/errors.ts linkDown), not a
  // 500: the request can succeed once Redis is back. Corrupt data and shutdown are internal errors.
  const gw = kind === "unavailable" ? gatewayError("linkDown", "state store unavailable", cause) : gatewayError("internal", `state store ${kind}`, cause);
  return Object.assign(err, { name: "StoreError" as const, kind, gatewayError: gw });
}

export function isStoreError(value: unknown): value is StoreError {
  return value instanceof Error && value.name === "StoreError" && typeof (value as { kind?: unknown }).kind === "string";
}
