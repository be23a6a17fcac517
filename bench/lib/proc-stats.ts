// Process accounting from /proc for the benchmarks: CPU ticks (utime + stime, all threads), the members
// of a process group (Kamailio forks workers; a detached child is its own group), memory as RSS and PSS
// summed over processes (PSS shares common pages fairly, as peers.md "Benchmark honesty" asks), and the
// kernel's drop counter for a UDP port.
import { readdirSync, readFileSync } from "node:fs";

export const CLK_TCK = 100; // Linux USER_HZ

/** Fields of /proc/PID/stat after the command name; index 0 is field 3 (state). */
function statFields(pid: number | "self"): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  } catch {
    return undefined;
  }
}

/** utime + stime in clock ticks (fields 14 and 15), or NaN once the process is gone. */
export function cpuTicks(pid: number | "self"): number {
  const f = statFields(pid);
  return f ? Number(f[11]) + Number(f[12]) : NaN;
}

/** PIDs whose process group is `pgid` (field 5 of stat). */
export function groupPids(pgid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync("/proc")) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const f = statFields(Number(name));
    if (f && Number(f[2]) === pgid) out.push(Number(name));
  }
  return out;
}

/** CPU ticks per PID, for a set of processes sampled at one instant. */
export function ticksOf(pids: readonly number[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const p of pids) {
    const t = cpuTicks(p);
    if (!Number.isNaN(t)) m.set(p, t);
  }
  return m;
}

export interface CpuDelta {
  /** Summed over the processes, in % of one core. */
  readonly totalPct: number;
  /** The busiest single process, in % of one core (a single-threaded worker saturates at ~100). */
  readonly maxPct: number;
  /** CPU time summed over the processes, in seconds: divided by messages it gives a cost that
   *  contention for the CPU does not change much, unlike the rate. */
  readonly cpuSeconds: number;
}

/** CPU between two samples over `seconds`; processes that appeared in between count from zero. */
export function cpuDelta(before: ReadonlyMap<number, number>, after: ReadonlyMap<number, number>, seconds: number): CpuDelta {
  let total = 0;
  let max = 0;
  for (const [pid, t] of after) {
    const d = t - (before.get(pid) ?? 0);
    total += d;
    if (d > max) max = d;
  }
  const pct = (ticks: number) => Math.round((ticks / CLK_TCK / seconds) * 100);
  return { totalPct: pct(total), maxPct: pct(max), cpuSeconds: total / CLK_TCK };
}

export interface Memory {
  readonly rssMb: number;
  readonly pssMb: number;
}

/** RSS and PSS summed over `pids` from smaps_rollup (kB in the file). */
export function memoryOf(pids: readonly number[]): Memory {
  let rss = 0;
  let pss = 0;
  for (const p of pids) {
    let text = "";
    try { text = readFileSync(`/proc/${p}/smaps_rollup`, "utf8"); } catch { continue; }
    rss += Number(/^Rss:\s+(\d+)/m.exec(text)?.[1] ?? 0);
    pss += Number(/^Pss:\s+(\d+)/m.exec(text)?.[1] ?? 0);
  }
  return { rssMb: Math.round(rss / 1024), pssMb: Math.round(pss / 1024) };
}

/** Datagrams the kernel dropped on UDP sockets bound to `port` (last column of /proc/net/udp{,6}). */
export function udpDrops(port: number): number {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  let drops = 0;
  for (const f of ["/proc/net/udp", "/proc/net/udp6"]) {
    let text = "";
    try { text = readFileSync(f, "utf8"); } catch { continue; }
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[1]?.endsWith(hex)) drops += Number(cols[cols.length - 1]);
    }
  }
  return drops;
}

/** Whole-machine busy CPU from /proc/stat, in % of one core, between two samples. */
export function machineTicks(): { busy: number; total: number } {
  const cpu = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0);
  const total = cpu.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}
