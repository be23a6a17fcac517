// The one place the XMPP side gets @xmpp/xml from: the 0.13 package is CommonJS
// (`module.exports = xml` with properties), and Node's ESM loader only exposes its default export,
// so the named `Element`/`Parser` the type package declares are undefined at runtime.
import xmlDefault from "@xmpp/xml";
import type * as XmlModule from "@xmpp/xml";

export type Element = XmlModule.Element;
export type XmlNode = XmlModule.Node;

const mod = xmlDefault as typeof xmlDefault & Pick<typeof XmlModule, "Element" | "Parser">;

/** `xml(name, attrs, ...children)`: how stanzas are built. One exception, for speed: the SIP MESSAGE
 * stanza is written by src/xmpp/message/serialize.ts, tested byte for byte against this path. */
export const xml: typeof xmlDefault = xmlDefault;
export const XmlElement: typeof XmlModule.Element = mod.Element;
export const XmlParser: typeof XmlModule.Parser = mod.Parser;

export function isElement(node: unknown): node is Element {
  // Structural, not `instanceof`: every @xmpp package carries its own copy of ltx, so elements parsed
  // by the connection are instances of a different Element class than the one @xmpp/xml exports.
  if (node instanceof mod.Element) return true;
  if (typeof node !== "object" || node === null) return false;
  const n = node as { name?: unknown; attrs?: unknown; children?: unknown; getChild?: unknown };
  return typeof n.name === "string" && typeof n.attrs === "object" && Array.isArray(n.children) && typeof n.getChild === "function";
}

/** Parses one complete XML fragment (tests, fixtures): throws on malformed input. */
export function parseXml(text: string): Element {
  const parser = new mod.Parser();
  let root: Element | undefined;
  let failure: Error | undefined;
  parser.on("element", (el: Element) => { root ??= el; });
  parser.on("error", (err: Error) => { failure = err; });
  // ltx's stream parser emits children of a root "stream"; wrap so the fragment itself is the child.
  parser.write(`<wrap>${text}`);
  parser.end("</wrap>");
  if (failure) throw failure;
  if (!root) throw new Error("no element in XML text");
  return root;
}
