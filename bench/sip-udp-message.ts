// SIP MESSAGE over UDP: SIPp UAC at increasing rates against the stack answering 200 in this process.
// Per step: offered and achieved rate, failed calls, retransmissions, duplicates, catch-up after the
// generator stopped, the stack's and SIPp's CPU (from /proc/PID/stat), and the peers.md "zero loss"
// verdict. Not part of the test suite. Run:
//   node --expose-gc --import ./scripts/ts-register.mjs bench/sip-udp-message.ts [--rates 1000,2500,5000,7000] [--seconds 10]
import { loadavg } from "node:os";
import pino from "pino";
import { createSipStack } from "../src/sip/stack.js";
import { scenario, startSipp } from "../test/support/peers/sipp.js";
import { CLK_TCK, cpuTicks, udpDrops } from "./lib/proc-stats.js";

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] ?? dflt : dflt;
}

interface Step {
  offered: number; achieved: number; calls: number; ok: number; failed: number; retrans: number;
  delivered: number; duplicates: number; catchUpMs: number; stackCpu: number; sippCpu: number; rssMb: number; heapMb: number; stackDrops: number; sippDrops: number; liveTx: number; load: number; zeroLoss: boolean;
}

async function main(): Promise<void> {
  const rates = arg("rates", "1000,2500,5000,7000").split(",").map(Number);
  const seconds = Number(arg("seconds", "10"));
  const stack = createSipStack({ listen: [{ transport: "UDP", host: "127.0.0.1", port: 0 }], logger: pino({ level: "silent" }) });
  await stack.start();
  const seen = new Map<string, number>();
  let lastDelivery = 0;
  let firstDelivery = 0;
  stack.onRequest((tx) => {
    const id = tx.request.headers.get("call-id") ?? "";
    seen.set(id, (seen.get(id) ?? 0) + 1);
    const now = performance.now();
    if (firstDelivery === 0) firstDelivery = now;
    lastDelivery = now;
    tx.respond(200);
  });
  const port = stack.localContact("UDP").port;
  const steps: Step[] = [];
  for (const rate of rates) {
    seen.clear();
    firstDelivery = 0;
    const calls = rate * seconds;
    const cpu0 = cpuTicks("self");
    const t0 = performance.now();
    const sipp = await startSipp({
      scenario: scenario("transport-message-uac.xml"), remote: `127.0.0.1:${port}`, transport: "u1",
      calls, rate, limit: Math.max(1000, rate * 2), service: "bench", timeoutS: seconds + 60,
      // SIPp reads its socket less often than we answer: a 4 MB buffer keeps the kernel from dropping our 200s.
      extraArgs: ["-max_recv_loops", "10000", "-max_sched_loops", "10000", "-buff_size", "4194304"],
    });
    const pid = sipp.process.child.pid!;
    let sippTicks = 0;
    let sippDrops = 0;
    const sippBase = cpuTicks(pid);
    const stackDrops0 = udpDrops(port);
    const poll = setInterval(() => {
      const t = cpuTicks(pid);
      if (!Number.isNaN(t)) sippTicks = t - sippBase;
      sippDrops = Math.max(sippDrops, udpDrops(sipp.localPort)); // read while SIPp's socket exists
    }, 200);
    const r = await sipp.result();
    clearInterval(poll);
    await sipp.stop();
    const wallS = (performance.now() - t0) / 1000;
    const stackDrops = udpDrops(port) - stackDrops0;
    const stackCpu = ((cpuTicks("self") - cpu0) / CLK_TCK / wallS) * 100;
    const sendEnd = t0 + seconds * 1000;
    let duplicates = 0;
    for (const n of seen.values()) if (n > 1) duplicates += n - 1;
    const ok = Number(r.stats["SuccessfulCall(C)"] ?? 0);
    const failed = Number(r.stats["FailedCall(C)"] ?? 0);
    const retrans = Number(r.stats["Retransmissions(C)"] ?? 0);
    const delivered = seen.size;
    const span = (lastDelivery - firstDelivery) / 1000;
    const achieved = span > 0 ? delivered / span : 0;
    const catchUpMs = Math.max(0, lastDelivery - sendEnd);
    // peers.md "Benchmark honesty": all delivered once, ≤ 1 s catch-up, ≥ 90% of offered, ≤ 0.1% retransmitted.
    const zeroLoss = delivered === calls && duplicates === 0 && failed === 0 && catchUpMs <= 1000 && achieved >= 0.9 * rate && retrans <= calls / 1000;
    // With --expose-gc, collect first so RSS/heap show what live transactions hold, not garbage.
    (globalThis as { gc?: () => void }).gc?.();
    const step: Step = { offered: rate, achieved: Math.round(achieved), calls, ok, failed, retrans, delivered, duplicates, catchUpMs: Math.round(catchUpMs), stackCpu: Math.round(stackCpu), sippCpu: Math.round((sippTicks / CLK_TCK / wallS) * 100), rssMb: Math.round(process.memoryUsage().rss / 1048576), heapMb: Math.round(process.memoryUsage().heapUsed / 1048576), stackDrops, sippDrops, liveTx: stack.stats().transactions, load: Number(loadavg()[0]!.toFixed(1)), zeroLoss };
    steps.push(step);
    console.log(JSON.stringify(step));
    await new Promise((res) => setTimeout(res, 2000)); // let Timer J of the previous step drain a little
  }
  console.log("\n| offered/s | achieved/s | calls | failed | retrans | kernel drops stack / SIPp | duplicates | catch-up ms | stack CPU | SIPp CPU | stack RSS / heap MB | live tx | load | zero loss |");
  console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
  for (const s of steps) console.log(`| ${s.offered} | ${s.achieved} | ${s.calls} | ${s.failed} | ${s.retrans} | ${s.stackDrops} / ${s.sippDrops} | ${s.duplicates} | ${s.catchUpMs} | ${s.stackCpu}% | ${s.sippCpu}% | ${s.rssMb} / ${s.heapMb} | ${s.liveTx} | ${s.load} | ${s.zeroLoss ? "yes" : "no"} |`);
  await stack.close();
  process.exit(0);
}

void main();
