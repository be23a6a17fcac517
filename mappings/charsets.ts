// Charsets accepted in SIP text bodies, as data: IANA charset label (lowercase) → WHATWG decoder.
// XMPP is UTF-8 only (RFC 6120 §11.6), so every other charset is converted; one we cannot convert
// is refused with 415 and an Accept value listing what we take (RFC 3261 §21.4.13).
// Default when no charset is given: UTF-8 (RFC 3261 §7.4.1 for SIP text bodies; recalled, not read
// here). RFC 2046's US-ASCII default would turn every non-ASCII body into an error.

export interface CharsetRow {
  /** WHATWG Encoding label for TextDecoder, or "utf-16-bom" for RFC 2781 BOM detection. */
  readonly decoder: string;
  readonly ref: string;
}

export const sipCharsets: ReadonlyMap<string, CharsetRow> = new Map<string, CharsetRow>([
  ["utf-8", { decoder: "utf-8", ref: "RFC 3629; RFC 3428 §9 UAs must support UTF-8 (recalled)" }],
  ["utf8", { decoder: "utf-8", ref: "COMPAT: common misspelling of utf-8" }],
  // US-ASCII is a subset of UTF-8: decoding as UTF-8 keeps mislabelled UTF-8 readable and ASCII exact.
  ["us-ascii", { decoder: "utf-8", ref: "RFC 2046 §4.1.2 (subset of UTF-8)" }],
  ["ascii", { decoder: "utf-8", ref: "alias of US-ASCII" }],
  // WHATWG maps ISO-8859-1 to windows-1252 (identical except 0x80–0x9F, which are C1 controls in
  // ISO-8859-1 and would be stripped as non-characters anyway).
  ["iso-8859-1", { decoder: "windows-1252", ref: "WHATWG Encoding §4.2 label table" }],
  ["latin1", { decoder: "windows-1252", ref: "alias of ISO-8859-1" }],
  ["windows-1252", { decoder: "windows-1252", ref: "WHATWG Encoding" }],
  ["cp1252", { decoder: "windows-1252", ref: "alias of windows-1252" }],
  ["iso-8859-15", { decoder: "iso-8859-15", ref: "WHATWG Encoding" }],
  ["utf-16", { decoder: "utf-16-bom", ref: "RFC 2781 §4.3: BOM decides, big-endian without one" }],
  ["utf-16be", { decoder: "utf-16be", ref: "RFC 2781 §4.2" }],
  ["utf-16le", { decoder: "utf-16le", ref: "RFC 2781 §4.2" }],
]);

/** Accept-Charset style list for diagnostics and 415 responses. */
export const ACCEPTED_CHARSETS = "utf-8, us-ascii, iso-8859-1, windows-1252, iso-8859-15, utf-16";
