// `npm run fuzz -- <target|all> [seconds] [--seed N] [--no-coverage]`: a coverage-guided run of
// one target (or each in turn). Findings are written to test/fuzz/findings/<target>/<hash>.bin with
// the broken invariant printed; once fixed, move the file to test/fuzz/regressions/<target>/ so the
// unit tests replay it forever. Exit status 1 when anything was found.
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { fuzz } from "./engine.js";
import { TARGETS, targetByName } from "./targets.js";

const FINDINGS = fileURLToPath(new URL("./findings/", import.meta.url));

function main(argv: readonly string[]): number {
  const positional = argv.filter((a, i) => !a.startsWith("--") && argv[i - 1] !== "--seed");
  const name = positional[0];
  const seconds = Number(positional[1] ?? 30);
  const seedAt = argv.indexOf("--seed");
  const seed = seedAt >= 0 ? Number(argv[seedAt + 1]) : Date.now() & 0x7fffffff;
  const coverage = !argv.includes("--no-coverage");
  const targets = name === "all" ? TARGETS : [targetByName(name ?? "")].filter((t) => t !== undefined);
  if (targets.length === 0 || !Number.isFinite(seconds) || seconds <= 0) {
    console.error(`usage: npm run fuzz -- <${[...TARGETS.map((t) => t.name), "all"].join("|")}> [seconds] [--seed N] [--no-coverage]`);
    return 2;
  }
  let found = 0;
  for (const t of targets) {
    const r = fuzz(t, { seconds, seed, coverage, stopOnFinding: false });
    const rate = Math.round((r.executions * 1000) / Math.max(1, r.ms));
    const cov = r.coverage === undefined ? "" : ` functions=${r.coverage.functions} blocks=${r.coverage.blocksCovered}/${r.coverage.blocksSeen} signatures=${r.coverage.signatures}`;
    console.log(`${t.name}: seed=${seed} execs=${r.executions} (${rate}/s) corpus=${r.corpus}${cov} findings=${r.findings.length}`);
    for (const f of r.findings) {
      const dir = `${FINDINGS}${t.name}/`;
      mkdirSync(dir, { recursive: true });
      writeFileSync(`${dir}${f.id}.bin`, f.input);
      console.log(`  ${f.id}: ${f.message}\n    ${JSON.stringify(Buffer.from(f.input).toString("latin1").slice(0, 300))}`);
    }
    found += r.findings.length;
  }
  return found > 0 ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
