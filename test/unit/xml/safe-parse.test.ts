import { describe, expect, it } from "@jest/globals";
import { safeParseXml, type XmlErrorKind, type XmlResult } from "../../../src/xml/safe-parse.js";
import { attr, child, children, textOf, XML_NS } from "../../../src/xml/element.js";

function expectError(r: XmlResult, kind: XmlErrorKind): string {
  if (r.ok) throw new Error(`expected a ${kind} error, got a document`);
  expect(r.error.kind).toBe(kind);
  return r.error.reason;
}

const PIDF_NS = "urn:ietf:params:xml:ns:pidf";

describe("safeParseXml", () => {
  it("parses a namespaced document into a qualified tree with inherited xml:lang", () => {
    const r = safeParseXml(
      `<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="${PIDF_NS}" xmlns:r="urn:ietf:params:xml:ns:pidf:rpid" entity="pres:a@example.com" xml:lang="fr">
  <!-- comment is ignored -->
  <tuple id="t1"><status><basic>open</basic></status><note>  salut &amp; &#x263A; </note><note xml:lang="en"><![CDATA[a<b]]></note></tuple>
  <r:activities><r:away/></r:activities>
</presence>`,
    );
    if (!r.ok) throw new Error(r.error.reason);
    const root = r.value;
    expect(root).toMatchObject({ name: "presence", ns: PIDF_NS, lang: "fr" });
    expect(root.prefix).toBeUndefined();
    expect(attr(root, "entity")).toBe("pres:a@example.com");
    expect(root.attrs.get(`{${XML_NS}}lang`)).toBe("fr");
    expect([...root.attrs.keys()].some((k) => k.includes("xmlns"))).toBe(false);
    const tuple = child(root, PIDF_NS, "tuple");
    expect(tuple && attr(tuple, "id")).toBe("t1");
    const notes = tuple ? children(tuple, PIDF_NS, "note") : [];
    expect(notes.map((n) => [textOf(n), n.lang])).toEqual([
      ["salut & \u263A", "fr"],
      ["a<b", "en"],
    ]);
    const acts = child(root, "urn:ietf:params:xml:ns:pidf:rpid", "activities");
    expect(acts?.prefix).toBe("r");
    expect(acts?.children[0]?.name).toBe("away");
    expect(child(root, "", "tuple")).toBeUndefined();
  });

  it("accepts UTF-8 bytes with a BOM", () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...Buffer.from("<a>é</a>")]);
    const r = safeParseXml(bytes);
    expect(r.ok && r.value.text).toBe("é");
  });

  it("refuses the billion laughs document at its DOCTYPE, quickly", () => {
    const lol = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
<lolz>&lol9;</lolz>`;
    expectError(safeParseXml(lol), "doctype");
  });

  it("refuses an external entity (XXE) and never reads the file", () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><foo>&xxe;</foo>`;
    expectError(safeParseXml(xxe), "doctype");
  });

  it("refuses a DOCTYPE without internal subset", () => {
    expectError(safeParseXml(`<!DOCTYPE presence SYSTEM "pidf.dtd"><presence/>`), "doctype");
  });

  it("refuses undeclared entity references but resolves the five predefined ones and char refs", () => {
    expectError(safeParseXml(`<a>&nbsp;</a>`), "entity");
    const r = safeParseXml(`<a b="&quot;&apos;">&lt;&gt;&amp;&#65;&#x42;</a>`);
    expect(r.ok && [r.value.text, attr(r.value, "b")]).toEqual(["<>&AB", `"'`]);
  });

  it("refuses processing instructions other than the XML declaration", () => {
    expectError(safeParseXml(`<a><?evil x?></a>`), "malformed");
  });

  it("refuses nesting deeper than the limit", () => {
    const deep = "<a>".repeat(33) + "</a>".repeat(33);
    expectError(safeParseXml(deep), "too-deep");
    expect(safeParseXml("<a>".repeat(32) + "</a>".repeat(32)).ok).toBe(true);
  });

  it("refuses too many elements", () => {
    const many = `<r>${"<e/>".repeat(4096)}</r>`;
    expectError(safeParseXml(many), "too-many-elements");
    expect(safeParseXml(`<r>${"<e/>".repeat(4095)}</r>`).ok).toBe(true);
  });

  it("refuses oversized input, as string and as bytes, and counts UTF-8 bytes not characters", () => {
    const big = `<a>${"x".repeat(70_000)}</a>`;
    expectError(safeParseXml(big), "too-large");
    expectError(safeParseXml(Buffer.from(big)), "too-large");
    // 40 000 two-byte characters: 80 000 bytes although only 40 007 UTF-16 units.
    expectError(safeParseXml(`<a>${"é".repeat(40_000)}</a>`), "too-large");
    expectError(safeParseXml(`<a>${"x".repeat(200)}</a>`, { maxTextLength: 100 }), "too-large");
  });

  it("refuses too many attributes", () => {
    const attrs = Array.from({ length: 65 }, (_, i) => `a${i}="v"`).join(" ");
    expectError(safeParseXml(`<e ${attrs}/>`), "too-large");
  });

  it("refuses invalid UTF-8, UTF-16 and non-UTF-8 declarations", () => {
    expectError(safeParseXml(new Uint8Array([0x3c, 0x61, 0x3e, 0xc3, 0x28, 0x3c, 0x2f, 0x61, 0x3e])), "encoding");
    expectError(safeParseXml(new Uint8Array([0x3c, 0x61, 0x3e, 0xed, 0xa0, 0x80, 0x3c, 0x2f, 0x61, 0x3e])), "encoding");
    expectError(safeParseXml(new Uint8Array([0xff, 0xfe, 0x3c, 0x00])), "encoding");
    expectError(safeParseXml(`<?xml version="1.0" encoding="ISO-8859-1"?><a/>`), "encoding");
    expectError(safeParseXml("<a>\uD800</a>"), "encoding");
  });

  it("refuses an unbound prefix, mismatched tags, junk and empty input with a positioned reason", () => {
    expect(expectError(safeParseXml(`<p:a/>`), "malformed")).toMatch(/unbound namespace prefix/);
    expect(expectError(safeParseXml(`<a><b></a></b>`), "malformed")).toMatch(/\d+:\d+/);
    expectError(safeParseXml(`<a></a><b/>`), "malformed");
    expectError(safeParseXml(``), "malformed");
    expectError(safeParseXml(`<a x='1' x='2'/>`), "malformed");
    expectError(safeParseXml(`<a>\u0001</a>`), "malformed");
  });
});
