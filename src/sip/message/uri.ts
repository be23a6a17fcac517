// SIP, SIPS and tel URIs (RFC 3261 §19.1, §25.1; RFC 3966 for tel; RFC 5118 for IPv6 references).
import { isIPv6 } from "node:net";
import type { SipUri } from "./types.js";

const ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const UNRESERVED = ALNUM + "-_.!~*'()";

function charTable(chars: string): Uint8Array {
  const t = new Uint8Array(128);
  for (const c of chars) t[c.charCodeAt(0)] = 1;
  return t;
}
// RFC 3261 §25.1: what each URI component may carry unescaped; everything else is %HH-escaped.
const USER_CHARS = charTable(UNRESERVED + "&=+$,;?/");
const PASSWORD_CHARS = charTable(UNRESERVED + "&=+$,");
const PARAM_CHARS = charTable(UNRESERVED + "[]/:&+$");
const HEADER_CHARS = charTable(UNRESERVED + "[]/?:+$");
const HOST_CHARS = charTable(ALNUM + "-._"); // '_' is not in hostname; COMPAT(many UAs) sends it.

const utf8 = new TextDecoder("utf-8");

/** Percent-decodes; null on a malformed escape. Decoded bytes are read as UTF-8. */
export function percentDecode(s: string): string | null {
  if (s.indexOf("%") < 0) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      const h = parseHexByte(s, i + 1);
      if (h < 0) return null;
      bytes.push(h);
      i += 2;
    } else if (c < 0x80) bytes.push(c);
    else for (const b of Buffer.from(s[i]!, "utf8")) bytes.push(b);
  }
  return utf8.decode(Uint8Array.from(bytes));
}

function parseHexByte(s: string, i: number): number {
  if (i + 2 > s.length) return -1;
  const hi = hexValue(s.charCodeAt(i));
  const lo = hexValue(s.charCodeAt(i + 1));
  return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x57 : -1;
}

/** Escapes every UTF-8 byte not in `allowed` as %HH (uppercase hex, RFC 3986 §2.1). */
function percentEncode(s: string, allowed: Uint8Array): string {
  let plain = true;
  for (let i = 0; i < s.length && plain; i++) {
    const c = s.charCodeAt(i);
    plain = c < 128 && allowed[c] === 1;
  }
  if (plain) return s;
  let out = "";
  for (const b of Buffer.from(s, "utf8")) {
    out += b < 128 && allowed[b] === 1 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

function onlyChars(s: string, allowed: Uint8Array, from = 0, to = s.length): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25) continue; // escapes are checked by percentDecode
    if (c >= 128 || allowed[c] !== 1) return false;
  }
  return true;
}

