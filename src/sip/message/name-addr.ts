// name-addr / addr-spec with header parameters: From, To, Contact, Route, Refer-To ... (RFC 3261 §20, §25.1).
import type { NameAddr } from "./types.js";
import { formatParams, isTokenChar, quote, quotedStringEnd, scanParams, skipWsp, unquote } from "./params.js";
import { uriScheme } from "./uri.js";

/** Where the parts of a name-addr lie in its text (display name start < 0 when there is none). */
interface Layout {
  readonly nameStart: number;
  readonly nameEnd: number;
  readonly quoted: boolean;
  readonly uriStart: number;
  readonly uriEnd: number;
}

/**
 * Parses `[display-name] <URI> *(;param)`, `addr-spec *(;param)` or Contact's `*`. The display name
 * is returned unquoted (quoted-pairs resolved). The URI is only checked to be an absoluteURI without
 * whitespace: parse it with parseUri when needed. Returns null on a syntax error.
 */
export function parseNameAddr(v: string): NameAddr | null {
  const params = new Map<string, string | null>();
  const l = scanNameAddr(v, params);
  if (l === null) return null;
  const uri = v.slice(l.uriStart, l.uriEnd);
  if (l.nameStart < 0) return { uri, params };
  const raw = v.slice(l.nameStart, l.nameEnd);
  return { displayName: l.quoted ? unquote(raw) : raw, uri, params };
}

/** True when `v` is a well-formed name-addr / addr-spec with parameters; allocates no views. */
export function isNameAddr(v: string): boolean {
  return scanNameAddr(v, null) !== null;
}

function scanNameAddr(v: string, params: Map<string, string | null> | null): Layout | null {
  let i = skipWsp(v, 0);
  let nameStart = -1;
  let nameEnd = -1;
  let quoted = false;
  if (v.charCodeAt(i) === 0x2a) {
    const end = scanParams(v, i + 1, params);
    return end !== v.length ? null : { nameStart, nameEnd, quoted, uriStart: i, uriEnd: i + 1 };
  }
  if (v.charCodeAt(i) === 0x22) {
    const close = quotedStringEnd(v, i);
    if (close < 0) return null;
    nameStart = i;
    nameEnd = close;
    quoted = true;
    i = skipWsp(v, close);
    if (v.charCodeAt(i) !== 0x3c) return null;
  } else {
    const lt = v.indexOf("<", i);
    if (lt >= 0) {
      let e = lt;
      while (e > i && (v.charCodeAt(e - 1) === 0x20 || v.charCodeAt(e - 1) === 0x09)) e--;
      if (e > i) {
        if (!isUnquotedDisplayName(v, i, e)) return null;
        nameStart = i;
        nameEnd = e;
      }
      i = lt;
    }
  }
  let uriStart: number;
  let uriEnd: number;
  if (v.charCodeAt(i) === 0x3c) {
    const gt = v.indexOf(">", i);
    if (gt < 0) return null;
    uriStart = i + 1;
    uriEnd = gt;
    // RFC 3261 §25.1: LAQUOT/RAQUOT allow whitespace only outside the brackets (RFC 4475 badaspec).
    if (!isPlainUri(v, uriStart, uriEnd, false)) return null;
    i = gt + 1;
  } else {
    // addr-spec: RFC 3261 §20 — a URI with ',', '?' or ';' must be bracketed, so the first ';' starts
    // the header parameters and a '?' or ',' here is malformed (RFC 4475 regbadct).
    uriStart = i;
    while (i < v.length) {
      const c = v.charCodeAt(i);
      if (c === 0x3b || c === 0x20 || c === 0x09) break;
      i++;
    }
    uriEnd = i;
    if (!isPlainUri(v, uriStart, uriEnd, true)) return null;
  }
  if (scanParams(v, i, params) !== v.length) return null;
  return { nameStart, nameEnd, quoted, uriStart, uriEnd };
}

// display-name = *(token LWS): no quotes, commas, separators. COMPAT(many UAs): non-ASCII letters
// are accepted unquoted.
function isUnquotedDisplayName(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c < 128 && !isTokenChar(c)) return false;
  }
  return true;
}

/** An absoluteURI with no whitespace, quotes or angle brackets; an addr-spec also has no '?' or ','. */
function isPlainUri(s: string, from: number, to: number, addrSpec: boolean): boolean {
  if (!s.startsWith("sip:", from) && !s.startsWith("sips:", from) && !hasScheme(s, from, to)) return false;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c === 0x3c || c === 0x3e || c === 0x22 || c === 0x7f) return false;
    if (addrSpec && (c === 0x3f || c === 0x2c)) return false;
  }
  return true;
}

function hasScheme(s: string, from: number, to: number): boolean {
  const colon = s.indexOf(":", from);
  return colon > from && colon < to && uriScheme(s.slice(from, colon + 1)) !== null;
}

/** `"Display" <uri>;params` — always bracketed, so URI parameters never leak into header ones. */
export function formatNameAddr(na: NameAddr): string {
  if (na.uri === "*") return `*${formatParams(na.params)}`;
  const name = na.displayName === undefined || na.displayName.length === 0 ? "" : `${quote(na.displayName)} `;
  return `${name}<${na.uri}>${formatParams(na.params)}`;
}

/** The `tag` parameter of a From/To value, or undefined (absent, flag-only, or malformed value). */
export function getTag(headerValue: string): string | undefined {
  return parseNameAddr(headerValue)?.params.get("tag") ?? undefined;
}
