// Presence fan-out (issue 4a): one XMPP presentity (alice, a real client through Prosody) watched by N
// SIP users (SIPp, one dialog per distinct From user). Setup: N SUBSCRIBEs → N `subscribe` stanzas,
// which alice approves at once → N NOTIFY active. Then alice changes her presence `--changes` times;
// per change: time from her stanza to the last NOTIFY answered 200 (seen on the gateway's wire), and
// NOTIFY/s, with the CPU of the gateway (this process: gateway + alice's client), Prosody and SIPp.
// Prosody broadcasts her presence to each of the N contacts (RFC 6121 §4.2.2), so the gateway gets N
// copies per change; the first updates the cache, the coalescer (RFC 3856 §6.10) flushes one fan-out.
// Not part of the test suite. Run:
//   node --expose-gc --import ./scripts/ts-register.mjs bench/presence-fanout.ts [--watchers 1000,5000]
//     [--changes 3] [--subscribe-rate 500] [--interval 0] [--roster memory|internal] [--preapproved] [--store memory|redis]
// --preapproved writes alice's roster with the N watchers already approved before she logs in: Prosody
// then answers each `subscribe` itself (RFC 6121 §3.1.3) and the setup costs it no roster change.
// Without it, Prosody 0.12 spends time proportional to the roster size on every approval (measured:
// see docs/benchmarks.md), which makes a 5000-contact setup take minutes of Prosody CPU.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadavg } from "node:os";
import { xml, type Element } from "../src/xmpp/xml.js";
import { parseSippStats, startSipp, type SippPeer } from "../test/support/peers/sipp.js";
import { waitFor } from "../test/support/peers/process.js";
import { startPresenceDeployment, SIP_DOMAIN, XMPP_DOMAIN, type PresenceDeployment, type ProsodyRoster } from "./lib/presence-deployment.js";
import { fanoutWatcherUac, parseSippLog } from "./lib/presence-scenarios.js";
import { tallySipWire, type WireTally } from "./lib/sip-wire-tally.js";
import { cpuWindow, type PartyCpu } from "./lib/party-cpu.js";
import { calibrateClock, wallMs } from "./lib/im-receiver.js";
import { udpDrops } from "./lib/proc-stats.js";
import { startRedis, type RedisPeer } from "../test/support/peers/redis.js";

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] ?? dflt : dflt;
}
const MARK = "benchr";
const SHOWS = ["away", "dnd", "xa", "chat"] as const;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const heapMb = () => Math.round(process.memoryUsage().heapUsed / 1048576);
const rssMb = () => Math.round(process.memoryUsage().rss / 1048576);

interface ChangeResult {
  readonly watchers: number; readonly change: number;
  readonly firstNotifyMs: number; readonly lastAnsweredMs: number; readonly notifySpanMs: number;
  readonly notifyPerS: number; readonly notifyPerSSpan: number; readonly answered: number; readonly failed: number;
  readonly duplicates: number; readonly sippSeen: number; readonly cpu: PartyCpu;
}

interface SetupResult {
  readonly watchers: number; readonly setupS: number; readonly perS: number; readonly refused: number;
  readonly heapDeltaMb: number; readonly rssMb: number; readonly cpu: PartyCpu;
}

/** Polls every 2 ms; prints `progress()` every 5 s so that a stalled phase shows where it stalled. */
async function waitUntil(what: string, check: () => boolean, timeoutMs: number, progress: () => unknown): Promise<void> {
  const t = setInterval(() => console.error(`# waiting for ${what}: ${JSON.stringify(progress())}`), 5000);
  try { await waitFor(what, check, { timeoutMs, intervalMs: 2 }); } finally { clearInterval(t); }
}

interface RunOptions { readonly changes: number; readonly rate: number; readonly interval: number; readonly roster: ProsodyRoster; readonly preapproved: boolean; readonly store: "memory" | "redis" }

