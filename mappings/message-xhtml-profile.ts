// XEP-0071 §7 "Recommended Profile" of XHTML-IM, as data (read from xsf/xeps xep-0071.xml).
// Anything not listed is "ignored" in the sense of XEP-0071 §8 / XHTML Modularization conformance:
// an unknown element's character data is still presented (unwrapped), an unknown attribute dropped.

export const XHTML_NS = "http://www.w3.org/1999/xhtml";
export const XHTML_IM_NS = "http://jabber.org/protocol/xhtml-im";

/** Recommended elements and the attributes each may keep ("style" is allowed on all, §7.7.1). */
export const xhtmlImElements: ReadonlyMap<string, readonly string[]> = new Map([
  ["body", []],
  ["p", []], ["span", []], ["br", []], ["em", []], ["strong", []], ["cite", []], ["blockquote", []], // §7.2
  ["a", ["href", "type"]], // §7.3 + §7.7.2: href REQUIRED, type RECOMMENDED
  ["ol", []], ["ul", []], ["li", []], // §7.4: definition lists SHOULD NOT be generated
  ["img", ["src", "alt", "height", "width"]], // §7.5 + §7.7.2: src, alt REQUIRED
]);

/** Elements whose content must not be presented as text either (scripts, metadata, embedded objects). */
export const xhtmlDroppedWithContent: ReadonlySet<string> = new Set([
  "script", "style", "head", "title", "object", "applet", "embed", "iframe", "noscript", "template", "frameset",
]);

/** §7.6.1 recommended CSS1 properties. */
export const xhtmlImStyleProperties: ReadonlySet<string> = new Set([
  "background-color", "color", "font-family", "font-size", "font-style", "font-weight",
  "margin-left", "margin-right", "text-align", "text-decoration",
]);

/** §10.1 "MUST sanitize": link targets limited to schemes that cannot run code in the client. */
export const xhtmlImHrefSchemes: ReadonlySet<string> = new Set(["http", "https", "xmpp", "mailto", "sip", "sips", "tel", "im"]);
/** §7.5: data: URLs NOT RECOMMENDED; cid: is XEP-0231 bits of binary. */
export const xhtmlImImgSchemes: ReadonlySet<string> = new Set(["http", "https", "cid"]);
