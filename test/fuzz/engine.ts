// The fuzz loop: seeds → mutate → run the target → check its invariant. With coverage on, inputs
// that reach new code join the corpus (a greybox fuzzer); without it (the unit-test smoke runs) the
// corpus stays the seeds and the loop is a plain mutational fuzzer. Deterministic for a given seed.
import { createHash } from "node:crypto";
import { startCoverage, type CoverageFeedback } from "./coverage.js";
import { createRng, mutate } from "./mutate.js";
import type { FuzzTarget } from "./target.js";

export interface FuzzOptions {
  /** Stop after this many executions (default: unbounded, then `seconds` must be set). */
  readonly iterations?: number;
  /** Stop after this much wall time. */
  readonly seconds?: number;
  readonly seed?: number;
  /** Coverage-guided corpus growth (slower per execution, finds deeper paths). */
  readonly coverage?: boolean;
  /** Stop at the first finding (default true). */
  readonly stopOnFinding?: boolean;
  /** Largest input produced (default the target's maxLength or 64 KiB). */
  readonly maxLength?: number;
}

export interface Finding {
  readonly target: string;
  readonly input: Uint8Array;
  /** The invariant that broke, or what the code under test threw. */
  readonly message: string;
  readonly id: string;
}

export interface FuzzReport {
  readonly target: string;
  readonly executions: number;
  readonly corpus: number;
  readonly ms: number;
  readonly findings: readonly Finding[];
  readonly coverage?: ReturnType<CoverageFeedback["stats"]>;
}

export const inputId = (input: Uint8Array): string => createHash("sha256").update(input).digest("hex").slice(0, 16);

/** Runs one input; returns the failure message, or undefined when the invariant holds. */
export function check(target: FuzzTarget, input: Uint8Array): string | undefined {
  try {
    target.run(input);
    return undefined;
  } catch (e) {
    return e instanceof Error ? `${e.name}: ${e.message}` : `thrown non-Error: ${String(e)}`;
  }
}

export function fuzz(target: FuzzTarget, opts: FuzzOptions): FuzzReport {
  if (opts.iterations === undefined && opts.seconds === undefined) throw new Error("fuzz: iterations or seconds required");
  const rng = createRng(opts.seed ?? 1);
  const maxLength = opts.maxLength ?? target.maxLength ?? 65_536;
  const corpus: Uint8Array[] = target.seeds().map((s) => (s.length > maxLength ? s.subarray(0, maxLength) : s));
  if (corpus.length === 0) corpus.push(new Uint8Array(0));
  const dictionary = target.dictionary.map((t) => Buffer.from(t, "utf8"));
  const cov = opts.coverage === true ? startCoverage(target.sources) : undefined;
  const findings: Finding[] = [];
  const stopOnFinding = opts.stopOnFinding ?? true;
  const started = Date.now();
  const deadline = opts.seconds === undefined ? Infinity : started + opts.seconds * 1000;
  const limit = opts.iterations ?? Infinity;
  let executions = 0;

  const record = (input: Uint8Array, message: string): void => {
    const id = inputId(input);
    if (!findings.some((f) => f.id === id)) findings.push({ target: target.name, input: input.slice(), message, id });
  };

  try {
    // Seeds first, as they are: a seed that breaks the invariant is a finding like any other.
    for (const s of corpus) {
      const m = check(target, s);
      executions++;
      cov?.collectNew();
      if (m !== undefined) record(s, m);
    }
    while (executions < limit && !(stopOnFinding && findings.length > 0)) {
      // Date.now() is cheap next to a parse, but skip it on most iterations anyway.
      if ((executions & 63) === 0 && Date.now() > deadline) break;
      const parent = corpus[rng.below(corpus.length)]!;
      const input = mutate(parent, { rng, corpus, dictionary, maxLength });
      const m = check(target, input);
      executions++;
      if (m !== undefined) {
        record(input, m);
        cov?.collectNew(); // reset the counters so the next input is measured alone
      } else if (cov !== undefined && cov.collectNew() > 0 && corpus.length < 10_000) corpus.push(input);
    }
  } finally {
    cov?.stop();
  }
  const report = { target: target.name, executions, corpus: corpus.length, ms: Date.now() - started, findings };
  return cov === undefined ? report : { ...report, coverage: cov.stats() };
}
