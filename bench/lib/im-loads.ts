// Load sources for measureStep: SIPp sending MESSAGEs to a gateway, and a paced component sender that
// writes the same messages straight into Prosody (the "Prosody alone at this rate" latency baseline).
import { messageUac, scenarioFile } from "../../test/support/sipp-im-scenarios.js";
import { startSipp, type SippTransport } from "../../test/support/peers/sipp.js";
import type { ComponentLink } from "../../src/xmpp/transport/component.js";
import { xml } from "../../src/xmpp/xml.js";
import { sippStamp, stampedBody, wallMs } from "./im-receiver.js";
import { cpuTicks, CLK_TCK, udpDrops } from "./proc-stats.js";
import type { LoadOutcome } from "./im-step.js";

export interface SippLoadOptions {
  readonly sipPort: number;
  readonly from: string;
  readonly to: string;
  readonly step: number;
  readonly rate: number;
  readonly seconds: number;
  readonly transport: SippTransport;
  readonly bodyBytes: number;
}

// Expanded lengths of SIPp keywords in the body: [call_number] up to 5 digits, [timestamp] as
// "YYYY-MM-DD\tHH:MM:SS.uuuuuu\tEEEEEEEEEE.uuuuuu".
const CALL_NUMBER_LEN = 5;
const TIMESTAMP_LEN = 44;

/** SIPp UAC: `rate × seconds` MESSAGEs, text/plain, each expecting 200. */
export function sippLoad(o: SippLoadOptions): () => Promise<LoadOutcome> {
  const template = `s${o.step} n[call_number] ts=[timestamp] `;
  const expanded = template.length - "[call_number]".length + CALL_NUMBER_LEN - "[timestamp]".length + TIMESTAMP_LEN;
  const body = template + "x".repeat(Math.max(0, o.bodyBytes - expanded));
  const file = scenarioFile(`bench-s${o.step}.xml`, messageUac({ from: o.from, to: o.to, contentType: "text/plain;charset=UTF-8", body, expectStatus: 200 }));
  const udp = o.transport.startsWith("u");
  return async () => {
    const calls = o.rate * o.seconds;
    const sipp = await startSipp({
      scenario: file, remote: `127.0.0.1:${o.sipPort}`, transport: o.transport,
      calls, rate: o.rate, limit: Math.max(2000, o.rate), service: "alice", timeoutS: o.seconds + 60,
      // As bench/sip-udp-message.ts: SIPp reads its socket less often than the gateway answers; more loops
      // per tick and a 4 MB buffer keep the kernel from dropping 200s (that would show as retransmissions).
      extraArgs: ["-max_recv_loops", "10000", "-max_sched_loops", "10000", "-buff_size", "4194304"],
    });
    const pid = sipp.process.child.pid!;
    const base = cpuTicks(pid);
    const gwDrops0 = udp ? udpDrops(o.sipPort) : 0;
    let ticks = 0;
    let sippDrops = 0;
    const t0 = performance.now();
    const poll = setInterval(() => {
      const t = cpuTicks(pid);
      if (!Number.isNaN(t)) ticks = t - base;
      if (udp) sippDrops = Math.max(sippDrops, udpDrops(sipp.localPort)); // while SIPp's socket exists
    }, 200);
    const r = await sipp.result();
    clearInterval(poll);
    const wallS = (performance.now() - t0) / 1000;
    await sipp.stop();
    const failed = Number(r.stats["FailedCall(C)"] ?? NaN);
    const ok = Number(r.stats["SuccessfulCall(C)"] ?? NaN);
    if (r.exitCode !== 0 && Number.isNaN(failed)) throw new Error(`sipp failed to run (exit ${r.exitCode}): ${r.log.slice(-2000)}`);
    return {
      // Calls SIPp neither completed nor counted as failed (timeout at exit) are failures too.
      failed: failed + Math.max(0, calls - ok - failed),
      retrans: Number(r.stats["Retransmissions(C)"] ?? 0),
      sippCpu: Math.round((ticks / CLK_TCK / wallS) * 100),
      drops: udp ? `${udpDrops(o.sipPort) - gwDrops0}/${sippDrops}` : "tcp",
    };
  };
}

export interface PacedLoadOptions {
  readonly link: ComponentLink;
  readonly from: string;
  readonly to: string;
  readonly step: number;
  readonly rate: number;
  readonly seconds: number;
  readonly bodyBytes: number;
}

/** Component → client at `rate`/s, paced on a ~1 ms tick like SIPp's scheduler, stamped at send. */
export function pacedLoad(o: PacedLoadOptions): () => Promise<LoadOutcome> {
  return () => new Promise<LoadOutcome>((resolve) => {
    const calls = o.rate * o.seconds;
    let seq = 0;
    let rejected = 0;
    const t0 = performance.now();
    const tick = () => {
      const due = Math.min(calls, Math.floor(((performance.now() - t0) / 1000) * o.rate) + 1);
      while (seq < due) {
        seq++;
        const body = stampedBody(o.step, seq, sippStamp(wallMs()), o.bodyBytes);
        const r = o.link.send(xml("message", { from: o.from, to: o.to, type: "chat", id: `p${o.step}-${seq}` }, xml("body", {}, body)));
        if (r.kind !== "sent") rejected++;
      }
      if (seq < calls) setTimeout(tick, 1);
      else resolve({ failed: rejected, retrans: 0, sippCpu: undefined, drops: "-" });
    };
    tick();
  });
}
