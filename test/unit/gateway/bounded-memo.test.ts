import { describe, it, expect } from "@jest/globals";
import { boundedMemo } from "../../../src/gateway/bounded-memo.js";

describe("boundedMemo", () => {
  it("computes once per key and returns the same value", () => {
    const calls: string[] = [];
    const f = boundedMemo((k) => { calls.push(k); return { k }; });
    const a = f("sip:a@x");
    expect(f("sip:a@x")).toBe(a);
    f("sip:b@x");
    expect(calls).toEqual(["sip:a@x", "sip:b@x"]);
  });

  it("does not keep results for keys longer than its key bound (hostile header text)", () => {
    let calls = 0;
    const f = boundedMemo((k) => { calls++; return k.length; });
    const long = `sip:${"a".repeat(600)}@sip.example`;
    expect(f(long)).toBe(long.length);
    expect(f(long)).toBe(long.length);
    expect(calls).toBe(2);
    const short = `sip:${"a".repeat(400)}@sip.example`;
    f(short);
    f(short);
    expect(calls).toBe(3);
  });

  it("never holds more than its bound (emptied when full), and still answers correctly", () => {
    let calls = 0;
    const f = boundedMemo((k) => { calls++; return k.length; }, 3);
    for (const k of ["a", "bb", "ccc"]) f(k);
    expect(calls).toBe(3);
    expect(f("dddd")).toBe(4); // full: emptied, then holds only "dddd"
    expect(f("a")).toBe(1);
    expect(calls).toBe(5);
    expect(f("dddd")).toBe(4);
    expect(calls).toBe(5);
  });
});
