// Markdown tables for the IM benchmark: one row per step, then the ratios the issue asks for.
import type { DirectionResult } from "../xmpp-ceiling.js";
import type { StepResult } from "./im-step.js";
import type { Memory } from "./proc-stats.js";

export interface RunReport {
  readonly ceilings: readonly DirectionResult[];
  readonly steps: readonly StepResult[];
  readonly memory: ReadonlyMap<string, { before: Memory; after: Memory | undefined }>;
  readonly notRun: ReadonlyMap<string, string>;
}

const cpu = (s: StepResult) => (s.gatewayCpu ? (s.gatewayCpu.maxPct === s.gatewayCpu.totalPct ? `${s.gatewayCpu.totalPct}%` : `${s.gatewayCpu.totalPct}% (max ${s.gatewayCpu.maxPct}%)`) : "-");

export function stepTable(steps: readonly StepResult[]): string {
  const head = "| target | tr | offered/s | sent/s | delivered ≤1 s | lost | dup | failed | retrans | p50 ms | p99 ms | catch-up ms | gateway CPU | µs/msg gw / Prosody | Prosody CPU | SIPp CPU | client CPU | machine | UDP drops gw/SIPp | load | saturated | zero loss |";
  const rows = steps.map((s) => `| ${s.target} | ${s.transport} | ${s.offered} | ${s.sent} | ${s.onTime}/${s.calls} | ${s.lost} | ${s.duplicates} | ${s.failed} | ${s.retrans} | ${s.p50Ms} | ${s.p99Ms} | ${s.catchUpMs} | ${cpu(s)} | ${s.gatewayUsPerMsg ?? "-"} / ${s.prosodyUsPerMsg} | ${s.prosodyCpu}% | ${s.sippCpu === undefined ? "-" : `${s.sippCpu}%`} | ${s.benchCpu}% | ${s.machineCpu}% | ${s.drops} | ${s.load} | ${s.saturated} | ${s.zeroLoss ? "yes" : "no"} |`);
  return [head, `|${"---|".repeat(22)}`, ...rows].join("\n");
}

/** Highest offered rate that passed, with every lower step of that target also passing. */
export function bestZeroLoss(steps: readonly StepResult[], target: string, transport: string): StepResult | undefined {
  let best: StepResult | undefined;
  for (const s of steps.filter((x) => x.target === target && x.transport === transport).sort((a, b) => a.offered - b.offered)) {
    if (!s.zeroLoss) break;
    best = s;
  }
  return best;
}

function median(xs: number[]): number | undefined {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return v.length ? v[Math.floor(v.length / 2)] : undefined;
}

/** CPU per message: less sensitive to other tenants of the box than rates are (they take CPU time away,
 *  they add little to the time each message costs). Steps ≥ 1000/s, where fixed costs (timers, keepalive) are amortized. */
function costLine(steps: readonly StepResult[], ceilings: readonly DirectionResult[]): string {
  const at = (target: string, f: (s: StepResult) => number | undefined) =>
    median(steps.filter((s) => s.target === target && s.offered >= 1000 && s.delivered > 0).map((s) => f(s) ?? NaN));
  const stox = at("stox", (s) => s.gatewayUsPerMsg);
  const kam = at("kamailio", (s) => s.gatewayUsPerMsg);
  const prosodyPaced = at("prosody", (s) => s.prosodyUsPerMsg);
  const prosodyCeiling = median(ceilings.map((c) => (c.prosodyCpuPct / 100 / c.msgPerSec) * 1e6));
  const fmt = (us: number | undefined) => (us === undefined ? "-" : `${Math.round(us)} µs (≈ ${Math.round(1e6 / us)}/s per core)`);
  return `CPU per relayed message (median of steps ≥ 1000/s): stox ${fmt(stox)}, Kamailio ${fmt(kam)} (all processes); Prosody ${fmt(prosodyPaced)} at paced rates, ${fmt(prosodyCeiling)} at its ceiling. stox ÷ Prosody cost: ${ratio(stox, prosodyPaced)}; stox ÷ Kamailio cost: ${ratio(stox, kam)}.`;
}

const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined && b > 0 ? (a / b).toFixed(2) : "-");

export function summary(r: RunReport): string {
  const c2c = r.ceilings.filter((c) => c.direction === "component→client");
  // The highest: a starved run under-measures Prosody, never over-measures it.
  const ceiling = c2c.length ? Math.max(...c2c.map((c) => c.msgPerSec)) : undefined;
  const lines: string[] = [];
  lines.push(`Prosody component→client ceiling: ${c2c.map((c) => `${c.msgPerSec}/s (p50 ${c.p50Ms} ms, p99 ${c.p99Ms} ms, Prosody ${c.prosodyCpuPct}%, load ${c.loadAvg1})`).join("; then ")} — the higher one is used below (a starved run under-measures Prosody; it cannot over-measure it).`);
  lines.push("");
  lines.push("| target | tr | best zero-loss rate/s | ÷ Prosody ceiling | ÷ Kamailio | p99 ms there | p99 added over Prosody alone at that rate | gateway CPU there | PSS before → after MB |");
  lines.push(`|${"---|".repeat(9)}`);
  const transports = [...new Set(r.steps.filter((s) => s.target !== "prosody").map((s) => s.transport))];
  for (const tr of transports) {
    const kam = bestZeroLoss(r.steps, "kamailio", tr);
    for (const target of ["stox", "kamailio"]) {
      if (!r.steps.some((s) => s.target === target && s.transport === tr)) continue;
      const best = bestZeroLoss(r.steps, target, tr);
      const base = best && r.steps.find((s) => s.target === "prosody" && s.offered === best.offered);
      const added = best && base ? (best.p99Ms - base.p99Ms).toFixed(3) : "-";
      const m = r.memory.get(target);
      const mem = m ? `${m.before.pssMb} → ${m.after?.pssMb ?? "?"} (RSS ${m.before.rssMb} → ${m.after?.rssMb ?? "?"})` : "-";
      lines.push(`| ${target} | ${tr} | ${best?.offered ?? "none"} | ${ratio(best?.offered, ceiling)} | ${target === "stox" ? ratio(best?.offered, kam?.offered) : "1.00"} | ${best?.p99Ms ?? "-"} | ${added} | ${best ? cpu(best) : "-"} | ${mem} |`);
    }
  }
  lines.push("");
  lines.push(costLine(r.steps, c2c));
  for (const [target, why] of r.notRun) lines.push(`\n${target} not run: ${why}`);
  return lines.join("\n");
}
