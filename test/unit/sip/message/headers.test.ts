import { describe, it, expect } from "@jest/globals";
import { canonicalHeaderName, compactHeaderName, createHeaders, displayHeaderName, splitHeaderList } from "../../../../src/sip/message/headers.js";

describe("header names", () => {
  it.each([
    ["v", "via"], ["VIA", "via"], ["i", "call-id"], ["m", "contact"], ["l", "content-length"], ["c", "content-type"],
    ["o", "event"], ["u", "allow-events"], ["r", "refer-to"], ["b", "referred-by"], ["x", "session-expires"],
    ["y", "identity"], ["a", "accept-contact"], ["j", "reject-contact"], ["d", "request-disposition"], ["k", "supported"],
    ["s", "subject"], ["t", "to"], ["f", "from"], ["e", "content-encoding"], ["X-Custom", "x-custom"],
  ])("canonical(%s) = %s", (raw, canonical) => {
    expect(canonicalHeaderName(raw)).toBe(canonical);
  });

  it.each([
    ["call-id", "Call-ID"], ["cseq", "CSeq"], ["www-authenticate", "WWW-Authenticate"], ["i", "Call-ID"],
    ["subscription-state", "Subscription-State"], ["max-forwards", "Max-Forwards"], ["x-foo-bar", "X-Foo-Bar"],
    ["sip-etag", "SIP-ETag"], ["rack", "RAck"],
  ])("display(%s) = %s", (raw, display) => {
    expect(displayHeaderName(raw)).toBe(display);
  });

  it("maps canonical names back to compact forms", () => {
    expect(compactHeaderName("via")).toBe("v");
    expect(compactHeaderName("cseq")).toBeUndefined();
  });
});

describe("createHeaders", () => {
  it("is case-insensitive, compact-aware, ordered and multi-valued", () => {
    const h = createHeaders();
    h.append("Via", "SIP/2.0/UDP a;branch=z9hG4bK1");
    h.append("v", "SIP/2.0/UDP b;branch=z9hG4bK2");
    h.prepend("VIA", "SIP/2.0/UDP c;branch=z9hG4bK0");
    h.set("To", "<sip:x@y>");
    expect(h.getAll("via")).toEqual(["SIP/2.0/UDP c;branch=z9hG4bK0", "SIP/2.0/UDP a;branch=z9hG4bK1", "SIP/2.0/UDP b;branch=z9hG4bK2"]);
    expect(h.get("t")).toBe("<sip:x@y>");
    expect(h.names()).toEqual(["via", "to"]);
    expect(h.has("TO")).toBe(true);
    h.delete("t");
    expect(h.has("to")).toBe(false);
    expect(h.get("to")).toBeUndefined();
    expect(h.getAll("to")).toEqual([]);
  });

  it("clones deeply", () => {
    const h = createHeaders();
    h.append("route", "<sip:a>");
    const c = h.clone();
    c.append("route", "<sip:b>");
    h.set("route", ["<sip:z>"]);
    expect(c.getAll("route")).toEqual(["<sip:a>", "<sip:b>"]);
    expect(h.getAll("route")).toEqual(["<sip:z>"]);
  });
});

describe("splitHeaderList", () => {
  it("splits on top-level commas only", () => {
    expect(splitHeaderList(`"Doe, John" <sip:j@x;a=b,c>;q=0.5 , <sip:k@y>,sip:z@w`)).toEqual([
      `"Doe, John" <sip:j@x;a=b,c>;q=0.5`, "<sip:k@y>", "sip:z@w",
    ]);
  });
  it("honours quoted-pair escapes inside quotes", () => {
    expect(splitHeaderList(`"a \\", b" <sip:a>, <sip:b>`)).toEqual([`"a \\", b" <sip:a>`, "<sip:b>"]);
  });
  it("drops empty elements and rejects unbalanced quoting", () => {
    expect(splitHeaderList("a,, b ,")).toEqual(["a", "b"]);
    expect(splitHeaderList(`"open, <sip:a>`)).toBeNull();
    expect(splitHeaderList(`<sip:a, b`)).toBeNull();
  });
});
