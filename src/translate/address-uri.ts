// Just enough URI syntax for address mapping: sip:/sips: (RFC 3261 §19.1.1, §25.1) and the abstract
// pres:/im: schemes (RFC 3859, RFC 3860), percent-decoded strictly and encoded canonically.
import type { SipScheme } from "../domain/address.js";
import { failWith, ok } from "../domain/errors.js";
import type { Result } from "../domain/errors.js";

export interface ParsedSipUri {
  readonly scheme: SipScheme;
  /** Decoded user part; "" when the URI has none. */
  readonly user: string;
  /** Host as written (not yet canonical). */
  readonly host: string;
  /** Decoded `gr` value; "" for a bare `;gr` (RFC 5627 §3.2 temporary GRUU); absent without `gr`. */
  readonly gr?: string;
}

const SCHEMES: ReadonlySet<string> = new Set(["sip", "sips", "pres", "im"]);
const fatalUtf8 = new TextDecoder("utf-8", { fatal: true });
const utf8 = new TextEncoder();

/** RFC 3986 §2.1 decoding; a '%' not followed by two hex digits or invalid UTF-8 is refused. */
export function percentDecode(s: string): Result<string> {
  if (!s.includes("%")) return ok(s);
  const bytes: number[] = [];
  for (let i = 0; i < s.length; ) {
    const ch = s.charCodeAt(i);
    if (ch === 0x25) {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return failWith("malformedAddress", `bad percent escape at offset ${i}`);
      bytes.push(parseInt(hex, 16));
      i += 3;
    } else {
      const cp = s.codePointAt(i) ?? 0;
      const enc = utf8.encode(String.fromCodePoint(cp));
      for (const b of enc) bytes.push(b);
      i += cp > 0xffff ? 2 : 1;
    }
  }
  try {
    return ok(fatalUtf8.decode(Uint8Array.from(bytes)));
  } catch (cause) {
    return failWith("malformedAddress", "percent escapes do not form UTF-8", cause);
  }
}

// RFC 3261 §25.1: user = 1*( unreserved / escaped / user-unreserved ). ';' and '?' are
// user-unreserved too, but are escaped anyway: COMPAT(several SIP stacks) split params before '@'.
const USER_SAFE = /[A-Za-z0-9\-_.!~*'()&=+$,/]/;
// RFC 3261 §25.1: paramchar = param-unreserved / unreserved / escaped.
const PARAM_SAFE = /[A-Za-z0-9\-_.!~*'()[\]/:&+$]/;

function percentEncode(s: string, safe: RegExp): string {
  let out = "";
  for (const ch of s) {
    if (safe.test(ch)) {
      out += ch;
      continue;
    }
    for (const b of utf8.encode(ch)) out += "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

export const encodeUser = (user: string): string => percentEncode(user, USER_SAFE);
export const encodeParam = (value: string): string => percentEncode(value, PARAM_SAFE);

const CONTROL_OR_SPACE = /[\u0000-\u0020\u007f]/;

export function parseSipUri(uri: string): Result<ParsedSipUri> {
  if (CONTROL_OR_SPACE.test(uri)) return failWith("malformedAddress", "URI contains spaces or controls");
  const colon = uri.indexOf(":");
  const scheme = uri.slice(0, colon).toLowerCase();
  if (colon <= 0 || !SCHEMES.has(scheme)) return failWith("malformedAddress", `unsupported URI scheme in "${uri}"`);
  const rest = uri.slice(colon + 1);
  const at = rest.indexOf("@");
  // userinfo holds no unescaped '@' (RFC 3261 §25.1), nor do params or headers, so the first '@' splits.
  const userinfo = at >= 0 ? rest.slice(0, at) : "";
  const afterUser = at >= 0 ? rest.slice(at + 1) : rest;
  // RFC 3261 §19.1.1: the password is NOT RECOMMENDED and never part of an identity; it is dropped.
  const rawUser = scheme === "sip" || scheme === "sips" ? userinfo.split(":")[0] ?? "" : userinfo;
  const user = percentDecode(rawUser);
  if (!user.ok) return user;

  const query = afterUser.indexOf("?");
  const beforeHeaders = query >= 0 ? afterUser.slice(0, query) : afterUser;
  const [hostport = "", ...params] = beforeHeaders.split(";");
  if ((scheme === "pres" || scheme === "im") && params.length > 0) {
    return failWith("malformedAddress", `${scheme}: URIs carry no parameters (RFC 3859/3860)`);
  }
  const host = hostport.startsWith("[") ? hostport.slice(0, hostport.indexOf("]") + 1) : hostport.replace(/:\d{1,5}$/, "");
  if (host.length === 0) return failWith("malformedAddress", "URI has no host");

  let gr: string | undefined;
  for (const p of params) {
    const eq = p.indexOf("=");
    const name = (eq >= 0 ? p.slice(0, eq) : p).toLowerCase();
    if (name !== "gr") continue;
    const value = percentDecode(eq >= 0 ? p.slice(eq + 1) : "");
    if (!value.ok) return value;
    gr = value.value;
  }
  const scheme_ = scheme as SipScheme;
  return ok(gr === undefined ? { scheme: scheme_, user: user.value, host } : { scheme: scheme_, user: user.value, host, gr });
}

export function formatSipUri(parts: { readonly scheme: SipScheme; readonly user: string; readonly host: string; readonly gr?: string }): string {
  const user = parts.user.length > 0 ? `${encodeUser(parts.user)}@` : "";
  const gr = parts.gr === undefined ? "" : parts.gr.length === 0 ? ";gr" : `;gr=${encodeParam(parts.gr)}`;
  return `${parts.scheme}:${user}${parts.host}${gr}`;
}
