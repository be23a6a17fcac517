// name-addr / addr-spec with header parameters: From, To, Contact, Route, Refer-To ... (RFC 3261 §20, §25.1).
import type { NameAddr } from "./types.js";
import { formatParams, isTokenChar, parseParamsAt, quote, quotedStringEnd, skipWsp, unquote } from "./params.js";
import { uriScheme } from "./uri.js";

/**
 * Parses `[display-name] <URI> *(;param)`, `addr-spec *(;param)` or Contact's `*`. The display name
 * is returned unquoted (quoted-pairs resolved). The URI is only checked to be an absoluteURI without
 * whitespace: parse it with parseUri when needed. Returns null on a syntax error.
 */
export function parseNameAddr(v: string): NameAddr | null {
  let i = skipWsp(v, 0);
  let displayName: string | undefined;
  let uri: string;
  if (v.charCodeAt(i) === 0x2a) {
    const p = parseParamsAt(v, i + 1);
    return p === null || p.end !== v.length ? null : { uri: "*", params: p.params };
  }
  if (v.charCodeAt(i) === 0x22) {
    const close = quotedStringEnd(v, i);
    if (close < 0) return null;
    displayName = unquote(v.slice(i, close));
    i = skipWsp(v, close);
    if (v.charCodeAt(i) !== 0x3c) return null;
  } else {
    const lt = v.indexOf("<", i);
    if (lt >= 0) {
      const name = v.slice(i, lt).trimEnd();
      if (name.length > 0) {
        if (!isUnquotedDisplayName(name)) return null;
        displayName = name;
      }
      i = lt;
    }
  }
  let end: number;
  if (v.charCodeAt(i) === 0x3c) {
    const gt = v.indexOf(">", i);
    if (gt < 0) return null;
    uri = v.slice(i + 1, gt);
    // RFC 3261 §25.1: LAQUOT/RAQUOT allow whitespace only outside the brackets (RFC 4475 badaspec).
    if (!isPlainUri(uri)) return null;
    end = gt + 1;
  } else {
    // addr-spec: RFC 3261 §20 — a URI with ',', '?' or ';' must be bracketed, so the first ';' starts
    // the header parameters and a '?' or ',' here is malformed (RFC 4475 regbadct).
    let j = i;
    while (j < v.length) {
      const c = v.charCodeAt(j);
      if (c === 0x3b || c === 0x20 || c === 0x09) break;
      j++;
    }
    uri = v.slice(i, j);
    if (!isPlainUri(uri) || uri.indexOf("?") >= 0 || uri.indexOf(",") >= 0) return null;
    end = j;
  }
  const p = parseParamsAt(v, end);
  if (p === null || p.end !== v.length) return null;
  return displayName === undefined ? { uri, params: p.params } : { displayName, uri, params: p.params };
}

// display-name = *(token LWS): no quotes, commas, separators. COMPAT(many UAs): non-ASCII letters
// are accepted unquoted.
function isUnquotedDisplayName(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c < 128 && !isTokenChar(c)) return false;
  }
  return true;
}

function isPlainUri(uri: string): boolean {
  if (!uri.startsWith("sip:") && !uri.startsWith("sips:") && uriScheme(uri) === null) return false;
  for (let i = 0; i < uri.length; i++) {
    const c = uri.charCodeAt(i);
    if (c <= 0x20 || c === 0x3c || c === 0x3e || c === 0x22 || c === 0x7f) return false;
  }
  return true;
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
