import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { parseCpim } from "../../../../src/simple/cpim/parse.js";
import { buildCpim } from "../../../../src/simple/cpim/build.js";
import { formatRfc3339, parseRfc3339 } from "../../../../src/simple/cpim/datetime.js";
import { CPIM_CORE_NS, cpimHeaderValue, type CpimMessage } from "../../../../src/simple/cpim/types.js";

const enc = new TextEncoder();
const dec = new TextDecoder();
const crlf = (lines: string[]): Uint8Array => enc.encode(lines.join("\r\n"));

function parsed(bytes: Uint8Array): CpimMessage {
  const r = parseCpim(bytes);
  if (!r.ok) throw new Error(`unexpected CPIM error: ${r.error.reason}`);
  return r.value;
}
function reason(bytes: Uint8Array): string {
  const r = parseCpim(bytes);
  if (r.ok) throw new Error("expected a CPIM error");
  return r.error.reason;
}

// RFC 3862 §5.1 example (the outer "Content-type: Message/CPIM" is the SIP Content-Type).
const RFC3862_EXAMPLE = [
  "From: MR SANDERS <im:piglet@100akerwood.com>",
  "To: Depressed Donkey <im:eeyore@100akerwood.com>",
  "DateTime: 2000-12-13T13:40:00-08:00",
  "Subject: the weather will be fine today",
  "Subject:;lang=fr beau temps prevu pour aujourd'hui",
  "NS: MyFeatures <mid:MessageFeatures@id.foo.com>",
  "Require: MyFeatures.VitalMessageOption",
  "MyFeatures.VitalMessageOption: Confirmation-requested",
  "MyFeatures.WackyMessageOption: Use-silly-font",
  "",
  "Content-type: text/xml; charset=utf-8",
  "Content-ID: <1234567890@foo.com>",
  "",
  "<body>",
  "Here is the text of my message.",
  "</body>",
];

// RFC 5438 §7.1.1-style request as Linphone sends it (interworking.md §2.7).
const LINPHONE_IMDN_REQUEST = [
  "From: <sip:alice@example.com>",
  "To: <sip:bob@example.com>",
  "NS: imdn <urn:ietf:params:imdn>",
  "imdn.Message-ID: 34jk324j",
  "DateTime: 2006-04-04T12:16:49-05:00",
  "imdn.Disposition-Notification: positive-delivery, negative-delivery, display",
  "",
  "Content-Type: text/plain; charset=UTF-8",
  "Content-Length: 12",
  "",
  "Hello World\r\n",
];

describe("parseCpim", () => {
  it("parses the RFC 3862 §5.1 example", () => {
    const m = parsed(crlf(RFC3862_EXAMPLE));
    expect(m.from).toEqual({ displayName: "MR SANDERS", uri: "im:piglet@100akerwood.com" });
    expect(m.to).toEqual([{ displayName: "Depressed Donkey", uri: "im:eeyore@100akerwood.com" }]);
    expect(m.dateTime?.toISOString()).toBe("2000-12-13T21:40:00.000Z");
    expect(m.subjects).toEqual([
      { text: "the weather will be fine today" },
      { lang: "fr", text: "beau temps prevu pour aujourd'hui" },
    ]);
    expect(m.require).toEqual(["MyFeatures.VitalMessageOption"]);
    expect(cpimHeaderValue(m, "mid:MessageFeatures@id.foo.com", "WackyMessageOption")).toBe("Use-silly-font");
    expect(m.contentType).toBe("text/xml; charset=utf-8");
    expect(m.contentHeaders.map((h) => h.name)).toEqual(["Content-type", "Content-ID"]);
    expect(dec.decode(m.body)).toBe("<body>\r\nHere is the text of my message.\r\n</body>");
  });

  it("parses a Linphone IMDN request and honours the inner Content-Length", () => {
    const m = parsed(crlf(LINPHONE_IMDN_REQUEST));
    expect(cpimHeaderValue(m, "urn:ietf:params:imdn", "Message-ID")).toBe("34jk324j");
    expect(cpimHeaderValue(m, "urn:ietf:params:imdn", "Disposition-Notification")).toBe(
      "positive-delivery, negative-delivery, display",
    );
    expect(dec.decode(m.body)).toBe("Hello World\r\n".slice(0, 12));
  });

  it("accepts bare LF line ends (COMPAT)", () => {
    const m = parsed(enc.encode(LINPHONE_IMDN_REQUEST.join("\n").replace("Content-Length: 12\n", "")));
    expect(dec.decode(m.body)).toBe("Hello World\r\n");
  });

  it("decodes RFC 3862 §2.3 escapes in values", () => {
    const m = parsed(crlf(["From: <im:a@x>", "To: <im:b@x>", "Subject: line\\none \\u00e9\\\\", "", "", "x"]));
    expect(m.subjects[0]?.text).toBe("line\none é\\");
    expect(m.contentType).toBe("text/plain");
  });

  it.each([
    [["To: <im:b@x>", "", "", "x"], "CPIM: missing From header"],
    [["From: <im:a@x>", "", "", "x"], "CPIM: missing To header"],
    [["From: <im:a@x>", "From: <im:c@x>", "To: <im:b@x>", "", "", ""], "CPIM: duplicate From header"],
    [["From: <im:a@x>", "To: <im:b@x>", "DateTime: 2001-02-30T10:00:00Z", "", "", ""], "CPIM: bad DateTime"],
    [["From: a@x no brackets", "To: <im:b@x>", "", "", ""], "CPIM: bad From header"],
    [["From: <im:a@x>", "To: <im:b@x>", "imdn.Message-ID: 1", "", "", ""], 'CPIM: undeclared namespace prefix "imdn"'],
    [["From: <im:a@x>", "To: <im:b@x>", "Subject: bad \\q escape", "", "", ""], "CPIM: bad escape in Subject header"],
    [["From: <im:a@x>", "To: <im:b@x>"], "CPIM: missing blank line after message headers"],
    [["From: <im:a@x>", "To: <im:b@x>", "", "Content-Type: text/plain"], "CPIM: missing blank line after encapsulated MIME headers"],
    [["From: <im:a@x>", "To: <im:b@x>", "", "Content-Length: 99", "", "short"], "CPIM: content shorter than its Content-Length"],
  ])("refuses %j with %s", (lines, why) => {
    expect(reason(crlf(lines))).toBe(why);
  });

  it("refuses invalid UTF-8 in headers", () => {
    const bytes = new Uint8Array([...enc.encode("From: <im:a@x>\r\nSubject: "), 0xc3, 0x28, ...enc.encode("\r\n\r\n\r\n")]);
    expect(reason(bytes)).toBe("CPIM: header is not valid UTF-8");
  });

  it("never throws on arbitrary bytes", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
      const r = parseCpim(b);
      expect(typeof r.ok).toBe("boolean");
    }));
    fc.assert(fc.property(fc.array(fc.string({ maxLength: 30 }), { maxLength: 12 }), (ls) => {
      const r = parseCpim(crlf(["From: <im:a@x>", "To: <im:b@x>", ...ls]));
      expect(typeof r.ok).toBe("boolean");
    }));
  });
});

