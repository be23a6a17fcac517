// Crypto-random identifiers: tags, Call-IDs, branches (RFC 3261 §19.3, §8.1.1.4, §8.1.1.7).
import { randomFillSync } from "node:crypto";
import { BRANCH_MAGIC_COOKIE } from "./via.js";

// One randomFillSync per 4 KiB instead of one per id: ids are minted on the hot path of every request.
const pool = Buffer.allocUnsafe(4096);
let offset = pool.length;

/** `bytes` crypto-random bytes as base64url, from a pooled buffer. */
export function randomToken(bytes: number): string {
  if (offset + bytes > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const s = pool.toString("base64url", offset, offset + bytes);
  offset += bytes;
  return s;
}

/** A From/To tag: 96 random bits (RFC 3261 §19.3 asks for at least 32), token characters only. */
export function newTag(): string {
  return randomToken(12);
}

/** A Call-ID `random@host` with 144 random bits (RFC 3261 §8.1.1.4: globally unique over time). */
export function newCallId(host: string): string {
  return `${randomToken(18)}@${host}`;
}

/** A branch with the RFC 3261 magic cookie and 120 random bits (unique per transaction, §8.1.1.7). */
export function newBranch(): string {
  return `${BRANCH_MAGIC_COOKIE}${randomToken(15)}`;
}
