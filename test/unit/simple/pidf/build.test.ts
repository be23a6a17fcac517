import { describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import { buildPidf } from "../../../../src/simple/pidf/build.js";
import { parsePidf } from "../../../../src/simple/pidf/parse.js";
import type { PidfDocument } from "../../../../src/simple/pidf/model.js";
import { safeParseXml } from "../../../../src/xml/safe-parse.js";

const fixture = (name: string): Buffer => readFileSync(new URL(`../../../fixtures/pidf/${name}`, import.meta.url));

function parseOk(body: string | Buffer): PidfDocument {
  const r = parsePidf(body);
  if (!r.ok) throw new Error(`${r.error.kind}: ${r.error.reason}`);
  return r.value;
}

/** Comparable form: Maps become sorted entry lists. */
const plain = (v: unknown): unknown =>
  JSON.parse(JSON.stringify(v, (_k, x: unknown) => (x instanceof Map ? [...x.entries()].sort() : x)));

describe("buildPidf", () => {
  it.each([
    "rfc3863-prefixed-namespace.xml", "rfc3863-default-namespace.xml", "rfc3863-status-extension.xml",
    "rfc3863-example.xml", "rfc3863-tuple-extensions.xml", "rfc4479-example.xml", "rfc4480-example.xml", "rfc4482-example.xml",
  ])("round-trips %s: parse(build(parse(x))) equals parse(x)", (name) => {
    const first = parseOk(fixture(name));
    const built = buildPidf(first);
    expect(plain(parseOk(built))).toEqual(plain(first));
  });

  it("declares each namespace once on the root and escapes text and attributes", () => {
    const xml = buildPidf({
      entity: 'pres:a&b@example.com',
      tuples: [{
        id: "t1", status: { basic: "open", extensions: [] }, notes: [{ text: "<away> & \"out\"", lang: "en" }],
        rpid: { activities: { values: ["away"], other: ["extended away"], notes: [] } }, cipid: {},
        contact: { uri: "sip:a@example.com;gr=x", priority: 0.5 }, extensions: [],
        servcaps: { flags: { audio: false, message: true }, types: ["text/plain"], sets: { methods: { supported: ["MESSAGE"], notsupported: [] } } },
      }],
      persons: [{ id: "p1", rpid: {}, cipid: { displayName: "A & B" }, notes: [], extensions: [] }],
      devices: [], notes: [], extensions: [],
    });
    const root = safeParseXml(xml);
    if (!root.ok) throw new Error(root.error.reason);
    expect(xml.match(/xmlns:rpid=/g)).toHaveLength(1);
    for (const prefix of ["dm", "c", "caps"]) expect(xml.match(new RegExp(`xmlns:${prefix}=`, "g"))).toHaveLength(1);
    expect(xml).not.toContain("xmlns:lt=");
    expect(xml).toContain("&lt;away&gt; &amp; \"out\"");
    const back = parseOk(xml);
    expect(back.entity).toBe("pres:a&b@example.com");
    expect(back.tuples[0]?.notes).toEqual([{ text: "<away> & \"out\"", lang: "en" }]);
    expect(back.tuples[0]?.servcaps).toEqual({ flags: { audio: false, message: true }, types: ["text/plain"], sets: { methods: { supported: ["MESSAGE"], notsupported: [] } } });
    expect(back.persons[0]?.cipid).toEqual({ displayName: "A & B" });
    expect(back.tuples[0]?.rpid.activities).toEqual({ values: ["away"], other: ["extended away"], notes: [] });
  });

  it("orders tuple children as RFC 3863's schema requires (status first, timestamp last)", () => {
    const xml = buildPidf(parseOk(fixture("rfc3863-example.xml")));
    const tuple = xml.slice(xml.indexOf("<tuple"), xml.indexOf("</tuple>"));
    const order = ["<status>", "<contact", "<note", "<timestamp>"].map((t) => tuple.indexOf(t));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order.every((i) => i >= 0)).toBe(true);
  });
});