describe("buildCpim → parseCpim round trip", () => {
  const uri = fc.tuple(fc.constantFrom("im", "sip", "xmpp"), fc.stringMatching(/^[a-z0-9._-]{1,10}@[a-z0-9.-]{1,10}$/))
    .map(([s, r]) => `${s}:${r}`);
  const addr = fc.record({ displayName: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }), uri });
  const lang = fc.option(fc.constantFrom("en", "fr", "de-CH"), { nil: undefined });

  it("preserves addresses, subjects, DateTime, extension headers and body bytes", () => {
    fc.assert(fc.property(
      addr, fc.array(addr, { minLength: 1, maxLength: 3 }),
      fc.array(fc.record({ lang, text: fc.string({ maxLength: 30 }) }), { maxLength: 3 }),
      fc.date({ min: new Date(0), max: new Date(4102444800000), noInvalidDate: true }),
      fc.string({ maxLength: 30 }), fc.uint8Array({ maxLength: 100 }),
      (from, to, subjects, when, idValue, body) => {
        const bytes = buildCpim({
          from, to, subjects: subjects.map((s) => (s.lang === undefined ? { text: s.text } : s)), dateTime: when,
          namespaces: [{ prefix: "imdn", uri: "urn:ietf:params:imdn" }],
          extra: [{ name: "imdn.Message-ID", value: idValue }],
          contentType: "application/octet-stream", body,
        });
        const m = parsed(bytes);
        const norm = (a: { displayName?: string | undefined; uri: string }): object =>
          a.displayName === undefined || a.displayName.trim() === "" ? { uri: a.uri } : { displayName: a.displayName, uri: a.uri };
        expect(norm(m.from)).toEqual(norm(from));
        expect(m.to.map(norm)).toEqual(to.map(norm));
        expect(m.subjects.map((s) => s.text)).toEqual(subjects.map((s) => s.text));
        expect(m.dateTime?.getTime()).toBe(when.getTime());
        expect(cpimHeaderValue(m, "urn:ietf:params:imdn", "Message-ID")).toBe(idValue);
        expect(Buffer.from(m.body).equals(Buffer.from(body))).toBe(true);
      },
    ));
  });

  it("core headers resolve to the CPIM core namespace", () => {
    const m = parsed(buildCpim({ from: { uri: "im:a@x" }, to: [{ uri: "im:b@x" }], contentType: "text/plain", body: enc.encode("hi") }));
    expect(m.headers.every((h) => h.ns === CPIM_CORE_NS)).toBe(true);
  });
});

describe("RFC 3339 DateTime", () => {
  it.each([
    ["2000-12-13T13:40:00-08:00", "2000-12-13T21:40:00.000Z"],
    ["1996-12-19T16:39:57.25z", "1996-12-19T16:39:57.250Z"],
    ["2024-02-29T00:00:00Z", "2024-02-29T00:00:00.000Z"],
  ])("parses %s", (text, iso) => expect(parseRfc3339(text)?.toISOString()).toBe(iso));
  it.each(["2023-02-29T00:00:00Z", "2000-13-01T00:00:00Z", "2000-01-01 00:00:00Z", "2000-01-01T24:00:00Z", "2000-01-01T00:00:00"])(
    "refuses %s", (text) => expect(parseRfc3339(text)).toBeUndefined(),
  );
  it("formats UTC without zero milliseconds", () => {
    expect(formatRfc3339(new Date(Date.UTC(2020, 0, 2, 3, 4, 5)))).toBe("2020-01-02T03:04:05Z");
  });
});
