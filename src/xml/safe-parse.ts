// Hardened XML parsing for every XML body the gateway receives (PIDF, isComposing, IMDN, RLMI, ...).
// Threats handled (OWASP XXE / "billion laughs", RFC 3470 §7 advice on XML in IETF protocols):
// a DOCTYPE is refused outright, so no entity can ever be declared, expanded or fetched; only the five
// predefined entities and character references resolve; size, depth, fan-out and text are bounded
// before any tree is built; bytes must be valid UTF-8. The function never throws.
import { SaxesParser, type SaxesTagNS } from "saxes";
import { XML_NS, attrKey, type XmlElement } from "./element.js";

export interface XmlLimits {
  /** Maximum encoded size in bytes (UTF-8). */
  readonly maxBytes: number;
  /** Maximum element nesting depth (root = 1). */
  readonly maxDepth: number;
  /** Maximum number of elements in the document. */
  readonly maxElements: number;
  /** Maximum attributes on one element (namespace declarations included). */
  readonly maxAttributes: number;
  /** Maximum direct text (characters) of one element. */
  readonly maxTextLength: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = Object.freeze({
  maxBytes: 64 * 1024,
  maxDepth: 32,
  maxElements: 4096,
  maxAttributes: 64,
  maxTextLength: 32 * 1024,
});

export type XmlErrorKind =
  | "doctype"
  | "entity"
  | "too-large"
  | "too-deep"
  | "too-many-elements"
  | "malformed"
  | "encoding";

export interface XmlError {
  readonly kind: XmlErrorKind;
  readonly reason: string;
}

export type XmlResult =
  | { readonly ok: true; readonly value: XmlElement }
  | { readonly ok: false; readonly error: XmlError };

/** Thrown inside the saxes callbacks to abort the parse; caught in safeParseXml, never escapes. */
class Abort {
  constructor(readonly error: XmlError) {}
}

interface Building {
  readonly name: string;
  readonly ns: string;
  readonly prefix?: string;
  readonly attrs: Map<string, string>;
  readonly children: XmlElement[];
  text: string;
  readonly lang?: string;
}

const XMLNS_NS = "http://www.w3.org/2000/xmlns/";
const LANG_KEY = attrKey(XML_NS, "lang");
// fatal: a malformed sequence is an error, never U+FFFD (which would silently alter a note or a URI).
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function fail(kind: XmlErrorKind, reason: string): { ok: false; error: XmlError } {
  return { ok: false, error: { kind, reason } };
}

function decode(input: string | Uint8Array, maxBytes: number): string | { ok: false; error: XmlError } {
  if (typeof input === "string") {
    // Every UTF-16 unit encodes to ≥1 UTF-8 byte, so the cheap length test settles most oversize cases.
    if (input.length > maxBytes || Buffer.byteLength(input, "utf8") > maxBytes) {
      return fail("too-large", `document exceeds ${maxBytes} bytes`);
    }
    if (LONE_SURROGATE.test(input)) return fail("encoding", "string contains an unpaired UTF-16 surrogate");
    return input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  }
  if (input.byteLength > maxBytes) return fail("too-large", `document of ${input.byteLength} bytes exceeds ${maxBytes}`);
  // A UTF-16 BOM means a non-UTF-8 document; the gateway's XML bodies are UTF-8 only (RFC 3863 §4.1 /
  // RFC 3023 default for application/*+xml without charset).
  if (input.length >= 2 && ((input[0] === 0xfe && input[1] === 0xff) || (input[0] === 0xff && input[1] === 0xfe))) {
    return fail("encoding", "UTF-16 documents are not accepted (UTF-8 only)");
  }
  try {
    return utf8.decode(input);
  } catch {
    return fail("encoding", "invalid UTF-8 byte sequence");
  }
}

/** saxes reports every well-formedness error through fail(); classify by its message. */
function classify(message: string): XmlErrorKind {
  return /entity/i.test(message) ? "entity" : "malformed";
}

export function safeParseXml(input: string | Uint8Array, limits?: Partial<XmlLimits>): XmlResult {
  const lim: XmlLimits = limits === undefined ? DEFAULT_XML_LIMITS : { ...DEFAULT_XML_LIMITS, ...limits };
  const text = decode(input, lim.maxBytes);
  if (typeof text !== "string") return text;

  const parser = new SaxesParser({ xmlns: true, position: true });
  const stack: Building[] = [];
  let root: XmlElement | undefined;
  let elements = 0;

  const appendText = (t: string): void => {
    const top = stack[stack.length - 1];
    if (top === undefined) return; // whitespace/comments outside the root: saxes rejects anything else
    if (top.text.length + t.length > lim.maxTextLength) {
      throw new Abort({ kind: "too-large", reason: `text of <${top.name}> exceeds ${lim.maxTextLength} characters` });
    }
    top.text += t;
  };

  parser.on("error", (err) => {
    throw new Abort({ kind: classify(err.message), reason: err.message });
  });
  parser.on("doctype", () => {
    throw new Abort({ kind: "doctype", reason: "DOCTYPE declarations are not allowed" });
  });
  parser.on("processinginstruction", (pi) => {
    throw new Abort({ kind: "malformed", reason: `processing instruction <?${pi.target}?> is not allowed` });
  });
  parser.on("xmldecl", (decl) => {
    if (decl.encoding !== undefined && !/^utf-?8$/i.test(decl.encoding)) {
      throw new Abort({ kind: "encoding", reason: `declared encoding ${decl.encoding} is not UTF-8` });
    }
  });
  parser.on("opentagstart", (tag) => {
    elements += 1;
    if (elements > lim.maxElements) {
      throw new Abort({ kind: "too-many-elements", reason: `more than ${lim.maxElements} elements` });
    }
    if (stack.length + 1 > lim.maxDepth) {
      throw new Abort({ kind: "too-deep", reason: `<${tag.name}> nests deeper than ${lim.maxDepth}` });
    }
  });
  parser.on("opentag", (tag: SaxesTagNS) => {
    const attrs = new Map<string, string>();
    let count = 0;
    for (const a of Object.values(tag.attributes)) {
      count += 1;
      if (a.uri === XMLNS_NS || (a.prefix === "" && a.local === "xmlns")) continue;
      attrs.set(attrKey(a.prefix === "" ? "" : a.uri, a.local), a.value);
    }
    if (count > lim.maxAttributes) {
      throw new Abort({ kind: "too-large", reason: `<${tag.name}> has more than ${lim.maxAttributes} attributes` });
    }
    const parent = stack[stack.length - 1];
    const lang = attrs.get(LANG_KEY) ?? parent?.lang;
    const el: Building = { name: tag.local, ns: tag.uri, attrs, children: [], text: "" };
    const withOpt = el as { prefix?: string; lang?: string };
    if (tag.prefix !== "") withOpt.prefix = tag.prefix;
    if (lang !== undefined) withOpt.lang = lang;
    stack.push(el);
  });
  parser.on("text", appendText);
  parser.on("cdata", appendText);
  parser.on("closetag", () => {
    const done = stack.pop();
    if (done === undefined) return;
    const parent = stack[stack.length - 1];
    if (parent === undefined) root = done;
    else parent.children.push(done);
  });

  try {
    parser.write(text).close();
  } catch (e) {
    if (e instanceof Abort) return { ok: false, error: e.error };
    // Not expected: saxes errors go through the "error" handler. Still never throw to callers.
    return fail("malformed", e instanceof Error ? e.message : "unparseable XML");
  }
  return root === undefined ? fail("malformed", "document has no root element") : { ok: true, value: root };
}