/** The scheme of an absoluteURI (lowercased), or null when the text does not start with one. */
export function uriScheme(text: string): string | null {
  // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) (RFC 3261 §25.1, RFC 3986 §3.1)
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const alpha = (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a;
    if (c === 0x3a && i > 0) {
      const s = text.slice(0, i);
      return s === "sip" || s === "sips" || s === "tel" ? s : s.toLowerCase();
    }
    if (!alpha && (i === 0 || !((c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e))) return null;
  }
  return null;
}

/**
 * Parses a sip:, sips: or tel: URI; null for any other scheme or a syntax error. A tel: URI has
 * the telephone-subscriber in `user` and an empty `host`.
 */
export function parseUri(text: string): SipUri | null {
  const scheme = uriScheme(text);
  if (scheme === null) return null;
  if (scheme === "tel") return parseTel(text.slice(4));
  if (scheme !== "sip" && scheme !== "sips") return null;
  const parts: UriParts = { user: undefined, password: undefined, host: "", port: undefined, params: new Map(), headers: new Map() };
  return scanSipUri(text, scheme.length + 1, parts) < 0 ? null : { scheme, ...parts };
}

/**
 * Whether `text` is a well-formed sip:/sips: URI, and how many headers it carries (-1 when it is not
 * a SIP URI). Allocates nothing on the common path: the parser checks every Request-URI with it.
 */
export function sipUriHeaderCount(text: string): number {
  const from = text.startsWith("sip:") ? 4 : text.startsWith("sips:") ? 5 : -1;
  if (from < 0) {
    const scheme = uriScheme(text);
    if (scheme !== "sip" && scheme !== "sips") return -1;
    return sipUriHeaderCount(scheme + text.slice(scheme.length));
  }
  return scanSipUri(text, from, null);
}

interface UriParts {
  user: string | undefined;
  password: string | undefined;
  host: string;
  port: number | undefined;
  params: Map<string, string | null>;
  headers: Map<string, string>;
}

/**
 * Validates the part of a SIP URI after the scheme's colon, filling `out` when given. Returns the
 * number of URI headers, or -1 when malformed.
 */
function scanSipUri(rest: string, i: number, out: UriParts | null): number {
  const at = rest.indexOf("@", i);
  if (at >= 0) {
    const colon = rest.indexOf(":", i);
    const userEnd = colon >= 0 && colon < at ? colon : at;
    if (userEnd === i || !onlyChars(rest, USER_CHARS, i, userEnd)) return -1;
    if (!validEscapes(rest, i, userEnd)) return -1;
    if (userEnd < at && (!onlyChars(rest, PASSWORD_CHARS, userEnd + 1, at) || !validEscapes(rest, userEnd + 1, at))) return -1;
    if (out !== null) {
      out.user = percentDecode(rest.slice(i, userEnd))!;
      if (userEnd < at) out.password = percentDecode(rest.slice(userEnd + 1, at))!;
    }
    i = at + 1;
  }

  if (rest.charCodeAt(i) === 0x5b) {
    const close = rest.indexOf("]", i);
    if (close < 0) return -1;
    const host = rest.slice(i + 1, close);
    // RFC 5954 §4.1 (correcting RFC 3261, cf. RFC 5118 §4.10): the IPv6reference must be a well-formed
    // IPv6 address, so "2001:db8:::192.0.2.1" is refused.
    if (!isIPv6(host)) return -1;
    if (out !== null) out.host = host;
    i = close + 1;
  } else {
    const start = i;
    while (i < rest.length && rest.charCodeAt(i) < 128 && HOST_CHARS[rest.charCodeAt(i)] === 1) i++;
    if (i === start) return -1;
    if (out !== null) out.host = rest.slice(start, i);
  }

  if (rest.charCodeAt(i) === 0x3a) {
    const start = ++i;
    let port = 0;
    while (i < rest.length && rest.charCodeAt(i) >= 0x30 && rest.charCodeAt(i) <= 0x39) port = port * 10 + rest.charCodeAt(i++) - 0x30;
    if (i === start || i - start > 5 || port > 65535) return -1;
    if (out !== null) out.port = port;
  }

  while (rest.charCodeAt(i) === 0x3b) {
    const start = ++i;
    while (i < rest.length && rest.charCodeAt(i) !== 0x3b && rest.charCodeAt(i) !== 0x3f) i++;
    if (out === null) {
      if (!validPair(rest, start, i, PARAM_CHARS)) return -1;
      continue;
    }
    const kv = splitPair(rest.slice(start, i), PARAM_CHARS);
    if (kv === null) return -1;
    const name = kv[0].toLowerCase();
    if (!out.params.has(name)) out.params.set(name, kv[1]);
  }

  let headers = 0;
  if (rest.charCodeAt(i) === 0x3f) {
    for (const h of rest.slice(i + 1).split("&")) {
      const kv = splitPair(h, HEADER_CHARS);
      if (kv === null || kv[1] === null) return -1;
      out?.headers.set(kv[0], kv[1]);
      headers++;
    }
    i = rest.length;
  }
  return i === rest.length ? headers : -1;
}

/** `name[=value]` in s[from, to): non-empty name, allowed characters, well-formed escapes. */
function validPair(s: string, from: number, to: number, allowed: Uint8Array): boolean {
  const eq = s.indexOf("=", from);
  const nameEnd = eq >= 0 && eq < to ? eq : to;
  if (nameEnd === from || !onlyChars(s, allowed, from, nameEnd)) return false;
  if (nameEnd < to && !onlyChars(s, allowed, nameEnd + 1, to)) return false;
  return validEscapes(s, from, to);
}

/** Every '%' in s[from, to) starts a complete %HH escape. */
function validEscapes(s: string, from: number, to: number): boolean {
  for (let i = s.indexOf("%", from); i >= 0 && i < to; i = s.indexOf("%", i + 3)) {
    if (i + 3 > to || parseHexByte(s, i + 1) < 0) return false;
  }
  return true;
}

/** `name[=value]`, both percent-decoded; null when empty or malformed. */
function splitPair(s: string, allowed: Uint8Array): [string, string | null] | null {
  const eq = s.indexOf("=");
  const rawName = eq < 0 ? s : s.slice(0, eq);
  if (rawName.length === 0 || !onlyChars(rawName, allowed)) return null;
  const name = percentDecode(rawName);
  if (name === null) return null;
  if (eq < 0) return [name, null];
  if (!onlyChars(s, allowed, eq + 1)) return null;
  const value = percentDecode(s.slice(eq + 1));
  return value === null ? null : [name, value];
}

// RFC 3966 §3: telephone-subscriber *( ";" par ); the number keeps its visual separators.
function parseTel(rest: string): SipUri | null {
  const semi = rest.indexOf(";");
  const number = semi < 0 ? rest : rest.slice(0, semi);
  if (!/^(\+[0-9\-.()]*[0-9][0-9\-.()]*|[0-9A-Fa-f*#\-.()]*[0-9A-Fa-f*#][0-9A-Fa-f*#\-.()]*)$/.test(number)) return null;
  const params = new Map<string, string | null>();
  if (semi >= 0) {
    for (const p of rest.slice(semi + 1).split(";")) {
      const kv = splitPair(p, PARAM_CHARS);
      if (kv === null) return null;
      params.set(kv[0].toLowerCase(), kv[1]);
    }
  }
  return { scheme: "tel", user: number, host: "", params, headers: new Map() };
}

/** Serialises a URI, escaping what RFC 3261 §25.1 does not allow in each component. */
export function formatUri(u: SipUri): string {
  if (u.scheme === "tel") {
    let out = `tel:${u.user ?? ""}`;
    for (const [k, v] of u.params) out += v === null ? `;${k}` : `;${k}=${percentEncode(v, PARAM_CHARS)}`;
    return out;
  }
  let out = `${u.scheme}:`;
  if (u.user !== undefined) {
    out += percentEncode(u.user, USER_CHARS);
    if (u.password !== undefined) out += `:${percentEncode(u.password, PASSWORD_CHARS)}`;
    out += "@";
  }
  out += u.host.indexOf(":") >= 0 ? `[${u.host}]` : u.host;
  if (u.port !== undefined) out += `:${u.port}`;
  for (const [k, v] of u.params) {
    out += `;${percentEncode(k, PARAM_CHARS)}`;
    if (v !== null) out += `=${percentEncode(v, PARAM_CHARS)}`;
  }
  let sep = "?";
  for (const [k, v] of u.headers) {
    out += `${sep}${percentEncode(k, HEADER_CHARS)}=${percentEncode(v, HEADER_CHARS)}`;
    sep = "&";
  }
  return out;
}
