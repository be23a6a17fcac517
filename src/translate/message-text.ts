// Decoding SIP text bodies into XMPP-safe strings. Pure.
import { sipCharsets, ACCEPTED_CHARSETS } from "../../mappings/charsets.js";
import { badRequest, unsupportedMediaType, type MessageError, type Result } from "../domain/message.js";

export interface MediaType {
  /** "type/subtype", lowercased. */
  readonly type: string;
  /** Parameters, names lowercased, quotes removed. */
  readonly params: ReadonlyMap<string, string>;
}

const MEDIA_TYPE_MEMO_MAX = 256;
// The header text is the sender's: a 60 KB Content-Type fits a SIP message, and 256 of them kept with
// their parameter values pinned 15.5 MB (measured). Real values are short; longer ones are parsed, not kept.
const MEDIA_TYPE_MEMO_KEY_MAX = 256;
const mediaTypes = new Map<string, MediaType>();

/**
 * RFC 2045 §5.1 Content-Type; undefined when there is no type/subtype. Memoised per header text (a
 * gateway sees a handful of Content-Type values; the view is readonly), bounded by emptying when full.
 */
export function parseMediaType(value: string): MediaType | undefined {
  if (value.length > MEDIA_TYPE_MEMO_KEY_MAX) return parseMediaTypeText(value);
  let mt = mediaTypes.get(value);
  if (mt === undefined) {
    mt = parseMediaTypeText(value);
    if (mt === undefined) return undefined;
    if (mediaTypes.size >= MEDIA_TYPE_MEMO_MAX) mediaTypes.clear();
    mediaTypes.set(value, mt);
  }
  return mt;
}

function parseMediaTypeText(value: string): MediaType | undefined {
  const parts = value.split(";");
  const type = (parts.shift() ?? "").trim().toLowerCase();
  if (!/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(type)) return undefined;
  const params = new Map<string, string>();
  for (const p of parts) {
    const eq = p.indexOf("=");
    if (eq === -1) continue;
    let v = p.slice(eq + 1).trim();
    if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1).replace(/\\(.)/g, "$1");
    params.set(p.slice(0, eq).trim().toLowerCase(), v);
  }
  return { type, params };
}

// XML 1.0 §2.2 Char excludes C0 controls but TAB/LF/CR, U+FFFE/U+FFFF and lone surrogates.
// eslint-disable-next-line no-control-regex
const NON_XML = /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
// C1 controls (U+0080–U+009F) are legal XML but "discouraged" (XML 1.0 §2.2) and never meant as text.
const C1 = /[\x80-\x9f]/g;

/**
 * Removes what XML 1.0 cannot carry. Decision: strip rather than refuse, because a stray control
 * character (terminal escape, form feed) has no visible meaning and should not cost the message.
 */
export function toXmlSafeText(s: string): string {
  return s.replace(NON_XML, "").replace(C1, "");
}

/**
 * For a value that becomes an attribute (a stanza id): XML-safe, and TAB, LF and CR as the space a
 * receiving parser turns them into (XML 1.0 §3.3.3 attribute-value normalization). Otherwise an id
 * carrying them comes back in an error stanza changed, and the bounce no longer matches the message
 * it answers (the SIP sender would get 200 for a message that bounced).
 */
export function toXmlAttributeText(s: string): string {
  return toXmlSafeText(s).replace(/[\t\n\r]/g, " ");
}

// WHATWG windows-1252 for 0x80–0x9F (Encoding index-windows-1252). COMPAT(Node 20): its TextDecoder
// returns the C1 code points U+0080–U+009F for these bytes, as ISO-8859-1 would; remapped here.
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

function fixCp1252(text: string): string {
  return text.replace(/[\x80-\x9f]/g, (c) => String.fromCharCode(CP1252_HIGH[c.charCodeAt(0) - 0x80] ?? 0xfffd));
}

function decodeUtf16Bom(bytes: Uint8Array): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder("utf-16le", { fatal: true }).decode(bytes.subarray(2));
  const be = bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff ? bytes.subarray(2) : bytes;
  return new TextDecoder("utf-16be", { fatal: true }).decode(be);
}

// A fatal TextDecoder keeps no state between whole-buffer decode() calls: one per encoding serves all.
const decoders = new Map<string, InstanceType<typeof TextDecoder>>();
function decoderFor(encoding: string): InstanceType<typeof TextDecoder> {
  let d = decoders.get(encoding);
  if (d === undefined) {
    d = new TextDecoder(encoding, { fatal: true, ignoreBOM: false });
    decoders.set(encoding, d);
  }
  return d;
}

/** Decodes a text body in its declared charset; unknown charset → 415, undecodable bytes → 400. */
export function decodeTextBody(bytes: Uint8Array, charset: string | undefined, accept: string): Result<string, MessageError> {
  const label = (charset ?? "utf-8").trim().toLowerCase();
  const row = sipCharsets.get(label);
  if (row === undefined) {
    return { ok: false, error: { ...unsupportedMediaType(`charset ${label} is not supported (${ACCEPTED_CHARSETS})`, accept) } };
  }
  try {
    let text = row.decoder === "utf-16-bom"
      ? decodeUtf16Bom(bytes)
      : decoderFor(row.decoder).decode(bytes);
    if (row.decoder === "windows-1252") text = fixCp1252(text);
    return { ok: true, value: toXmlSafeText(text) };
  } catch {
    return { ok: false, error: badRequest(`body is not valid ${label === "us-ascii" || label === "ascii" ? "utf-8" : label}`) };
  }
}
