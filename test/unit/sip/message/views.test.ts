import { describe, it, expect } from "@jest/globals";
import fc from "fast-check";
import { formatVia, isVia, parseVia } from "../../../../src/sip/message/via.js";
import { formatNameAddr, getTag, isNameAddr, parseNameAddr } from "../../../../src/sip/message/name-addr.js";
import { parseCSeq } from "../../../../src/sip/message/cseq.js";
import { parseParams, unquote } from "../../../../src/sip/message/params.js";

describe("parseVia", () => {
  it("reads sent-protocol with LWS around slashes (RFC 4475 wsinv)", () => {
    const v = parseVia("SIP  /   2.0 /UDP    192.0.2.2;branch=390skdjuw");
    expect(v).toMatchObject({ protocol: "SIP/2.0", transport: "UDP", host: "192.0.2.2", port: undefined });
    expect(v?.params.get("branch")).toBe("390skdjuw");
  });
  it("reads IPv6 sent-by, port, flag and IPv6 received params", () => {
    const v = parseVia("SIP/2.0/tcp [2001:db8::9:1]:5061;rport;received=2001:db8::9:255;branch=z9hG4bKas3");
    expect(v).toMatchObject({ transport: "TCP", host: "2001:db8::9:1", port: 5061 });
    expect(v?.params.get("rport")).toBeNull();
    expect(v?.params.get("received")).toBe("2001:db8::9:255");
  });
  it.each(["SIP/2.0/UDP", "SIP/2.0 host", "SIP/2.0/UDP 192.0.2.15;;", "SIP/2.0/UDPhost", "SIP/2.0/UDP host:70000", "SIP/2.0/UDP [::1"])(
    "rejects %s", (text) => {
      expect(parseVia(text)).toBeNull();
    });
  it("formats back", () => {
    const text = "SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bKx;rport";
    expect(formatVia(parseVia(text)!)).toBe(text);
  });
});

describe("parseNameAddr", () => {
  it("reads quoted display names with escapes", () => {
    const na = parseNameAddr(`"J Rosenberg \\\\\\"" <sip:jdrosen@example.com> ; tag = 98asjd8`);
    expect(na).toMatchObject({ displayName: `J Rosenberg \\"`, uri: "sip:jdrosen@example.com" });
    expect(na?.params.get("tag")).toBe("98asjd8");
  });
  it("reads token display names and addr-specs", () => {
    expect(parseNameAddr("caller<sip:caller@example.com>;tag=323")).toMatchObject({ displayName: "caller", uri: "sip:caller@example.com" });
    const a = parseNameAddr("sip:user@example.com;tag=1;expires=60");
    expect(a?.uri).toBe("sip:user@example.com");
    expect([...a!.params]).toEqual([["tag", "1"], ["expires", "60"]]);
    expect(parseNameAddr("*")?.uri).toBe("*");
  });
  it.each([
    "Bell, Alexander <sip:a.g.bell@example.com>;tag=43", // RFC 4475 baddn
    `"Watson, Thomas" < sip:t.watson@example.org >`, // badaspec
    `"Mr. J. User <sip:j.user@example.com>`, // quotbal
    "sip:user@example.com?Route=%3Csip:sip.example.com%3E", // regbadct
    `"Joe" <sip:joe@example.org>;;;;`, // badinv01
    "<sip:a@b", "",
  ])("rejects %s", (text) => {
    expect(parseNameAddr(text)).toBeNull();
  });
  it("formats with quoting", () => {
    expect(formatNameAddr({ displayName: `A "B"`, uri: "sip:a@b", params: new Map([["tag", "x"]]) })).toBe(`"A \\"B\\"" <sip:a@b>;tag=x`);
  });
  it("getTag", () => {
    expect(getTag("<sip:a@b>;tag=abc")).toBe("abc");
    expect(getTag("<sip:a@b;tag=uri-param>")).toBeUndefined();
  });
});

describe("parseCSeq and params", () => {
  it("parses CSeq with leading zeros and LWS, within 32 bits", () => {
    expect(parseCSeq("0009 INVITE")).toEqual({ seq: 9, method: "INVITE" });
    expect(parseCSeq("4294967295 OPTIONS")?.seq).toBe(4294967295);
    expect(parseCSeq("4294967296 OPTIONS")).toBeNull();
    expect(parseCSeq("36893488147419103232 REGISTER")).toBeNull();
    expect(parseCSeq("12INVITE")).toBeNull();
    expect(parseCSeq("-1 INVITE")).toBeNull();
  });
  it("parses parameter lists", () => {
    expect([...parseParams(`;a=1; B = "x;y" ;c`)!]).toEqual([["a", "1"], ["b", `"x;y"`], ["c", null]]);
    expect(parseParams(";=1")).toBeNull();
    expect(unquote(`"a\\"b"`)).toBe(`a"b`);
  });
});

describe("validators agree with the view parsers", () => {
  const seeds = [
    `"J Rosenberg \\\\\\"" <sip:jdrosen@example.com> ; tag = 98asjd8`, "sip:user@example.com;tag=1", "<sip:a@b;lr>;q=0.5",
    "Bell, Alexander <sip:a.g.bell@example.com>;tag=43", "*", "caller<sip:caller@example.com>;tag=323",
    "SIP/2.0/UDP [2001:db8::9:1]:5061;rport;received=2001:db8::9:255;branch=z9hG4bKas3", "SIP  /   2.0 /UDP    192.0.2.2;branch=x",
  ];
  it("isNameAddr(v) ⇔ parseNameAddr(v) !== null and isVia(v) ⇔ parseVia(v) !== null, on mutants too", () => {
    fc.assert(fc.property(fc.constantFrom(...seeds), fc.nat(), fc.constantFrom("", ";", ",", "<", ">", "\"", " ", ":", "[", "=", "x"), (seed, at, ins) => {
      const i = at % (seed.length + 1);
      const v = seed.slice(0, i) + ins + seed.slice(i);
      expect(isNameAddr(v)).toBe(parseNameAddr(v) !== null);
      expect(isVia(v)).toBe(parseVia(v) !== null);
    }), { numRuns: 3000 });
  });
});
