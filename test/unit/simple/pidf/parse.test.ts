import { describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import { parsePidf, type PidfResult } from "../../../../src/simple/pidf/parse.js";
import type { PidfDocument } from "../../../../src/simple/pidf/model.js";
import type { PidfError } from "../../../../src/simple/pidf/errors.js";

const fixture = (name: string): Buffer => readFileSync(new URL(`../../../fixtures/pidf/${name}`, import.meta.url));

function ok(r: PidfResult): PidfDocument {
  if (!r.ok) throw new Error(`${r.error.kind}: ${r.error.reason}`);
  return r.value;
}
function err(r: PidfResult): PidfError {
  if (r.ok) throw new Error("expected a parse error");
  return r.error;
}

describe("parsePidf on the RFC 3863 examples", () => {
  it("reads a prefixed PIDF namespace like the default one", () => {
    for (const name of ["rfc3863-prefixed-namespace.xml", "rfc3863-default-namespace.xml"]) {
      const doc = ok(parsePidf(fixture(name), { contentType: "application/pidf+xml" }));
      expect(doc.entity).toBe("pres:someone@example.com");
      expect(doc.tuples).toHaveLength(1);
      expect(doc.tuples[0]).toMatchObject({ id: "sg89ae", status: { basic: "open" }, contact: { uri: "tel:+09012345678", priority: 0.8 } });
    }
  });

  it("keeps status extensions without interpreting them", () => {
    const doc = ok(parsePidf(fixture("rfc3863-status-extension.xml")));
    const ext = doc.tuples[0]?.status.extensions ?? [];
    expect(ext.map((e) => [e.ns, e.name, e.text])).toEqual([["urn:example-com:pidf-status-type", "location", "home"]]);
  });

  it("reads the full example: two tuples, notes with xml:lang, timestamp, document note", () => {
    const doc = ok(parsePidf(fixture("rfc3863-example.xml")));
    const [a, b] = doc.tuples;
    expect(a).toMatchObject({
      id: "bs35r9",
      status: { basic: "open" },
      contact: { uri: "im:someone@mobilecarrier.net", priority: 0.8 },
      notes: [{ text: "Don't Disturb Please!", lang: "en" }, { text: "Ne derangez pas, s'il vous plait", lang: "fr" }],
      timestamp: "2001-10-27T16:49:29Z",
    });
    expect(a?.status.extensions.map((e) => e.name)).toEqual(["im", "location"]);
    expect(b).toMatchObject({ id: "eg92n8", contact: { uri: "mailto:someone@example.com", priority: 1 } });
    expect(doc.notes).toEqual([{ text: "I'll be in Tokyo next week" }]);
  });

  it("keeps unknown tuple and presence extensions and trims the contact", () => {
    const doc = ok(parsePidf(fixture("rfc3863-tuple-extensions.xml")));
    expect(doc.tuples.map((t) => t.extensions.map((e) => e.name))).toEqual([["mytupletag"], []]);
    expect(doc.tuples[1]?.contact).toEqual({ uri: "im:someone@mobilecarrier.net", priority: 1 });
    expect(doc.extensions.map((e) => e.text)).toEqual(["My extended presentity information"]);
  });

  it("refuses a document whose mustUnderstand extension is not understood (→ 400)", () => {
    const e = err(parsePidf(fixture("rfc3863-must-understand.xml")));
    expect(e).toMatchObject({ kind: "must-understand", sipStatus: 400 });
    expect(e.reason).toContain("myex:ex1");
  });
});

describe("parsePidf on the data model, RPID, CIPID and caps examples", () => {
  it("RFC 4479: person activities, device user-input, tuple deviceID and servcaps", () => {
    const r = parsePidf(fixture("rfc4479-example.xml"));
    const doc = ok(r);
    expect(r.ok && r.warnings).toEqual(["<presence> has no entity attribute"]);
    const t = doc.tuples[0];
    expect(t).toMatchObject({ id: "sg89ae", deviceId: "mac:8asd7d7d70", contact: { uri: "sip:someone@example.com" } });
    expect(t?.servcaps?.sets).toEqual({
      extensions: { supported: ["pref"], notsupported: [] },
      methods: { supported: ["MESSAGE", "OPTIONS"], notsupported: [] },
    });
    expect(doc.persons[0]?.rpid.activities?.values).toEqual(["on-the-phone"]);
    expect(doc.devices[0]).toMatchObject({ id: "pc122", deviceId: "mac:8asd7d7d70", rpid: { userInput: { value: "idle" } } });
  });

  it("RFC 4480: every RPID element of the example", () => {
    const doc = ok(parsePidf(fixture("rfc4480-example.xml")));
    expect(doc.tuples.map((t) => [t.id, t.rpid.relationship, t.rpid.serviceClass, t.rpid.class])).toEqual([
      ["bs35r9", "self", "electronic", undefined],
      ["ty4658", "assistant", undefined, undefined],
      ["eg92n8", undefined, "electronic", "email"],
    ]);
    expect(doc.tuples[2]?.rpid.statusIcon).toBe("http://example.com/mail.png");
    expect(doc.devices[0]).toMatchObject({
      id: "pc147",
      deviceId: "urn:device:0003ba4811e3",
      notes: [{ text: "PC" }],
      rpid: { userInput: { value: "idle", idleThreshold: 600, lastInput: "2004-10-21T13:20:00-05:00" } },
    });
    const p = doc.persons[0];
    expect(p?.rpid).toEqual({
      activities: { values: ["away"], other: [], notes: [{ text: "Far away" }], from: "2005-05-30T12:00:00+05:00", until: "2005-05-30T17:00:00+05:00" },
      class: "calendar",
      mood: { values: ["angry"], other: ["brooding"], notes: [] },
      placeIs: { audio: "noisy" },
      placeType: { values: ["residence"], other: [], notes: [] },
      privacy: { values: ["unknown"], other: [], notes: [] },
      sphere: "bowling league",
      statusIcon: "http://example.com/play.gif",
      timeOffset: { minutes: -240 },
    });
    expect(p?.notes).toEqual([{ text: "Scoring 120" }]);
    expect(p?.timestamp).toBe("2005-05-30T16:09:44+05:00");
  });

  it("RFC 4482: CIPID on a tuple and on the person", () => {
    const doc = ok(parsePidf(fixture("rfc4482-example.xml")));
    expect(doc.tuples[1]).toMatchObject({
      id: "bs78", status: { basic: "closed" }, rpid: { relationship: "assistant" },
      cipid: { card: "http://example.com/~assistant/card.vcd", homepage: "http://example.com/~assistant" },
    });
    expect(doc.persons[0]?.cipid).toEqual({
      card: "http://example.com/~someone/card.vcd",
      homepage: "http://example.com/~someone",
      icon: "http://example.com/~someone/icon.gif",
      map: "http://example.com/~someone/gml-map.xml",
      sound: "http://example.com/~someone/whoosh.wav",
    });
  });
});

describe("parsePidf on the seed chapter documents (printed with typographic quotes)", () => {
  it.each(["seed-sophie-germain.xml", "seed-mc-thomas.xml", "seed-kovalevsky.xml"])("%s → clean 400, no crash", (name) => {
    const e = err(parsePidf(fixture(name), { contentType: "application/pidf+xml" }));
    expect(e).toMatchObject({ kind: "xml", xmlKind: "malformed", sipStatus: 400 });
    expect(e.reason).toMatch(/\d+:\d+/);
  });

  const straighten = (b: Buffer): string => b.toString("utf8").replaceAll("\u201d", '"');

  it("Sophie Germain and Kovalevsky parse once the quotes are straightened", () => {
    const sg = ok(parsePidf(straighten(fixture("seed-sophie-germain.xml"))));
    expect(sg.entity).toBe("pres:Sophie.Germain@mathematica.example.org");
    expect(sg.tuples[0]).toMatchObject({ id: "34g45sfde", status: { basic: "open" }, contact: { uri: "sip:sophie@78.34.32.1:51234" } });
    const k = ok(parsePidf(straighten(fixture("seed-kovalevsky.xml"))));
    expect(k.tuples.map((t) => [t.id, t.status.basic, t.rpid.class, t.contact?.uri])).toEqual([
      ["4sdf432sd", "closed", "IM", "im:skovalesky@su.example.com"],
      ["832thr76jk", "open", "voice", "tel:+465551212"],
    ]);
  });

  it("M. C. Thomas still fails after straightening: </c:card> closes <cipid:card>", () => {
    const e = err(parsePidf(straighten(fixture("seed-mc-thomas.xml"))));
    expect(e).toMatchObject({ kind: "xml", sipStatus: 400 });
    expect(e.reason).toMatch(/^18:\d+: unexpected close tag/);
  });
});

describe("parsePidf core rules", () => {
  const doc = (inner: string, attrs = ' entity="pres:a@example.com"'): string =>
    `<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model"${attrs}>${inner}</presence>`;

  it.each([
    ["tuple without id", "<tuple><status><basic>open</basic></status></tuple>", /without an id/],
    ["tuple without status", '<tuple id="a"><contact>sip:a@b</contact></tuple>', /no <status>/],
    ["bad basic", '<tuple id="a"><status><basic>busy</basic></status></tuple>', /expected open or closed/],
    ["duplicate ids", '<tuple id="a"><status/></tuple><dm:person id="a"/>', /duplicate id "a"/],
    ["two contacts", '<tuple id="a"><status/><contact>sip:x@y</contact><contact>sip:z@y</contact></tuple>', /more than one <contact>/],
    ["person without id", "<dm:person/>", /without an id/],
  ])("%s → 400 invalid", (_label, inner, reason) => {
    const e = err(parsePidf(doc(inner)));
    expect(e).toMatchObject({ kind: "invalid", sipStatus: 400 });
    expect(e.reason).toMatch(reason);
  });

  it("refuses a non-PIDF root and the pre-RFC namespace", () => {
    expect(err(parsePidf("<presence/>")).kind).toBe("not-pidf");
    expect(err(parsePidf('<presence xmlns="urn:ietf:params:xml:ns:cpim-pidf:"/>')).kind).toBe("not-pidf");
  });

  it("maps media type, charset and size problems to 415 and 413", () => {
    expect(err(parsePidf(doc(""), { contentType: "text/plain" }))).toMatchObject({ kind: "media-type", sipStatus: 415 });
    expect(err(parsePidf(doc(""), { contentType: "application/pidf+xml;charset=ISO-8859-1" })).sipStatus).toBe(415);
    expect(ok(parsePidf(doc(""), { contentType: 'Application/CPIM-PIDF+XML; charset="utf-8"' })).tuples).toEqual([]);
    expect(err(parsePidf(doc("<note>x</note>".repeat(100)), { limits: { maxBytes: 500 } })).sipStatus).toBe(413);
    expect(err(parsePidf(new Uint8Array([0x3c, 0xff, 0x3e]))).sipStatus).toBe(415);
  });

  it("drops bad extension values with warnings instead of failing", () => {
    const r = parsePidf(doc(
      '<tuple id="a"><status><basic>open</basic></status><contact priority="7">sip:a@b</contact><timestamp>yesterday</timestamp></tuple>' +
      '<dm:person id="p" xmlns:r="urn:ietf:params:xml:ns:pidf:rpid"><r:time-offset>soon</r:time-offset><r:user-input>asleep</r:user-input></dm:person>',
    ));
    const d = ok(r);
    expect(d.tuples[0]?.contact).toEqual({ uri: "sip:a@b" });
    expect(d.tuples[0]?.timestamp).toBeUndefined();
    expect(d.persons[0]?.rpid).toEqual({});
    expect(r.ok && r.warnings.length).toBe(4);
  });

  it("accepts mustUnderstand on elements it understands", () => {
    const d = ok(parsePidf(doc('<tuple id="a"><status><basic mustUnderstand="true">open</basic></status></tuple>'.replace("mustUnderstand", "xmlns:p='urn:ietf:params:xml:ns:pidf' p:mustUnderstand"))));
    expect(d.tuples[0]?.status.basic).toBe("open");
  });
});
