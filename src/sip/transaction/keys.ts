// Transaction matching keys (RFC 3261 §17.1.3 client side, §17.2.3 server side, §8.2.2.2 merged
// requests). Keys are flat strings so every lookup is one Map access, whatever the number of live
// transactions.
import type { SipMessage, SipRequest, SipResponse, Via } from "../message/types.js";
import { getTag, parseCSeq, parseVia } from "./message-api.js";

/** RFC 3261 §8.1.1.7: branches starting with this were built by an RFC 3261 element. */
export const MAGIC_COOKIE = "z9hG4bK";

function topViaOf(msg: SipMessage): Via | null {
  const raw = msg.headers.get("via");
  return raw === undefined ? null : parseVia(raw);
}

/**
 * A key built from slices of a parsed message is, in V8, a tree of concatenated and sliced strings
 * that keeps the message's whole header text reachable. Server keys and merge keys live as long as
 * Timer J (64·T1 = 32 s on UDP: ~160k of them at 5000 MESSAGE/s), so they are flattened into one
 * fresh string: reading a character of a concatenated string makes V8 flatten it in place, after
 * which the slices and the header text can be collected (bench/sip-tx-heap.ts:
 * 1255 → 554 bytes of heap per live UDP transaction). Every key below is a template of several parts.
 */
function flat(key: string): string {
  key.charCodeAt(0);
  return key;
}

/** §17.1.3: branch of the top Via + CSeq method (a CANCEL's transaction is distinct from its INVITE's). */
export function clientKey(branch: string, method: string): string {
  return `${branch}\u0000${method}`;
}

export function clientKeyOfResponse(res: SipResponse): string | undefined {
  const via = topViaOf(res);
  const branch = via?.params.get("branch");
  const cseqRaw = res.headers.get("cseq");
  const cseq = cseqRaw === undefined ? null : parseCSeq(cseqRaw);
  if (!branch || cseq === null) return undefined;
  return clientKey(branch, cseq.method);
}

/**
 * §17.2.3 server key of a request. `asMethod` lets ACK and CANCEL look up the INVITE transaction
 * they belong to (ACK matches INVITE in §17.2.3; CANCEL in §9.2 uses the same rules with method INVITE).
 * Magic-cookie branches: branch + sent-by + method. Older branches (RFC 2543 fallback): Request-URI,
 * From tag, Call-ID, CSeq number, top Via and method; the To tag is left out for INVITE/ACK/CANCEL,
 * because the ACK of a non-2xx carries the tag our response added while the INVITE had none.
 */
export function serverKey(req: SipRequest, asMethod: string = req.method): string | undefined {
  const raw = req.headers.get("via");
  if (raw === undefined) return undefined;
  const via = parseVia(raw);
  if (via === null) return undefined;
  const branch = via.params.get("branch");
  if (branch && branch.startsWith(MAGIC_COOKIE)) {
    return flat(`${branch}\u0000${via.host}:${via.port ?? ""}\u0000${asMethod}`);
  }
  const cseq = parseCSeq(req.headers.get("cseq") ?? "");
  if (cseq === null) return undefined;
  const fromTag = getTag(req.headers.get("from") ?? "") ?? "";
  const inviteFamily = asMethod === "INVITE";
  const toTag = inviteFamily ? "" : getTag(req.headers.get("to") ?? "") ?? "";
  return flat(`2543\u0000${req.uri}\u0000${fromTag}\u0000${toTag}\u0000${req.headers.get("call-id") ?? ""}\u0000${cseq.seq}\u0000${raw}\u0000${asMethod}`);
}

/**
 * §8.2.2.2: a request with no To tag whose From tag, Call-ID and CSeq equal those of a request
 * in progress, but which does not match that transaction, arrived over another path (a fork) and is
 * answered 482. Undefined when the request has a To tag (in-dialog) or lacks the headers.
 */
export function mergeKey(req: SipRequest): string | undefined {
  if (req.method === "ACK" || req.method === "CANCEL") return undefined;
  if (getTag(req.headers.get("to") ?? "") !== undefined) return undefined;
  const fromTag = getTag(req.headers.get("from") ?? "");
  const callId = req.headers.get("call-id");
  const cseq = req.headers.get("cseq");
  if (fromTag === undefined || callId === undefined || cseq === undefined) return undefined;
  return flat(`${fromTag}\u0000${callId}\u0000${cseq}`);
}
