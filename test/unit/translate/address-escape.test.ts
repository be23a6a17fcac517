// XEP-0106 §5.1 "JID Examples" table, every row both ways, plus the §4.3 exceptions.
import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { escapeLocalpart, hasEdgeSpace, unescapeLocalpart } from "../../../src/translate/address-escape.js";
import { XEP0106_JID_EXAMPLES } from "./address-fixture.js";

const JID_EXAMPLES = XEP0106_JID_EXAMPLES.map(([n, input, escaped]) => [n, input, escaped] as [number, string, string]);


describe("XEP-0106 §5.1 JID examples", () => {
  it.each(JID_EXAMPLES)("row %i escapes %p to %p", (_n, input, escaped) => {
    expect(escapeLocalpart(input)).toBe(escaped);
  });
  it.each(JID_EXAMPLES)("row %i unescapes back to %p", (_n, input, escaped) => {
    expect(unescapeLocalpart(escaped)).toBe(input);
  });
});

describe("XEP-0106 §4.3 exceptions and §4.1 rules", () => {
  it.each(["\\2plus\\2is\\4", "foo\\bar", "foob\\41r"])("unescape leaves %p unchanged", (s) => {
    expect(unescapeLocalpart(s)).toBe(s);
  });

  it("unescapes only lower-case escapes (case is significant, §3.1)", () => {
    expect(unescapeLocalpart("a\\2Fb")).toBe("a\\2Fb");
    expect(unescapeLocalpart("a\\2fb")).toBe("a/b");
  });

  it("escapes a pre-existing escape sequence's backslash (§4.2 step 3, IMPS example)", () => {
    // XEP-0106 §5.5 turns wv:\3and\2is\5cool into \5c3and\2is\5c5cool; we also escape the "\2i"
    // backslash (the §5.1 table's rule), and both forms unescape to the same source address.
    expect(escapeLocalpart("\\3and\\2is\\5cool")).toBe("\\5c3and\\5c2is\\5c5cool");
    expect(unescapeLocalpart("\\5c3and\\2is\\5c5cool")).toBe("\\3and\\2is\\5cool");
    expect(unescapeLocalpart("\\5c3and\\5c2is\\5c5cool")).toBe("\\3and\\2is\\5cool");
  });

  it("flags \\20 at either end (§4.1 rule 6)", () => {
    expect(hasEdgeSpace(escapeLocalpart(" x"))).toBe(true);
    expect(hasEdgeSpace(escapeLocalpart("x "))).toBe(true);
    expect(hasEdgeSpace(escapeLocalpart("x y"))).toBe(false);
  });

  it("unescape(escape(s)) === s for any string", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(..." \"&'/:<>@\\25cfa0x") }), (s) => unescapeLocalpart(escapeLocalpart(s)) === s),
      { numRuns: 2000 },
    );
    fc.assert(fc.property(fc.string({ unit: "grapheme" }), (s) => unescapeLocalpart(escapeLocalpart(s)) === s));
  });

  it("escaped output never holds a character forbidden in a localpart", () => {
    fc.assert(fc.property(fc.string(), (s) => !/[ "&'/:<>@]/.test(escapeLocalpart(s))));
  });
});
