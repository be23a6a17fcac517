import { describe, it, expect } from "@jest/globals";
import { decodeTextBody, parseMediaType } from "../../../src/translate/message-text.js";

// The decoders are shared between messages: nothing of one body may leak into the next.
describe("decodeTextBody with shared decoders", () => {
  const utf8 = (s: string) => new TextEncoder().encode(s);
  it("a refused body (invalid UTF-8, truncated sequence) leaves no state for the next one", () => {
    expect(decodeTextBody(new Uint8Array([0x68, 0xe2, 0x82]), "utf-8", "text/plain").ok).toBe(false);
    expect(decodeTextBody(utf8("€ ok"), "utf-8", "text/plain")).toEqual({ ok: true, value: "€ ok" });
    expect(decodeTextBody(new Uint8Array([0xff]), "utf-8", "text/plain").ok).toBe(false);
    expect(decodeTextBody(utf8("👋"), "UTF-8", "text/plain")).toEqual({ ok: true, value: "👋" });
  });
  it("a BOM is dropped from every body, not only the first", () => {
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8("hi")]);
    expect(decodeTextBody(withBom, "utf-8", "text/plain")).toEqual({ ok: true, value: "hi" });
    expect(decodeTextBody(withBom, "utf-8", "text/plain")).toEqual({ ok: true, value: "hi" });
  });
  it("Content-Type views are shared per text and equal to a fresh parse", () => {
    const a = parseMediaType("text/plain;charset=UTF-8");
    expect(a).toEqual({ type: "text/plain", params: new Map([["charset", "UTF-8"]]) });
    expect(parseMediaType("text/plain;charset=UTF-8")).toBe(a);
    expect(parseMediaType("not a type")).toBeUndefined();
  });
});

describe("parseMediaType memo", () => {
  it("keeps short header texts and not long ones (the sender's text, up to a whole SIP message)", () => {
    const short = "text/plain;charset=UTF-8";
    expect(parseMediaType(short)).toBe(parseMediaType(short));
    const long = `text/plain;charset=UTF-8;x="${"a".repeat(60_000)}"`;
    const a = parseMediaType(long);
    expect(a?.params.get("x")?.length).toBe(60_000);
    expect(parseMediaType(long)).not.toBe(a);
    expect(parseMediaType(long)).toEqual(a);
  });
});
