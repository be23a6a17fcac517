import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { parseXhtml } from "../../../src/xmpp/message/xhtml-parse.js";
import { sanitizeStyle, sanitizeXhtmlBody, xhtmlToText } from "../../../src/xmpp/message/xhtml-im.js";
import { htmlToChatParts, htmlToTextLoose } from "../../../src/translate/message-html.js";

const X = 'xmlns="http://www.w3.org/1999/xhtml"';

function clean(html: string): string | undefined {
  const b = parseXhtml(html);
  return b === undefined ? undefined : sanitizeXhtmlBody(b)?.toString();
}

describe("XHTML-IM sanitising (XEP-0071 §7, §10)", () => {
  it("keeps the XEP-0071 example markup", () => {
    // XEP-0071 Example 1 body.
    const html = `<body ${X}><p style='font-weight:bold'>hi!</p><p>This is <em>emphasized</em> and <a href="http://example.org/">linked</a>.</p></body>`;
    expect(clean(html)).toBe(
      `<body ${X}><p style="font-weight: bold">hi!</p><p>This is <em>emphasized</em> and <a href="http://example.org/">linked</a>.</p></body>`,
    );
  });

  it.each([
    [`<p onclick="x()">a<script>alert(1)</script>b</p>`, `<body ${X}><p>ab</p></body>`],
    [`<a href="javascript:alert(1)">click</a>`, `<body ${X}>click</body>`],
    [`<img src="data:image/png;base64,AA" alt="x"/>`, undefined],
    [`<img src="https://e.org/a.png"/>`, `<body ${X}><img src="https://e.org/a.png" alt=""/></body>`],
    [`<div><h1>T</h1><table><tr><td>c</td></tr></table></div>`, `<body ${X}>Tc</body>`],
    [`<span style="color: red; background: url(http://x); position: fixed">r</span>`, `<body ${X}><span style="color: red">r</span></body>`],
    [`<html ${X}><head><title>t</title></head><body><strong>s</strong></body></html>`, `<body ${X}><strong>s</strong></body>`],
    [`<p>&nbsp;&copy;</p>`, `<body ${X}><p>\u00a0©</p></body>`],
    [`<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg><em>e</em>`, `<body ${X}><em>e</em></body>`],
  ])("sanitises %s", (input, expected) => {
    expect(clean(input)).toBe(expected);
  });

  it("refuses DOCTYPE subsets and non-XML HTML (parse → undefined)", () => {
    expect(parseXhtml(`<!DOCTYPE x [<!ENTITY e "boom">]><p>&e;</p>`)).toBeUndefined();
    expect(parseXhtml("line<br>next")).toBeUndefined();
    expect(parseXhtml("<p>&unknown;</p>")).toBeUndefined();
  });

  it("renders plain text with line structure", () => {
    const b = parseXhtml(`<p>one  two</p><p>three<br/>four</p><ul><li>a</li><li>b</li></ul>`);
    expect(b && xhtmlToText(b)).toBe("one two\n\nthree\nfour\n\n• a\n\n• b");
  });

  it("sanitising is idempotent and never yields a forbidden element or attribute", () => {
    const tag = fc.constantFrom("p", "a", "script", "img", "em", "div", "iframe", "span", "b");
    const attr = fc.constantFrom(' href="javascript:x"', ' href="https://a"', ' onload="x"', ' style="color:red;behavior:url(x)"', ' src="https://i"', "");
    const node: fc.Arbitrary<string> = fc.letrec<{ n: string }>((tie) => ({
      n: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        fc.constantFrom("text", "a&amp;b", " "),
        fc.tuple(tag, attr, fc.array(tie("n"), { maxLength: 3 })).map(([t, a, kids]) => `<${t}${a}>${kids.join("")}</${t}>`),
      ),
    })).n;
    fc.assert(fc.property(fc.array(node, { maxLength: 4 }), (parts) => {
      const once = clean(parts.join(""));
      if (once === undefined) return;
      expect(once).not.toMatch(/<(script|iframe|div|b)\b|on\w+=|javascript:|behavior/);
      expect(clean(once)).toBe(once);
    }));
  });

  it("sanitizeStyle keeps only the recommended properties", () => {
    expect(sanitizeStyle("COLOR: blue; font-size: 12px; width: expression(alert(1))")).toBe("color: blue; font-size: 12px");
    expect(sanitizeStyle("position: absolute")).toBeUndefined();
  });
});

describe("SIP text/html → chat parts", () => {
  it("well-formed XHTML gives both html and text", () => {
    expect(htmlToChatParts("<p>Hello <strong>you</strong></p>")).toEqual({
      html: `<body ${X}><p>Hello <strong>you</strong></p></body>`, text: "Hello you",
    });
  });
  it("tag soup falls back to text only", () => {
    expect(htmlToChatParts("Hi<br>there &amp; <b>you")).toEqual({ text: "Hi\nthere & you" });
    expect(htmlToTextLoose("<style>p{}</style><p>x</p><p>y")).toBe("x\ny");
  });
});

describe("XHTML-IM image-only bodies", () => {
  it("keeps a body whose only content is a nested image", () => {
    expect(clean('<p><img src="https://e.org/i.png" alt=""/></p>')).toBe(`<body ${X}><p><img src="https://e.org/i.png" alt=""/></p></body>`);
  });
});
