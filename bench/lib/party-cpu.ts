// CPU of each party over one measured window: this process (the in-process gateway and its XMPP test
// clients), Prosody, SIPp (or any other child), and the whole machine, in % of one core, plus CPU
// seconds (a cost that contention changes less than the rate does). peers.md "Benchmark honesty":
// each side's CPU tells which one saturated.
import { availableParallelism, loadavg } from "node:os";
import { CLK_TCK, cpuTicks, machineTicks } from "./proc-stats.js";

export interface PartyCpu {
  readonly seconds: number;
  /** name → { pct of one core, cpu seconds } */
  readonly parties: Readonly<Record<string, { readonly pct: number; readonly cpuS: number }>>;
  /** Busy share of all cores, in % of one core (200 = both cores of a 2-core machine busy). */
  readonly machinePct: number;
  readonly load1: number;
}

export interface CpuWindow {
  end(): PartyCpu;
}

/** Starts a window over `pids` (name → PID; "self" is this process). */
export function cpuWindow(pids: Readonly<Record<string, number | "self">>): CpuWindow {
  const t0 = performance.now();
  const self0 = process.cpuUsage();
  const ticks0 = new Map(Object.entries(pids).map(([n, p]) => [n, p === "self" ? 0 : cpuTicks(p)]));
  const m0 = machineTicks();
  return {
    end() {
      const seconds = (performance.now() - t0) / 1000;
      const parties: Record<string, { pct: number; cpuS: number }> = {};
      for (const [name, pid] of Object.entries(pids)) {
        let cpuS: number;
        if (pid === "self") {
          const u = process.cpuUsage(self0);
          cpuS = (u.user + u.system) / 1e6;
        } else cpuS = (cpuTicks(pid) - (ticks0.get(name) ?? 0)) / CLK_TCK;
        parties[name] = { pct: Math.round((cpuS / seconds) * 100), cpuS: Number(cpuS.toFixed(2)) };
      }
      const m1 = machineTicks();
      const cores = m1.total - m0.total > 0 ? (m1.busy - m0.busy) / (m1.total - m0.total) : 0;
      return { seconds, parties, machinePct: Math.round(cores * 100 * availableParallelism()), load1: Number(loadavg()[0]!.toFixed(1)) };
    },
  };
}
