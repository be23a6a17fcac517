// XEP-0106 JID escaping, applied to localparts only (XEP-0106 §2 req. 1).
//
// Escaping follows the §3.2 table and the §5.1 examples, which escape *every* backslash as \5c
// (c:\net → c\3a\5cnet). The §4.3 "Exceptions" text says foo\bar is left alone; the two disagree and
// we follow the examples because they make escaping injective, so unescape(escape(s)) === s always.
// Unescaping decodes only the ten listed sequences (§4.1 rule 3) and leaves anything else as is.

const ESCAPE: Readonly<Record<string, string>> = {
  " ": "\\20",
  '"': "\\22",
  "&": "\\26",
  "'": "\\27",
  "/": "\\2f",
  ":": "\\3a",
  "<": "\\3c",
  ">": "\\3e",
  "@": "\\40",
  "\\": "\\5c",
};

const UNESCAPE: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(ESCAPE).map(([c, e]) => [e.slice(1), c]));

const NEEDS_ESCAPE = /[ "&'/:<>@\\]/g;
// Case is significant (XEP-0106 §3.1): only lower-case hex is an escape.
const ESCAPED = /\\(20|22|26|27|2f|3a|3c|3e|40|5c)/g;

/** The nine characters RFC 7622 §3.3.1 forbids in a localpart, plus space (PRECIS forbids it). */
export const FORBIDDEN_IN_LOCALPART = /[ "&'/:<>@]/u;

export function escapeLocalpart(unescaped: string): string {
  return unescaped.replace(NEEDS_ESCAPE, (c) => ESCAPE[c] ?? c);
}

export function unescapeLocalpart(escaped: string): string {
  return escaped.replace(ESCAPED, (_m, hex: string) => UNESCAPE[hex] ?? _m);
}

/** XEP-0106 §4.1 rule 6: \20 must not begin or end an escaped localpart. */
export function hasEdgeSpace(escaped: string): boolean {
  return escaped.startsWith("\\20") || escaped.endsWith("\\20");
}
