// The header container (types.ts SipHeaders) and the comma-splitting of list headers.
import type { SipHeaders } from "./types.js";
import { canonicalHeaderName, isListHeader } from "./header-names.js";

export { canonicalHeaderName, displayHeaderName, isListHeader, compactHeaderName } from "./header-names.js";

const EMPTY: readonly string[] = Object.freeze([]);
// The parser adds values under names it has already canonicalised: it reaches the map directly
// instead of paying a second name lookup per header line.
const MAP = Symbol("sip-headers-map");
type Internal = SipHeaders & { readonly [MAP]?: Map<string, string[]> };

/**
 * A header container. Values are stored per canonical name in wire order; `append` on a list header
 * stores the text as one element (split it yourself with splitHeaderList if it is a joined list).
 * Arrays returned by getAll are live until the next mutation of that header: copy to keep them.
 */
export function createHeaders(): SipHeaders {
  return wrap(new Map());
}

function wrap(map: Map<string, string[]>): SipHeaders {
  const headers: Internal = {
    [MAP]: map,
    get: (name) => map.get(canonicalHeaderName(name))?.[0],
    getAll: (name) => map.get(canonicalHeaderName(name)) ?? EMPTY,
    has: (name) => map.has(canonicalHeaderName(name)),
    set(name, value) {
      map.set(canonicalHeaderName(name), typeof value === "string" ? [value] : [...value]);
    },
    append(name, value) {
      const key = canonicalHeaderName(name);
      const values = map.get(key);
      if (values === undefined) map.set(key, [value]);
      else values.push(value);
    },
    prepend(name, value) {
      const key = canonicalHeaderName(name);
      const values = map.get(key);
      if (values === undefined) map.set(key, [value]);
      else values.unshift(value);
    },
    delete(name) {
      map.delete(canonicalHeaderName(name));
    },
    names: () => [...map.keys()],
    clone() {
      const copy = new Map<string, string[]>();
      for (const [k, v] of map) copy.set(k, v.slice());
      return wrap(copy);
    },
  };
  return headers;
}

function appendCanonical(headers: SipHeaders, name: string, value: string): void {
  const map = (headers as Internal)[MAP];
  if (map === undefined) return headers.append(name, value);
  const values = map.get(name);
  if (values === undefined) map.set(name, [value]);
  else values.push(value);
}

/**
 * Adds one header line's value as parsed from the wire: list headers are split into elements
 * (RFC 3261 §7.3.1: a comma-joined line is equivalent to several lines), others kept whole.
 * Returns false when a list value is malformed (unbalanced quotes or angle brackets).
 */
export function addWireHeader(headers: SipHeaders, canonicalName: string, value: string): boolean {
  if (!isListHeader(canonicalName)) {
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