async function runWatchers(n: number, o: RunOptions): Promise<{ setup: SetupResult; changes: ChangeResult[]; exit: string }> {
  const redis: RedisPeer | undefined = o.store === "redis" ? await startRedis() : undefined;
  const d: PresenceDeployment = await startPresenceDeployment({
    users: ["alice"], notifyMinIntervalSeconds: o.interval, prosodyRoster: o.roster, ...(redis ? { redisUrl: redis.url } : {}),
  });
  let sipp: SippPeer | undefined;
  try {
    const tally: WireTally = tallySipWire(d.gateway.sip.stack);
    // SIPp's [call_number] counts from 1; w0 is spare.
    if (o.preapproved) d.preapprove("alice", Array.from({ length: n + 1 }, (_, i) => `w${i}@${SIP_DOMAIN}`));
    const alice = await d.client("alice");
    // The bench's alice approves every request at once (RFC 6121 §3.1.3 answer: `subscribed`).
    alice.onStanza((el: Element) => {
      if (el.name === "presence" && el.attrs.type === "subscribe") void alice.send(xml("presence", { to: String(el.attrs.from), type: "subscribed" }));
    });
    await new Promise((r) => setTimeout(r, 500));
    gc();
    const heap0 = process.memoryUsage().heapUsed;
    calibrateClock();
    tally.reset();
    const logFile = join(d.prosody.dir, `sipp-fanout-${n}.log`);
    sipp = await startSipp({
      scenario: fanoutWatcherUac({ presentity: `alice@${XMPP_DOMAIN}`, watcherPrefix: "w", markerPrefix: MARK }),
      remote: `127.0.0.1:${d.sipPort}`, transport: "u1", calls: n, rate: o.rate, limit: n, timeoutS: 600,
      // A 4 MB receive buffer: N NOTIFYs arrive in one burst (peers.md: name the side that dropped).
      extraArgs: ["-max_recv_loops", "10000", "-max_sched_loops", "10000", "-buff_size", "4194304", "-trace_logs", "-log_file", logFile],
    });
    const sippPid = sipp.process.child.pid!;
    const parties = { gateway: "self" as const, prosody: d.prosody.pid!, sipp: sippPid };
    const setupCpu = cpuWindow(parties);
    const log = () => parseSippLog(readFileSync(logFile, "utf8"));
    await waitUntil(`${n} active NOTIFYs answered`, () => tally.snapshot().notify2xx >= 2 * n, Number(arg("setup-timeout", "300")) * 1000, () => ({ ...tally.snapshot(), sipWatchers: d.gateway.presence!.sipWatchers.live }));
    const s = tally.snapshot();
    const setupCpuR = setupCpu.end();
    await d.gateway.presence!.idle();
    await new Promise((r) => setTimeout(r, 1000)); // late full-state NOTIFYs of the first watchers
    await d.gateway.presence!.idle();
    gc();
    const setup: SetupResult = {
      watchers: n, setupS: Number(((s.lastNotify2xxMs - s.firstSubscribeInMs) / 1000).toFixed(2)),
      perS: Math.round(n / ((s.lastNotify2xxMs - s.firstSubscribeInMs) / 1000)), refused: s.subscribeRefused,
      heapDeltaMb: Math.round((process.memoryUsage().heapUsed - heap0) / 1048576), rssMb: rssMb(), cpu: setupCpuR,
    };
    console.log(JSON.stringify({ setup }));

    const changes: ChangeResult[] = [];
    const drops0 = { gw: udpDrops(d.sipPort), sipp: udpDrops(sipp.localPort) };
    for (let k = 1; k <= o.changes; k++) {
      const mark = `${MARK}${k}`;
      calibrateClock();
      tally.reset();
      const cpu = cpuWindow(parties);
      const t0 = wallMs();
      await alice.send(xml("presence", {}, xml("show", {}, SHOWS[(k - 1) % SHOWS.length]!), xml("status", {}, mark)));
      await waitUntil(`change ${k}: ${n} NOTIFYs answered`, () => tally.snapshot().notify2xx >= n, 120_000, () => tally.snapshot());
      const cpuR = cpu.end();
      const w = tally.snapshot();
      await d.gateway.presence!.idle();
      const seen = new Set(log().filter((l) => l.mark === `${MARK}${k}`).map((l) => l.call)).size;
      const r: ChangeResult = {
        watchers: n, change: k,
        firstNotifyMs: Math.round(w.firstNotifyOutMs - t0), lastAnsweredMs: Math.round(w.lastNotify2xxMs - t0),
        notifySpanMs: Math.round(w.lastNotify2xxMs - w.firstNotifyOutMs),
        notifyPerS: Math.round(n / ((w.lastNotify2xxMs - t0) / 1000)), notifyPerSSpan: Math.round(n / ((w.lastNotify2xxMs - w.firstNotifyOutMs) / 1000)),
        answered: w.notify2xx, failed: w.notifyFailed, duplicates: w.duplicateAnswers, sippSeen: seen, cpu: cpuR,
      };
      console.log(JSON.stringify(r));
      changes.push(r);
      await new Promise((res) => setTimeout(res, 1000));
    }
    // One more change, not measured, tells every SIPp call to end (SIPp's CPU stays readable above).
    await alice.send(xml("presence", {}, xml("status", {}, `${MARK}${o.changes + 1}-last`)));
    const res = await sipp.result();
    const stats = parseSippStats(readFileSync(join(sipp.process.dir, "stats.csv"), "utf8"));
    const exit = `exit ${res.exitCode}, ok ${stats["SuccessfulCall(C)"]}, failed ${stats["FailedCall(C)"]}, SIPp retrans ${stats["Retransmissions(C)"]}, ` +
      `udp drops gateway/SIPp ${udpDrops(d.sipPort) - drops0.gw}/${udpDrops(sipp.localPort) - drops0.sipp}, heap ${heapMb()} MB`;
    console.error(`# ${n} watchers: SIPp ${exit}`);
    return { setup, changes, exit };
  } finally {
    await sipp?.stop();
    await d.stop();
    await redis?.stop();
  }
}

