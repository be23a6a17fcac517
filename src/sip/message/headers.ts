// The header container (types.ts SipHeaders) and the comma-splitting of list headers.
import type { SipHeaders } from "./types.js";
import { canonicalHeaderName, isListHeader } from "./header-names.js";

export { canonicalHeaderName, displayHeaderName, isListHeader, compactHeaderName } from "./header-names.js";

const EMPTY: readonly string[] = Object.freeze([]);

/**
 * A header container. Values are stored per canonical name in wire order; `append` on a list header
 * stores the text as one element (split it yourself with splitHeaderList if it is a joined list).
 * Arrays returned by getAll are live until the next mutation of that header: copy to keep them.
 */
export function createHeaders(): SipHeaders {
  return new HeaderMap(new Map());
}

// A class rather than a record of closures: one is built per parsed message, and ten closures per
// message were a measurable share of the parse cost (bench/sip-parse.ts).
class HeaderMap implements SipHeaders {
  constructor(readonly map: Map<string, string[]>) {}

  get(name: string): string | undefined {
    return this.map.get(canonicalHeaderName(name))?.[0];
  }
  getAll(name: string): readonly string[] {
    return this.map.get(canonicalHeaderName(name)) ?? EMPTY;
  }
  has(name: string): boolean {
    return this.map.has(canonicalHeaderName(name));
  }
  set(name: string, value: string | readonly string[]): void {
    this.map.set(canonicalHeaderName(name), typeof value === "string" ? [value] : [...value]);
  }
  append(name: string, value: string): void {
    this.appendCanonical(canonicalHeaderName(name), value);
  }
  /** For names already canonical (the parser): skips the second name lookup. */
  appendCanonical(key: string, value: string): void {
    const values = this.map.get(key);
    if (values === undefined) this.map.set(key, [value]);
    else values.push(value);
  }
  prepend(name: string, value: string): void {
    const key = canonicalHeaderName(name);
    const values = this.map.get(key);
    if (values === undefined) this.map.set(key, [value]);
    else values.unshift(value);
  }
  delete(name: string): void {
    this.map.delete(canonicalHeaderName(name));
  }
  names(): readonly string[] {
    return [...this.map.keys()];
  }
  clone(): SipHeaders {
    const copy = new Map<string, string[]>();
    for (const [k, v] of this.map) copy.set(k, v.slice());
    return new HeaderMap(copy);
  }
}

/** getAll for a name already in canonical form (the parser's own checks): no name lookup. */
export function valuesOf(headers: SipHeaders, canonicalName: string): readonly string[] {
  return headers instanceof HeaderMap ? headers.map.get(canonicalName) ?? EMPTY : headers.getAll(canonicalName);
}

function appendCanonical(headers: SipHeaders, name: string, value: string): void {
  if (headers instanceof HeaderMap) headers.appendCanonical(name, value);
  else headers.append(name, value);
}

/**
 * Adds one header line's value as parsed from the wire: list headers are split into elements
 * (RFC 3261 §7.3.1: a comma-joined line is equivalent to several lines), others kept whole.
 * Returns false when a list value is malformed (unbalanced quotes or angle brackets).
 */
export function addWireHeader(headers: SipHeaders, canonicalName: string, value: string): boolean {
  // Without a comma there is nothing to split: only empty list values need the list check.
  if ((value.length > 0 && value.indexOf(",") < 0) || !isListHeader(canonicalName)) {
    appendCanonical(headers, canonicalName, value);
    return true;
  }
  if (value.indexOf(",") < 0) {
    if (value.length === 0) {
      if (!headers.has(canonicalName)) headers.set(canonicalName, EMPTY);
    } else appendCanonical(headers, canonicalName, value);
    return true;
  }
  const parts = splitHeaderList(value);
  if (parts === null) return false;
  if (parts.length === 0 && !headers.has(canonicalName)) headers.set(canonicalName, EMPTY);
  for (const part of parts) appendCanonical(headers, canonicalName, part);
  return true;
}

/**
 * Splits a `#element` header value on commas outside quoted strings and `<...>`, trimming each
 * element; empty elements are dropped (RFC 7230 §7 leniency, SIP's grammar has none). Returns null
 * for unbalanced quotes or angle brackets.
 */
export function splitHeaderList(value: string): string[] | null {
  const out: string[] = [];
  let start = 0;
  let inQuotes = false;
  let angle = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (inQuotes) {
      if (c === 0x5c) i++; // quoted-pair (RFC 3261 §25.1)
      else if (c === 0x22) inQuotes = false;
    } else if (c === 0x22) inQuotes = true;
    else if (c === 0x3c) {
      if (angle) return null;
      angle = true;
    } else if (c === 0x3e) {
      if (!angle) return null;
      angle = false;
    } else if (c === 0x2c && !angle) {
      pushTrimmed(out, value, start, i);
      start = i + 1;
    }
  }
  if (inQuotes || angle) return null;
  pushTrimmed(out, value, start, value.length);
  return out;
}

function pushTrimmed(out: string[], s: string, from: number, to: number): void {
  while (from < to && isWsp(s.charCodeAt(from))) from++;
  while (to > from && isWsp(s.charCodeAt(to - 1))) to--;
  if (to > from) out.push(s.slice(from, to));
}

export function isWsp(c: number): boolean {
  return c === 0x20 || c === 0x09;
}
