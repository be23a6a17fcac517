// One load step of the IM benchmark and its verdict. A load source (SIPp through a gateway, or the
// paced component sender for Prosody alone) runs for `seconds` at `rate`; the receiver counts what the
// XMPP client got; CPU of every party comes from /proc over the sending window.
//
// Zero loss (peers.md "Benchmark honesty"): every message received exactly once no later than 1 s after
// the last one was sent, the generator reached ≥ 90% of the offered rate, ≤ 0.1% of the requests were
// retransmitted, no failed call.
import { cpus, loadavg } from "node:os";
import { percentile, wallMs, type ImReceiver } from "./im-receiver.js";
import { cpuDelta, machineTicks, ticksOf, type CpuDelta } from "./proc-stats.js";

export interface StepResult {
  readonly target: string;
  readonly transport: string;
  readonly offered: number;
  readonly calls: number;
  /** Rate the generator actually sent at (from the stamps of the first and last message). */
  readonly sent: number;
  readonly delivered: number;
  readonly onTime: number;
  readonly lost: number;
  readonly duplicates: number;
  readonly failed: number;
  readonly retrans: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Last receive after the last send stamp. */
  readonly catchUpMs: number;
  readonly gatewayCpu: CpuDelta | undefined;
  readonly prosodyCpu: number;
  /** CPU µs per delivered message, over the sending window (gateway: all its processes). */
  readonly gatewayUsPerMsg: number | undefined;
  readonly prosodyUsPerMsg: number;
  readonly sippCpu: number | undefined;
  /** The bench process: the XMPP client (and, for the baseline, the component sender). */
  readonly benchCpu: number;
  /** Whole machine, % of one core (200% = both cores busy). */
  readonly machineCpu: number;
  readonly drops: string;
  readonly load: number;
  readonly saturated: string;
  readonly zeroLoss: boolean;
}

export interface StepParties {
  readonly receiver: ImReceiver;
  readonly prosodyPid: number;
  readonly gatewayPids: (() => number[]) | undefined;
}

export interface LoadOutcome {
  readonly failed: number;
  readonly retrans: number;
  /** SIPp's CPU % over the window (undefined for the in-process baseline). */
  readonly sippCpu: number | undefined;
  readonly drops: string;
}

const r3 = (x: number) => Number(x.toFixed(3));
const perMsg = (cpuSeconds: number, n: number) => (n > 0 ? Math.round((cpuSeconds / n) * 1e6) : NaN);

/** Runs `load` (resolves when the generator finished) and evaluates the step. */
export async function measureStep(
  p: StepParties, meta: { target: string; transport: string; step: number; rate: number; seconds: number },
  load: () => Promise<LoadOutcome>,
): Promise<StepResult> {
  const calls = meta.rate * meta.seconds;
  p.receiver.begin(meta.step, calls);
  const gw0 = p.gatewayPids ? ticksOf(p.gatewayPids()) : undefined;
  const pr0 = ticksOf([p.prosodyPid]);
  const self0 = process.cpuUsage();
  const m0 = machineTicks();
  const t0 = performance.now();
  const outcome = await load();
  const windowS = (performance.now() - t0) / 1000;
  const gatewayCpu = gw0 && p.gatewayPids ? cpuDelta(gw0, ticksOf(p.gatewayPids()), windowS) : undefined;
  const prosody = cpuDelta(pr0, ticksOf([p.prosodyPid]), windowS);
  const prosodyCpu = prosody.totalPct;
  const self = process.cpuUsage(self0);
  const m1 = machineTicks();
  const machineCpu = Math.round(((m1.busy - m0.busy) / Math.max(1, m1.total - m0.total)) * cpus().length * 100);

  // Wait for stragglers: up to 3 s after the last stamp, to tell "late" from "lost" in the report.
  const waitStart = wallMs();
  while (p.receiver.received < calls && wallMs() < Math.max(waitStart, p.receiver.tally().lastStampMs) + 3000) {
    await new Promise((r) => setTimeout(r, 20));
  }
  const t = p.receiver.tally();
  const lat = t.latencies();
  const spanS = (t.lastStampMs - t.firstStampMs) / 1000;
  const sent = t.delivered > 1 && spanS > 0 ? Math.round((calls - 1) / spanS) : 0;
  const onTime = t.deliveredBy(t.lastStampMs + 1000);
  const zeroLoss = onTime === calls && t.duplicates === 0 && outcome.failed === 0
    && sent >= 0.9 * meta.rate && outcome.retrans <= calls / 1000;
  const benchCpu = Math.round(((self.user + self.system) / 1e6 / windowS) * 100);
  const busy: string[] = [];
  if (gatewayCpu && gatewayCpu.maxPct >= 85) busy.push(`${meta.target} ${gatewayCpu.maxPct}%`);
  if (prosodyCpu >= 85) busy.push(`prosody ${prosodyCpu}%`);
  if ((outcome.sippCpu ?? 0) >= 85) busy.push(`sipp ${outcome.sippCpu}%`);
  if (benchCpu >= 85) busy.push(`client ${benchCpu}%`);
  if (machineCpu >= 185) busy.push(`machine ${machineCpu}%`);
  return {
    target: meta.target, transport: meta.transport, offered: meta.rate, calls, sent,
    delivered: t.delivered, onTime, lost: calls - t.delivered, duplicates: t.duplicates,
    failed: outcome.failed, retrans: outcome.retrans,
    p50Ms: r3(percentile(lat, 0.5)), p99Ms: r3(percentile(lat, 0.99)), maxMs: r3(lat.length ? lat[lat.length - 1]! : NaN),
    catchUpMs: Math.round(Math.max(0, t.lastReceiveMs - t.lastStampMs)),
    gatewayCpu, prosodyCpu,
    gatewayUsPerMsg: gatewayCpu ? perMsg(gatewayCpu.cpuSeconds, t.delivered) : undefined,
    prosodyUsPerMsg: perMsg(prosody.cpuSeconds, t.delivered),
    sippCpu: outcome.sippCpu, benchCpu, machineCpu, drops: outcome.drops,
    load: Number(loadavg()[0]!.toFixed(1)),
    saturated: busy.join(", ") || "none",
    zeroLoss,
  };
}