async function main(): Promise<void> {
  const watchers = arg("watchers", "1000,5000").split(",").map(Number);
  const o: RunOptions = { changes: Number(arg("changes", "3")), rate: Number(arg("subscribe-rate", "500")), interval: Number(arg("interval", "0")), roster: arg("roster", "memory") as ProsodyRoster, preapproved: process.argv.includes("--preapproved"), store: arg("store", "memory") as "memory" | "redis" };
  // A pre-approved roster is a file that Prosody reads at alice's login: internal storage.
  const opts: RunOptions = o.preapproved ? { ...o, roster: "internal" } : o;
  console.error(`# load average at start: ${loadavg().map((l) => l.toFixed(1)).join(" ")}; ${JSON.stringify(opts)}; SIP domain ${SIP_DOMAIN}`);
  const out: Awaited<ReturnType<typeof runWatchers>>[] = [];
  for (const n of watchers) out.push(await runWatchers(n, opts));
  const pc = (c: PartyCpu, p: string) => `${c.parties[p]?.pct ?? "?"}%`;
  console.log("\n| watchers | setup s | SUBSCRIBE→active /s | refused | heap Δ MB | gateway / Prosody / SIPp CPU (setup) | load |");
  console.log("|---|---|---|---|---|---|---|");
  for (const { setup: s } of out) console.log(`| ${s.watchers} | ${s.setupS} | ${s.perS} | ${s.refused} | ${s.heapDeltaMb} | ${pc(s.cpu, "gateway")} / ${pc(s.cpu, "prosody")} / ${pc(s.cpu, "sipp")} | ${s.cpu.load1} |`);
  console.log("\n| watchers | change | first NOTIFY ms | last 200 ms | NOTIFY/s (stanza→last 200) | NOTIFY/s (first→last) | answered | failed | dup 200s | gateway CPU (s) | Prosody CPU | SIPp CPU | machine | load |");
  console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
  for (const { changes } of out) {
    for (const r of changes) {
      console.log(`| ${r.watchers} | ${r.change} | ${r.firstNotifyMs} | ${r.lastAnsweredMs} | ${r.notifyPerS} | ${r.notifyPerSSpan} | ${r.answered} (SIPp ${r.sippSeen}) | ${r.failed} | ${r.duplicates} | ${pc(r.cpu, "gateway")} (${r.cpu.parties.gateway?.cpuS}) | ${pc(r.cpu, "prosody")} | ${pc(r.cpu, "sipp")} | ${r.cpu.machinePct}% | ${r.cpu.load1} |`);
    }
  }
  for (const { setup, exit } of out) console.log(`- ${setup.watchers}: SIPp ${exit}`);
  console.error(`# load average at end: ${loadavg().map((l) => l.toFixed(1)).join(" ")}`);
}

main().then(() => process.exit(0), (err: unknown) => { console.error(err); process.exit(1); });
