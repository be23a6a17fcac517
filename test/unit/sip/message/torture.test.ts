import { describe, it, expect } from "@jest/globals";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { parseMessage } from "../../../../src/sip/message/parse.js";
import { serializeMessage } from "../../../../src/sip/message/serialize.js";
import { TORTURE_CASES } from "./torture-expectations.js";
import { expectEquivalent, FIXTURE_DIR, fixtureNames, lfArchiveToWire, readFixture } from "./torture-support.js";

describe("torture fixtures", () => {
  it("are byte-exact (SHA256SUMS)", () => {
    const sums = readFileSync(FIXTURE_DIR + "SHA256SUMS", "utf8").trim().split("\n");
    expect(sums).toHaveLength(61);
    for (const line of sums) {
      const [hash, name] = line.split(/\s+\*?/);
      expect(createHash("sha256").update(readFixture(name!)).digest("hex")).toBe(hash);
    }
  });

  it("each have exactly one expectation row", () => {
    expect(TORTURE_CASES.map((c) => c.file).sort()).toEqual(fixtureNames());
  });
});

describe.each(TORTURE_CASES.map((c) => [c.file, c] as const))("%s", (_file, c) => {
  const raw = readFixture(c.file);
  const wire = c.lfArchive === true ? lfArchiveToWire(raw) : raw;

  if (c.outcome === "parses") {
    it(`parses (${c.ref}${c.answeredBy === undefined ? "" : `; answered by ${c.answeredBy}`})`, () => {
      const r = parseMessage(wire);
      if (!r.ok) throw new Error(`${c.file}: ${r.error.status} ${r.error.reason}`);
      c.check(r.message);
    });
    it("survives serialize → parse unchanged", () => {
      const first = parseMessage(wire);
      if (!first.ok) throw new Error("did not parse");
      const again = parseMessage(serializeMessage(first.message));
      if (!again.ok) throw new Error(`re-parse failed: ${again.error.reason}`);
      expectEquivalent(first.message, again.message);
      c.check(again.message);
    });
  } else {
    it(`is refused with ${c.status} "${c.reason}" (${c.ref})`, () => {
      const r = parseMessage(wire);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.error.status).toBe(c.status);
      expect(r.error.reason).toBe(c.reason);
      expect(r.error.answerable).toBe(c.answerable);
      if (c.answerable) expect(r.error.partial?.kind).toBe("request");
    });
  }
});
