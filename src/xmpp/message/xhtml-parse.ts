// Parses XHTML text (a SIP text/html body, or ChatMessage.html) into an @xmpp/xml element tree with
// mixed content preserved, through saxes with the same refusals as src/xml/safe-parse.ts (no DOCTYPE
// subset, no custom entities, size and depth bounds). safeParseXml cannot be used here: its tree keeps
// an element's text apart from its children, and XHTML's meaning is in their interleaving.
import { SaxesParser, type SaxesTagNS } from "saxes";
import { xml, type Element } from "../xml.js";
import { XHTML_NS } from "../../../mappings/message-xhtml-profile.js";

const WRAP_NS = "urn:x-stox:wrap";
const MAX_BYTES = 64 * 1024;
const MAX_DEPTH = 40;
const MAX_ELEMENTS = 4000;

// The HTML named entities IM clients actually emit; XML knows only the five predefined ones.
const HTML_ENTITIES: Readonly<Record<string, number>> = {
  nbsp: 160, copy: 169, reg: 174, hellip: 8230, mdash: 8212, ndash: 8211, laquo: 171, raquo: 187,
  lsquo: 8216, rsquo: 8217, ldquo: 8220, rdquo: 8221, euro: 8364, middot: 183, bull: 8226, trade: 8482,
};

/** Rewrites known HTML entities to character references; unknown ones make saxes fail, as they should. */
export function htmlEntitiesToRefs(text: string): string {
  return text.replace(/&([a-zA-Z]+);/g, (m, name: string) => {
    const cp = HTML_ENTITIES[name];
    return cp === undefined ? m : `&#${cp};`;
  });
}

/**
 * Parses an XHTML fragment or document. Unprefixed elements default to the XHTML namespace. Returns
 * the <body> element (from <html><body>, a lone <body>, or a synthetic body around a fragment), or
 * undefined when the text is not well-formed XML within the limits.
 */
export function parseXhtml(text: string): Element | undefined {
  if (text.length > MAX_BYTES) return undefined;
  // A bare `<!DOCTYPE html>` (no internal subset, hence no entities) and an XML declaration are
  // dropped so the fragment can be wrapped; any other DOCTYPE makes the parse fail below.
  const src = htmlEntitiesToRefs(text.replace(/^\s*(<\?xml[^>]*\?>)?\s*(<!DOCTYPE\s+html\s*>)?/i, ""));
  const parser = new SaxesParser({ xmlns: true, additionalNamespaces: { "": XHTML_NS } });
  const stack: Element[] = [];
  let root: Element | undefined;
  let count = 0;
  let failed = false;
  parser.on("error", () => { failed = true; throw new Error("stop"); });
  parser.on("doctype", () => { failed = true; throw new Error("stop"); });
  parser.on("processinginstruction", () => { failed = true; throw new Error("stop"); });
  parser.on("opentag", (tag: SaxesTagNS) => {
    count += 1;
    if (count > MAX_ELEMENTS || stack.length >= MAX_DEPTH) { failed = true; throw new Error("stop"); }
    const attrs: Record<string, string> = tag.uri === XHTML_NS && tag.prefix === "" ? {} : { xmlns: tag.uri };
    for (const a of Object.values(tag.attributes)) {
      if (a.prefix === "xmlns" || a.name === "xmlns") continue;
      if (a.prefix === "" || a.prefix === "xml") attrs[a.name] = a.value;
    }
    // Normalise to the XHTML default namespace so getNS() answers without prefix bookkeeping.
    const el = xml(tag.local, tag.uri === XHTML_NS ? { ...attrs, xmlns: XHTML_NS } : attrs);
    stack[stack.length - 1]?.append(el);
    stack.push(el);
  });
  parser.on("closetag", () => { const done = stack.pop(); if (stack.length === 0) root = done; });
  parser.on("text", (t) => { stack[stack.length - 1]?.append(t); });
  parser.on("cdata", (t) => { stack[stack.length - 1]?.append(t); });
  try {
    parser.write(`<w:wrap xmlns:w="${WRAP_NS}">`).write(src).write("</w:wrap>").close();
  } catch {
    return undefined;
  }
  if (failed || root === undefined) return undefined;
  const tops = root.children.filter((c): c is Element => typeof c !== "string");
  const only = tops.length === 1 && root.children.every((c) => typeof c !== "string" || c.trim() === "") ? tops[0] : undefined;
  if (only?.getNS() === XHTML_NS && only.name === "html") return only.getChild("body", XHTML_NS) ?? undefined;
  if (only?.getNS() === XHTML_NS && only.name === "body") return only;
  return xml("body", { xmlns: XHTML_NS }, ...root.children);
}
