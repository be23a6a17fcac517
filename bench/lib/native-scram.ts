// The XMPP test clients (@xmpp/client 0.13 → sasl-scram-sha-1) compute SCRAM's Hi() in JavaScript, one
// create-hmac object per iteration: ~50 ms of CPU per login, in the bench process that also hosts the
// gateway. 200 logins at once then measure the test client, not the gateway or Prosody. Hi() is
// PBKDF2-HMAC-SHA-1 with dkLen = the hash length (RFC 5802 §2.2), so Node's native pbkdf2 computes the
// same bytes; a real device's client would not share a core with the gateway anyway.
import { pbkdf2Sync } from "node:crypto";
import { createRequire } from "node:module";

interface ScramBitops { Hi(text: string, salt: Uint8Array, iterations: number): Uint8Array }

/** Replaces sasl-scram-sha-1's Hi() with native PBKDF2 in this process (checked equal on a sample first). */
export function useNativeScram(): void {
  // The same module instance that @xmpp/sasl-scram-sha-1 requires (one copy in node_modules).
  const require = createRequire(import.meta.url);
  const bitops = require("sasl-scram-sha-1/lib/bitops.js") as ScramBitops;
  const js = bitops.Hi.bind(bitops);
  const native = (text: string, salt: Uint8Array, iterations: number) => new Uint8Array(pbkdf2Sync(text, salt, iterations, 20, "sha1"));
  // Guard: both must agree on a sample before the swap (RFC 5802 Hi vs PBKDF2).
  const salt = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
  if (Buffer.compare(Buffer.from(js("pencil", salt, 64)), Buffer.from(native("pencil", salt, 64))) !== 0) throw new Error("native PBKDF2 differs from sasl-scram-sha-1 Hi()");
  bitops.Hi = native;
}
