// Generic header parameters (RFC 3261 §25.1 generic-param) shared by Via, name-addr and others.
import { isWsp } from "./headers.js";

const TOKEN = new Uint8Array(128);
for (const c of "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~") TOKEN[c.charCodeAt(0)] = 1;
// gen-value = token / host / quoted-string: a host adds ':' and '[' ']' (IPv6 references).
const GEN_VALUE = TOKEN.slice();
for (const c of ":[]") GEN_VALUE[c.charCodeAt(0)] = 1;

export function isTokenChar(c: number): boolean {
  return c < 128 && TOKEN[c] === 1;
}

export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!isTokenChar(s.charCodeAt(i))) return false;
  return true;
}

export interface ParamsAt {
  readonly params: Map<string, string | null>;
  /** Index just after the last parameter (at a character that cannot continue the list, or the end). */
  readonly end: number;
}

export function skipWsp(s: string, i: number): number {
  while (i < s.length && isWsp(s.charCodeAt(i))) i++;
  return i;
}

/**
 * Reads `*( SEMI generic-param )` from `s` at `pos`. Names are lowercased; values are kept as written
 * (a quoted-string keeps its quotes: use unquote()), null for flags. Whitespace around ';' and '=' is
 * allowed (SEMI and EQUAL are SWS-delimited). A repeated name keeps its first value (RFC 3261 does
 * not define repeats; the first is what a top-down reader acts on). Returns null on a syntax error.
 */
export function parseParamsAt(s: string, pos: number): ParamsAt | null {
  const params = new Map<string, string | null>();
  const end = scanParams(s, pos, params);
  return end < 0 ? null : { params, end };
}

/**
 * The parameter-list scanner behind parseParamsAt: fills `into` when given (validation passes null
 * and allocates nothing). Returns the index after the list, or -1 on a syntax error.
 */
export function scanParams(s: string, pos: number, into: Map<string, string | null> | null): number {
  let i = skipWsp(s, pos);
  while (i < s.length && s.charCodeAt(i) === 0x3b) {
    i = skipWsp(s, i + 1);
    const nameStart = i;
    while (i < s.length && isTokenChar(s.charCodeAt(i))) i++;
    if (i === nameStart) return -1;
    const nameEnd = i;
    i = skipWsp(s, i);
    let valueStart = -1;
    let valueEnd = -1;
    if (i < s.length && s.charCodeAt(i) === 0x3d) {
      i = skipWsp(s, i + 1);
      valueStart = i;
      if (i < s.length && s.charCodeAt(i) === 0x22) {
        const close = quotedStringEnd(s, i);
        if (close < 0) return -1;
        i = close;
      } else {
        while (i < s.length) {
          const c = s.charCodeAt(i);
          if (c >= 128 || GEN_VALUE[c] !== 1) break;
          i++;
        }
        if (i === valueStart) return -1;
      }
      valueEnd = i;
      i = skipWsp(s, i);
    }
    if (into !== null) {
      const name = s.slice(nameStart, nameEnd).toLowerCase();
      if (!into.has(name)) into.set(name, valueStart < 0 ? null : s.slice(valueStart, valueEnd));
    }
  }
  return i;
}

/** `;a=b;c` → Map; null unless the whole text is a parameter list. */
export function parseParams(text: string): Map<string, string | null> | null {
  const r = parseParamsAt(text, 0);
  return r !== null && r.end === text.length ? r.params : null;
}

/** Index just past the closing quote of the quoted-string opening at `open`, or -1. */
export function quotedStringEnd(s: string, open: number): number {
  for (let i = open + 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x22) return i + 1;
  }
  return -1;
}

/** Removes the quotes and quoted-pair escapes of a quoted-string; other text is returned unchanged. */
export function unquote(v: string): string {
  if (v.length < 2 || v.charCodeAt(0) !== 0x22 || v.charCodeAt(v.length - 1) !== 0x22) return v;
  const inner = v.slice(1, -1);
  return inner.indexOf("\\") < 0 ? inner : inner.replace(/\\(.)/gs, "$1");
}

/** Quotes a string as a quoted-string, escaping '"' and '\\'. */
export function quote(v: string): string {
  return `"${v.replace(/["\\]/g, "\\$&")}"`;
}

/** `;name=value;flag` for a parameter map, in insertion order. */
export function formatParams(params: ReadonlyMap<string, string | null>): string {
  let out = "";
  for (const [k, v] of params) out += v === null ? `;${k}` : `;${k}=${v}`;
  return out;
}
