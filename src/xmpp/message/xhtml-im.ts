// XEP-0071 XHTML-IM sanitising, both ways: every XHTML body the gateway forwards passes through
// sanitizeXhtmlBody(), which keeps only the recommended profile (mappings/message-xhtml-profile.ts),
// because "entities MUST assume that inbound XHTML-IM may be malicious" (XEP-0071 §10.1).
import { xml, isElement, type Element } from "../xml.js";
import {
  XHTML_NS, xhtmlDroppedWithContent, xhtmlImElements, xhtmlImHrefSchemes, xhtmlImImgSchemes, xhtmlImStyleProperties,
} from "../../../mappings/message-xhtml-profile.js";

const MAX_DEPTH = 24;
const BLOCKS = new Set(["p", "blockquote", "li", "ol", "ul", "body"]);

function localName(el: Element): string {
  const colon = el.name.indexOf(":");
  return (colon === -1 ? el.name : el.name.slice(colon + 1)).toLowerCase();
}

function schemeOf(url: string): string | undefined {
  const m = /^\s*([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(url);
  return m?.[1]?.toLowerCase();
}

/** Keeps recommended CSS1 declarations whose values cannot fetch or run anything. */
export function sanitizeStyle(style: string): string | undefined {
  const kept: string[] = [];
  for (const decl of style.split(";")) {
    const colon = decl.indexOf(":");
    if (colon === -1) continue;
    const prop = decl.slice(0, colon).trim().toLowerCase();
    const value = decl.slice(colon + 1).trim();
    if (!xhtmlImStyleProperties.has(prop) || value === "") continue;
    if (/url\s*\(|expression|javascript|[\\<>@{}]/i.test(value)) continue;
    kept.push(`${prop}: ${value}`);
  }
  return kept.length === 0 ? undefined : kept.join("; ");
}

function cleanAttrs(name: string, el: Element): Record<string, string> | undefined {
  const allowed = xhtmlImElements.get(name) ?? [];
  const out: Record<string, string> = {};
  for (const key of allowed) {
    const v = el.attrs[key] as unknown;
    if (typeof v === "string") out[key] = v;
  }
  const style = typeof el.attrs.style === "string" ? sanitizeStyle(el.attrs.style) : undefined;
  if (style !== undefined) out.style = style;
  if (name === "a") {
    const href = out.href;
    if (href === undefined || !xhtmlImHrefSchemes.has(schemeOf(href) ?? "")) return undefined; // unwrap
  }
  if (name === "img") {
    const src = out.src;
    if (src === undefined || !xhtmlImImgSchemes.has(schemeOf(src) ?? "")) return undefined;
    out.alt ??= ""; // §7.7.2: alt is REQUIRED
    for (const dim of ["height", "width"]) if (out[dim] !== undefined && !/^\d{1,5}%?$/.test(out[dim] as string)) delete out[dim];
  }
  return out;
}

function sanitizeChildren(src: Element, depth: number, out: (Element | string)[]): void {
  for (const c of src.children) {
    if (typeof c === "string") {
      out.push(c);
      continue;
    }
    if (!isElement(c)) continue;
    const name = localName(c);
    if (c.getNS() !== XHTML_NS || xhtmlDroppedWithContent.has(name)) continue;
    const attrs = xhtmlImElements.has(name) && name !== "body" && depth < MAX_DEPTH ? cleanAttrs(name, c) : undefined;
    if (attrs === undefined) {
      if (name !== "img") sanitizeChildren(c, depth + 1, out); // unknown or refused: keep its text only
      continue;
    }
    const kids: (Element | string)[] = [];
    if (name !== "br" && name !== "img") sanitizeChildren(c, depth + 1, kids);
    out.push(xml(name, attrs, ...kids));
  }
}

/**
 * Returns a clean `<body xmlns="http://www.w3.org/1999/xhtml">` from an XHTML body (or html wrapper's
 * body) element, or undefined when nothing displayable is left.
 */
export function sanitizeXhtmlBody(body: Element): Element | undefined {
  const kids: (Element | string)[] = [];
  sanitizeChildren(body, 0, kids);
  const attrs: Record<string, string> = { xmlns: XHTML_NS };
  const lang = body.attrs["xml:lang"] as unknown;
  if (typeof lang === "string" && lang !== "") attrs["xml:lang"] = lang;
  const style = typeof body.attrs.style === "string" ? sanitizeStyle(body.attrs.style) : undefined;
  if (style !== undefined) attrs.style = style;
  const clean = xml("body", attrs, ...kids);
  return xhtmlToText(clean) === "" && clean.getChildrenByFilter((c) => isElement(c) && c.name === "img", true).length === 0
    ? undefined
    : clean;
}

/** Plain-text rendering: the <body/> fallback XEP-0071 §8 requires next to the XHTML. */
export function xhtmlToText(body: Element): string {
  const parts: string[] = [];
  const walk = (el: Element): void => {
    const name = localName(el);
    if (name === "br") { parts.push("\n"); return; }
    if (name === "img") { parts.push(typeof el.attrs.alt === "string" ? el.attrs.alt : ""); return; }
    const block = BLOCKS.has(name);
    if (block) parts.push("\n");
    if (name === "li") parts.push("• ");
    for (const c of el.children) {
      if (typeof c === "string") parts.push(c.replace(/\s+/g, " "));
      else if (isElement(c)) walk(c);
    }
    if (name === "a" && typeof el.attrs.href === "string" && !el.getText().includes(el.attrs.href)) parts.push(` <${el.attrs.href}>`);
    if (block) parts.push("\n");
  };
  walk(body);
  return parts.join("").replace(/[ \t]*\n[ \t]*/g, "\n").replace(/\n{3,}/g, "\n\n").trim();
}
