// IDN domains: SIP hosts travel as A-labels (RFC 3261 §19.1.2 host is ASCII), JID domainparts as
// U-labels (RFC 7622 §3.2.1), and both are compared in one canonical form: lower-case A-labels.
import { toASCII, toUnicode } from "tr46";
import type { DomainName } from "../domain/address.js";
import { failWith, ok } from "../domain/errors.js";
import type { Result } from "../domain/errors.js";

// Non-transitional IDNA2008-style processing (UTS #46), STD3 rules: letters, digits, hyphen only.
const IDNA = {
  checkBidi: true,
  checkHyphens: true,
  checkJoiners: true,
  useSTD3ASCIIRules: true,
  transitionalProcessing: false,
  verifyDNSLength: true,
} as const;

const cache = new Map<string, DomainName | null>();
const uLabels = new Map<DomainName, string>();
// Bounded: domains come from the network, so an attacker could otherwise grow the caches at will.
const CACHE_MAX = 10_000;

/** Any spelling of a domain (A- or U-labels, any case, trailing dot) → canonical A-label form. */
export function toDomainName(input: string): Result<DomainName> {
  const hit = cache.get(input);
  if (hit !== undefined) return hit === null ? failWith("malformedAddress", `invalid domain "${input}"`) : ok(hit);
  // RFC 7622 §3.2: a trailing dot is stripped before comparison.
  const trimmed = input.endsWith(".") ? input.slice(0, -1) : input;
  const ascii = trimmed.length === 0 || trimmed.startsWith("[") ? null : toASCII(trimmed, IDNA);
  // toASCII accepts xn-- labels without checking they decode to valid U-labels; round-trip to be sure.
  const valid = ascii !== null && !toUnicode(ascii, IDNA).error ? (ascii as DomainName) : null;
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(input, valid);
  return valid === null ? failWith("malformedAddress", `invalid domain "${input}"`) : ok(valid);
}

/** Canonical domain → the U-label spelling used in JIDs (RFC 7622 §3.2.1). */
export function toULabel(domain: DomainName): string {
  let u = uLabels.get(domain);
  if (u === undefined) {
    if (uLabels.size >= CACHE_MAX) uLabels.clear();
    u = toUnicode(domain, IDNA).domain;
    uLabels.set(domain, u);
  }
  return u;
}
