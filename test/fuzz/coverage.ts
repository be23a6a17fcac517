// Coverage feedback for the fuzz engine from V8's own block coverage (the inspector's Profiler
// domain, which is synchronous on the main thread). After each input the counters are taken (and so
// reset); every executed function of the code under test yields a signature — its range plus the
// blocks inside it that did not run — and an input that produces a signature never seen before is
// kept in the corpus. Only functions in the given source paths count.
import { Session } from "node:inspector";

export interface CoverageFeedback {
  /** Signatures of the input just run that were never seen before. */
  collectNew(): number;
  /** Distinct signatures seen so far, and distinct functions executed. */
  stats(): { readonly signatures: number; readonly functions: number; readonly blocksCovered: number; readonly blocksSeen: number };
  stop(): void;
}

interface Range { readonly startOffset: number; readonly endOffset: number; readonly count: number }
interface FunctionCoverage { readonly functionName: string; readonly ranges: readonly Range[] }
interface ScriptCoverage { readonly url: string; readonly functions: readonly FunctionCoverage[] }

export function startCoverage(pathFragments: readonly string[]): CoverageFeedback {
  const session = new Session();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.startPreciseCoverage", { callCount: false, detailed: true });
  const seen = new Set<string>();
  const functions = new Set<string>();
  // Every block (range) ever reported, and those seen executed (a nested range is reported only when
  // its count differs from its function's, so "executed" is learnt when a known zero range goes missing).
  const zeroRanges = new Map<string, Set<string>>();
  const covered = new Set<string>();
  const wanted = (url: string): boolean => pathFragments.some((p) => url.includes(p));

  function take(): ScriptCoverage[] {
    let result: ScriptCoverage[] = [];
    session.post("Profiler.takePreciseCoverage", (err, r) => {
      if (err === null) result = (r as unknown as { result: ScriptCoverage[] }).result;
    });
    return result;
  }

  return {
    collectNew() {
      let fresh = 0;
      for (const script of take()) {
        if (!wanted(script.url)) continue;
        for (const fn of script.functions) {
          const top = fn.ranges[0];
          if (top === undefined || top.count === 0) continue;
          const fnKey = `${script.url}#${top.startOffset}`;
          functions.add(fnKey);
          let sig = fnKey;
          const zeros = new Set<string>();
          for (let i = 1; i < fn.ranges.length; i++) {
            const r = fn.ranges[i]!;
            if (r.count === 0) {
              const k = `${r.startOffset}-${r.endOffset}`;
              zeros.add(k);
              sig += `|${k}`;
            }
          }
          const known = zeroRanges.get(fnKey);
          if (known === undefined) zeroRanges.set(fnKey, zeros);
          else for (const k of known) if (!zeros.has(k)) covered.add(`${fnKey}|${k}`);
          // A zero range first reported now was executed by every earlier run of this function.
          if (known !== undefined) for (const k of zeros) if (!known.has(k)) { covered.add(`${fnKey}|${k}`); known.add(k); }
          if (!seen.has(sig)) {
            seen.add(sig);
            fresh++;
          }
        }
      }
      return fresh;
    },
    stats() {
      let blocksSeen = 0;
      for (const z of zeroRanges.values()) blocksSeen += z.size;
      // Function bodies count as blocks too: each executed function is one covered block.
      return { signatures: seen.size, functions: functions.size, blocksCovered: covered.size + functions.size, blocksSeen: blocksSeen + functions.size };
    },
    stop() {
      session.post("Profiler.stopPreciseCoverage");
      session.disconnect();
    },
  };
}
