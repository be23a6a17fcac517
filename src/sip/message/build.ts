// Building requests and responses (RFC 3261 §8.1.1, §8.2.6).
import type { SipHeaders, SipMethod, SipRequest, SipResponse } from "./types.js";
import { createHeaders } from "./headers.js";
import { getTag } from "./name-addr.js";
import { newTag } from "./ids.js";
import { reasonPhrase } from "./reason-phrases.js";

export type HeaderInit = Readonly<Record<string, string | readonly string[]>>;

export interface ResponseOptions {
  /** To tag to add when the request's To has none; a fresh one is minted when omitted (not for 100). */
  readonly toTag?: string;
  /** Extra headers; each replaces any copied value of the same name. */
  readonly headers?: HeaderInit;
  readonly body?: Uint8Array | string;
  readonly contentType?: string;
}

/**
 * A response to `req` per RFC 3261 §8.2.6: Via (all, in order), From, Call-ID and CSeq copied; To
 * copied and, unless it already has one or the status is 100, given a tag (§8.2.6.2); Timestamp
 * copied into a 100 (§8.2.6.1). Record-Route copying is left to the dialog layer (§12.1.1).
 */
export function createResponse(req: SipRequest, status: number, reason?: string, opts?: ResponseOptions): SipResponse {
  const headers = createHeaders();
  const vias = req.headers.getAll("via");
  if (vias.length > 0) headers.set("via", vias);
  for (const name of ["from", "to", "call-id", "cseq"]) {
    const v = req.headers.get(name);
    if (v !== undefined) headers.set(name, v);
  }
  const to = headers.get("to");
  if (to !== undefined && status > 100 && getTag(to) === undefined) {
    headers.set("to", `${to};tag=${opts?.toTag ?? newTag()}`);
  }
  if (status === 100) {
    const ts = req.headers.get("timestamp");
    if (ts !== undefined) headers.set("timestamp", ts);
  }
  const body = applyExtras(headers, opts);
  return { kind: "response", version: "SIP/2.0", status, reason: reason ?? reasonPhrase(status), headers, body };
}

export interface SipRequestInit {
  readonly method: SipMethod;
  readonly uri: string;
  readonly headers: HeaderInit | SipHeaders;
  readonly body?: Uint8Array | string;
  readonly contentType?: string;
}

/** A request from parts; Max-Forwards defaults to 70 (RFC 3261 §8.1.1.6). Via is the transport's. */
export function createRequest(init: SipRequestInit): SipRequest {
  const headers = isSipHeaders(init.headers) ? init.headers.clone() : createHeaders();
  if (!isSipHeaders(init.headers)) for (const [k, v] of Object.entries(init.headers)) headers.set(k, v);
  if (!headers.has("max-forwards")) headers.set("max-forwards", "70");
  const body = applyExtras(headers, { body: init.body, contentType: init.contentType });
  return { kind: "request", version: "SIP/2.0", method: init.method, uri: init.uri, headers, body };
}

function isSipHeaders(h: HeaderInit | SipHeaders): h is SipHeaders {
  return typeof (h as SipHeaders).getAll === "function" && typeof (h as SipHeaders).clone === "function";
}

function applyExtras(headers: SipHeaders, opts?: { headers?: HeaderInit; body?: Uint8Array | string | undefined; contentType?: string | undefined }): Uint8Array {
  if (opts?.headers !== undefined) for (const [k, v] of Object.entries(opts.headers)) headers.set(k, v);
  if (opts?.contentType !== undefined) headers.set("content-type", opts.contentType);
  const body = opts?.body;
  return body === undefined ? new Uint8Array(0) : typeof body === "string" ? Buffer.from(body, "utf8") : body;
}
