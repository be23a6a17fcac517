// SIP text/html ⇄ XEP-0071 XHTML-IM (RFC 7572 §4/§5: XHTML-IM ⇄ text/html, sanitised). Pure.
import { parseXhtml } from "../xmpp/message/xhtml-parse.js";
import { sanitizeXhtmlBody, xhtmlToText } from "../xmpp/message/xhtml-im.js";

export interface HtmlParts {
  /** Serialised sanitised `<body xmlns="http://www.w3.org/1999/xhtml">`, when the HTML was XHTML. */
  readonly html?: string;
  /** Plain-text rendering for the XMPP <body/> (always present; XEP-0071 §8). */
  readonly text: string;
}

const NAMED: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };

/**
 * Text of HTML that is not well-formed XML (`<br>`, unclosed `<p>`): a tag-stripping extraction, not
 * a parse. No markup survives, so nothing unsafe can; only the words reach XMPP, without XHTML-IM.
 */
export function htmlToTextLoose(html: string): string {
  return html
    .replace(/<(script|style|head|title)\b[\s\S]*?<\/\1\s*>/gi, "")
    .replace(/<br\s*\/?>|<\/(p|div|li|blockquote|h[1-6]|tr)\s*>/gi, "\n")
    .replace(/<[^>]*>/g, "")
    .replace(/&(#x[0-9a-fA-F]{1,6}|#\d{1,7}|[a-zA-Z]+);/g, (m, e: string) => {
      if (e.startsWith("#")) {
        const cp = e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : m;
      }
      return NAMED[e.toLowerCase()] ?? m;
    })
    .replace(/[ \t]+\n/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

export function htmlToChatParts(html: string): HtmlParts {
  const body = parseXhtml(html);
  const clean = body === undefined ? undefined : sanitizeXhtmlBody(body);
  if (clean === undefined) return { text: htmlToTextLoose(html) };
  return { html: clean.toString(), text: xhtmlToText(clean) };
}

/** The text/html body sent to SIP for a sanitised XHTML-IM body: the same element, as an XHTML fragment. */
export function xhtmlToSipHtml(html: string): string | undefined {
  const body = parseXhtml(html);
  const clean = body === undefined ? undefined : sanitizeXhtmlBody(body);
  return clean?.toString();
}
