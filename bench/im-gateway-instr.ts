// Instructions per SIP MESSAGE → XMPP <message/> through the whole gateway, counted by callgrind: a
// deterministic A/B figure for CPU work on a shared, noisy machine (bench/im-gateway-cpu.ts measures
// time, which moves ±15% with the other processes' load). The gateway (createGateway, the same config
// as bench/lib/im-targets.ts), the stand-in XEP-0114 server (bench/lib/fake-component-server.ts) and a
// UDP sender run in this one process; the sender sends a batch of MESSAGEs, waits for every 200, then
// sends the next batch, so batching does not depend on scheduling. The figure includes the sender's
// and the stand-in's work (the same on both sides of an A/B); compare figures, not absolute values.
// Not part of the test suite. Run (under the bench lock):
//   node --import ./scripts/ts-register.mjs bench/im-gateway-instr.ts [--batches 200] [--batch 20]
import { execFile, spawnSync } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startInProcessGateway } from "./lib/in-process-gateway.js";

const WARM_BATCHES = 150;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** Runs the gateway and `batches` batches after the warm-up; exits when done. */
async function run(batches: number, batch: number): Promise<void> {
  const rig = await startInProcessGateway("im-instr-");
  for (let b = 0; b < WARM_BATCHES; b++) await rig.oneBatch(batch);
  // Only the measured batches are counted: start-up, link set-up and shutdown run timers whose number
  // of firings under valgrind varies by hundreds of millions of instructions from run to run.
  // Asynchronously: valgrind answers callgrind_control from its scheduler, not while we block on a child.
  const toggle = (on: boolean) => (process.env.IM_INSTR_TOGGLE ? run_(on) : Promise.resolve());
  const run_ = (on: boolean) => promisify(execFile)("callgrind_control", [`--instr=${on ? "on" : "off"}`, String(process.pid)]);
  await toggle(true);
  for (let b = 0; b < batches; b++) await rig.oneBatch(batch);
  await toggle(false);
  await rig.stop();
  process.exit(0);
}

function callgrindCount(batches: number, batch: number): number {
  const dir = mkdtempSync(join(tmpdir(), "im-instr-cg-"));
  const out = join(dir, "callgrind.out");
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync("valgrind", ["--tool=callgrind", "--smc-check=all-non-file", "--instr-atstart=no", `--callgrind-out-file=${out}`,
    process.execPath, "--single-threaded", ...process.execArgv, self, "--run", String(batches), "--batch", String(batch)],
  { encoding: "utf8", env: { ...process.env, IM_INSTR_TOGGLE: "1" } });
  if (r.status !== 0) throw new Error(`valgrind failed (${r.status}): ${r.stderr.slice(-2000)}`);
  // Valgrind's own summary: the output file holds one part per toggle, the summary their sum.
  const m = /Collected : (\d+)/.exec(r.stderr);
  rmSync(dir, { recursive: true, force: true });
  if (m === null) throw new Error("no totals in callgrind output");
  return Number(m[1]);
}

async function main(): Promise<void> {
  const batch = arg("batch", 20);
  if (process.argv.includes("--run")) return run(arg("run", 0), batch);
  const batches = arg("batches", 200);
  const total = callgrindCount(batches, batch);
  const n = batches * batch;
  console.log(`callgrind: ${(total / n).toFixed(0)} instructions per MESSAGE (${n} MESSAGEs in batches of ${batch} after ${WARM_BATCHES * batch} warm-up; Ir ${total})`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main().catch((err: unknown) => { console.error(err); process.exit(1); });
