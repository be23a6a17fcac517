// Header checks every element needs before a message reaches the transaction layer.
import type { SipHeaders } from "./types.js";
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
  const vias = headers.getAll("via");
  if (vias.length === 0) return "Missing Via";
  for (const v of vias) if (!isVia(v)) return "Malformed Via";
  const single = checkSingle(headers, "from", "From") ?? checkSingle(headers, "to", "To")
    ?? checkSingle(headers, "call-id", "Call-ID") ?? checkSingle(headers, "cseq", "CSeq");
  if (single !== null) return single;
  if (!isNameAddr(headers.get("from")!)) return "Malformed From";
  if (!isNameAddr(headers.get("to")!)) return "Malformed To";
  if (!isCallId(headers.get("call-id")!)) return "Malformed Call-ID";
  const cseq = parseCSeq(headers.get("cseq")!);
  if (cseq === null) return "Malformed CSeq";
  // RFC 3261 §8.2 / RFC 4475 mismatch01, mismatch02: the CSeq method must equal the request's.
  if (method !== undefined && cseq.method !== method) return "CSeq Method Mismatch";
  if (method !== undefined) {
    const mf = headers.getAll("max-forwards");
    if (mf.length > 1) return "Multiple Max-Forwards";
    if (mf.length === 1 && parseDigits(mf[0]!) < 0) return "Malformed Max-Forwards";
  }
  for (const c of headers.getAll("contact")) if (!isNameAddr(c)) return "Malformed Contact";
  return null;
}

function checkSingle(headers: SipHeaders, name: string, display: string): string | null {
  const n = headers.getAll(name).length;
  return n === 0 ? `Missing ${display}` : n > 1 ? `Multiple ${display}` : null;
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
