// CSeq header view (RFC 3261 §20.16).
import type { CSeq } from "./types.js";
import { isToken, skipWsp } from "./params.js";

/**
 * RFC 3261 §20.16: the number MUST be expressible as a 32-bit unsigned integer (UACs also keep it
 * below 2**31, §8.1.1.5, but a receiver accepts the full range).
 */
export const MAX_CSEQ = 2 ** 32 - 1;

/** `1*DIGIT LWS Method`; null when malformed or the number exceeds 2**32-1 (leading zeros are fine). */
export function parseCSeq(v: string): CSeq | null {
  let i = skipWsp(v, 0);
  const start = i;
  while (i < v.length && v.charCodeAt(i) >= 0x30 && v.charCodeAt(i) <= 0x39) i++;
  if (i === start) return null;
  const digits = v.slice(start, i);
  // Number() of a long digit string loses precision but stays > MAX_CSEQ, which is all we test.
  const seq = Number(digits);
  if (seq > MAX_CSEQ) return null;
  const afterDigits = i;
  i = skipWsp(v, i);
  if (i === afterDigits) return null;
  let end = v.length;
  while (end > i && (v.charCodeAt(end - 1) === 0x20 || v.charCodeAt(end - 1) === 0x09)) end--;
  const method = v.slice(i, end);
  if (!isToken(method)) return null;
  return { seq, method };
}

export function formatCSeq(c: CSeq): string {
  return `${c.seq} ${c.method}`;
}
