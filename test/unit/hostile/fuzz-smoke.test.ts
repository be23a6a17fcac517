// A short bounded run of every fuzz target (test/fuzz/), so a regression in any parser's "never
// throws, every refusal has a 4xx/5xx" contract fails CI; the long coverage-guided runs are
// `npm run fuzz`. Each run also replays the target's regression inputs (test/fuzz/regressions/).
import { describe, expect, it } from "@jest/globals";
import { check, fuzz } from "../../fuzz/engine.js";
import { regressionSeeds } from "../../fuzz/seeds.js";
import { TARGETS } from "../../fuzz/targets.js";

// Fixed seeds: a failure here reproduces with `npm run fuzz -- <target> 10 --seed 20261125`.
const SEED = 20261125;
const ITERATIONS = 2000;

describe("fuzz smoke runs", () => {
  it.each(TARGETS.map((t) => [t.name, t] as const))("%s: no invariant broken in a bounded run", (_name, target) => {
    const report = fuzz(target, { iterations: ITERATIONS, seed: SEED, stopOnFinding: false });
    expect(report.findings.map((f) => `${f.id}: ${f.message}`)).toEqual([]);
    expect(report.executions).toBeGreaterThanOrEqual(ITERATIONS);
  });

  it("replays every recorded finding cleanly", () => {
    let replayed = 0;
    for (const t of TARGETS) {
      for (const input of regressionSeeds(t.name)) {
        expect([t.name, check(t, input)]).toEqual([t.name, undefined]);
        replayed++;
      }
    }
    expect(replayed).toBeGreaterThan(0);
  });

  it("the engine itself reports a broken invariant (the smoke runs can fail)", () => {
    const report = fuzz({
      name: "canary", seeds: () => [Buffer.from("SIP")], dictionary: ["\r\n"], sources: [],
      run: (input) => { if (input.includes(0x0a)) throw new Error("newline reached"); },
    }, { iterations: 500, seed: 3 });
    expect(report.findings).toHaveLength(1);
    expect(report.findings[0]!.message).toBe("Error: newline reached");
  });
});
