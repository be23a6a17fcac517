// Header checks every element needs before a message reaches the transaction layer.
import type { SipHeaders } from "./types.js";
import { valuesOf } from "./headers.js";
import { isVia } from "./via.js";
import { isNameAddr } from "./name-addr.js";
import { parseCSeq } from "./cseq.js";
import { parseDigits } from "./digits.js";

/**
 * RFC 3261 §8.1.1 / §8.2: To, From, CSeq, Call-ID and Via are mandatory in requests and responses.
 * Max-Forwards is also mandatory in requests but RFC 4475 §3.4 (inv2543) asks that RFC 2543
 * requests without it be accepted, so only a malformed one is refused. Returns the detail of the
 * first problem (for the "Bad Request - <detail>" phrase), or null.
 */
export function checkHeaders(headers: SipHeaders, method: string | undefined): string | null {
  const vias = valuesOf(headers, "via");
  if (vias.length === 0) return "Missing Via";
  for (const v of vias) if (!isVia(v)) return "Malformed Via";
  const from = valuesOf(headers, "from");
  const to = valuesOf(headers, "to");
  const callId = valuesOf(headers, "call-id");
  const cseqs = valuesOf(headers, "cseq");
  const single = count(from, "From") ?? count(to, "To") ?? count(callId, "Call-ID") ?? count(cseqs, "CSeq");
  if (single !== null) return single;
  if (!isNameAddr(from[0]!)) return "Malformed From";
  if (!isNameAddr(to[0]!)) return "Malformed To";
  if (!isCallId(callId[0]!)) return "Malformed Call-ID";
  const cseq = parseCSeq(cseqs[0]!);
  if (cseq === null) return "Malformed CSeq";
  // RFC 3261 §8.2 / RFC 4475 mismatch01, mismatch02: the CSeq method must equal the request's.
  if (method !== undefined && cseq.method !== method) return "CSeq Method Mismatch";
  if (method !== undefined) {
    const mf = valuesOf(headers, "max-forwards");
    if (mf.length > 1) return "Multiple Max-Forwards";
    if (mf.length === 1 && parseDigits(mf[0]!) < 0) return "Malformed Max-Forwards";
  }
  for (const c of valuesOf(headers, "contact")) if (!isNameAddr(c)) return "Malformed Contact";
  return null;
}

function count(values: readonly string[], display: string): string | null {
  return values.length === 0 ? `Missing ${display}` : values.length > 1 ? `Multiple ${display}` : null;
}

// callid = word [ "@" word ] (RFC 3261 §25.1): no whitespace, not empty.
function isCallId(v: string): boolean {
  if (v.length === 0) return false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f) return false;
  }
  return true;
}
