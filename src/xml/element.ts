// The read-only element tree produced by safeParseXml, and the few lookups every body parser needs.
// Names are namespace-qualified (Namespaces in XML 1.0 §3): a lookup always takes (ns, local name),
// never a prefix, because peers pick prefixes freely (RFC 4480 documents use both rpid: and r:).

export const XML_NS = "http://www.w3.org/XML/1998/namespace";

export interface XmlElement {
  /** Local name (without prefix). */
  readonly name: string;
  /** Namespace URI, or "" when the element is in no namespace. */
  readonly ns: string;
  /** Prefix as written, when there was one (diagnostics only; never match on it). */
  readonly prefix?: string;
  /** Attributes keyed by "{ns}local" for qualified ones and "local" for unqualified ones; xmlns declarations excluded. */
  readonly attrs: ReadonlyMap<string, string>;
  readonly children: readonly XmlElement[];
  /** Concatenation of this element's direct text and CDATA (not descendants'), untrimmed. */
  readonly text: string;
  /** xml:lang in scope (own or inherited, XML 1.0 §2.12), when any. */
  readonly lang?: string;
}

/** Map key of an attribute: unqualified attributes are in no namespace (Namespaces in XML §6.3). */
export function attrKey(ns: string, local: string): string {
  return ns === "" ? local : `{${ns}}${local}`;
}

/** Value of an attribute; `ns` defaults to "" (unqualified), which is what most schemas use. */
export function attr(el: XmlElement, local: string, ns = ""): string | undefined {
  return el.attrs.get(attrKey(ns, local));
}

/** First child element with this namespace and local name. */
export function child(el: XmlElement, ns: string, name: string): XmlElement | undefined {
  for (const c of el.children) if (c.name === name && c.ns === ns) return c;
  return undefined;
}

/** All child elements with this namespace and local name, in document order. */
export function children(el: XmlElement, ns: string, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of el.children) if (c.name === name && c.ns === ns) out.push(c);
  return out;
}

/** All child elements in a namespace, in document order. */
export function childrenInNs(el: XmlElement, ns: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of el.children) if (c.ns === ns) out.push(c);
  return out;
}

/** Trimmed direct text of an element (XML Schema token-ish values), or undefined when absent. */
export function textOf(el: XmlElement | undefined): string | undefined {
  return el === undefined ? undefined : el.text.trim();
}
