// RFC 7622 string preparation, approximated with the JS engine's Unicode property tables instead of
// the RFC 8264 derived-property table (no PRECIS library is available for Node); the approximation
// errs on the side of refusing. The bidi rule (RFC 8265 §3.3.3 step 4) is not applied.
import { failWith, ok } from "../domain/errors.js";
import type { Result } from "../domain/errors.js";

const MAX_PART_BYTES = 1023; // RFC 7622 §3.3.1, §3.4.1

const encoder = new TextEncoder();
const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;
const NONE: ReadonlySet<string> = new Set();
export function utf8Length(s: string): number {
  return PRINTABLE_ASCII.test(s) ? s.length : encoder.encode(s).length;
}

// RFC 8264 §9.1 LetterDigits (Ll Lu Lo Nd Lm Mn Mc) are PVALID in IdentifierClass, as is ASCII7 (§9.11).
const LETTER_DIGITS = /^[\p{Ll}\p{Lu}\p{Lo}\p{Nd}\p{Lm}\p{Mn}\p{Mc}]$/u;
// RFC 8264 §9.17 width mapping: fullwidth/halfwidth forms map to their decomposition.
const WIDE = /[\uFF01-\uFFEF]/gu;

/** RFC 8264 §9.11 ASCII7 printable, §9.1 LetterDigits, and not HasCompat (§9.17). */
function identifierClassAllows(cp: string, extra: ReadonlySet<string>): boolean {
  if (extra.has(cp)) return true;
  const code = cp.codePointAt(0) ?? 0;
  if (code >= 0x21 && code <= 0x7e) return true;
  if (code < 0x80) return false;
  if (cp.normalize("NFKC") !== cp) return false;
  return LETTER_DIGITS.test(cp);
}

/**
 * UsernameCaseMapped (RFC 8265 §3.3, used by RFC 7622 §3.3): width-map, toLowerCase, NFC, then every
 * code point must be in IdentifierClass. `extra` admits characters the caller will escape next
 * (XEP-0106 space), which PRECIS itself would refuse.
 */
export function prepareLocalpart(input: string, extra: ReadonlySet<string> = NONE): Result<string> {
  // Hot path: printable ASCII is already NFC, has no wide forms, and is all IdentifierClass.
  if (PRINTABLE_ASCII.test(input)) {
    if (utf8Length(input) > MAX_PART_BYTES) return failWith("malformedAddress", "localpart longer than 1023 octets");
    return ok(input.toLowerCase());
  }
  const mapped = input.replace(WIDE, (c) => c.normalize("NFKC")).toLowerCase().normalize("NFC");
  if (mapped.length === 0) return failWith("incompleteAddress", "empty localpart");
  for (const cp of mapped) {
    if (!identifierClassAllows(cp, extra)) {
      return failWith("malformedAddress", `localpart contains disallowed U+${(cp.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`);
    }
  }
  if (utf8Length(mapped) > MAX_PART_BYTES) return failWith("malformedAddress", "localpart longer than 1023 octets");
  return ok(mapped);
}

// FreeformClass (RFC 8264 §9.2) refuses controls, unassigned code points and lone surrogates.
const FREEFORM_DISALLOWED = /[\p{Cc}\p{Cn}\p{Cs}]/u;
const NON_ASCII_SPACE = /[\p{Zs}]/gu;

/** OpaqueString (RFC 8265 §4.2, used by RFC 7622 §3.4): spaces to U+0020, NFC, FreeformClass. */
export function prepareResource(input: string): Result<string> {
  const mapped = input.replace(NON_ASCII_SPACE, " ").normalize("NFC");
  if (mapped.length === 0) return failWith("malformedAddress", "empty resourcepart");
  if (FREEFORM_DISALLOWED.test(mapped)) return failWith("malformedAddress", "resourcepart contains a control or unassigned code point");
  if (utf8Length(mapped) > MAX_PART_BYTES) return failWith("malformedAddress", "resourcepart longer than 1023 octets");
  return ok(mapped);
}
