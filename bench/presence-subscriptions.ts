// Presence subscriptions at scale (issue 4b): N SIP subscriptions from SIPp over UDP (one dialog per
// distinct watcher "w<call_number>", all watching alice), kept open by the scenario while the bench
// measures: setup rate with zero failures, the gateway's heap and RSS delta per subscription (after
// the SIP transactions of the setup have ended and a forced GC), and with the Redis store the Redis
// used_memory delta per subscription. alice is online with the N watchers pre-approved in her roster,
// so her server answers each `subscribe` itself (RFC 6121 §3.1.3) and every dialog ends up active,
// the steady state of a deployment (see bench/presence-fanout.ts for why not approved live).
// Not part of the test suite. Run:
//   node --expose-gc --import ./scripts/ts-register.mjs bench/presence-subscriptions.ts [--count 10000]
//     [--rate 500] [--stores memory,redis] [--hold 90] [--heap-snapshot DIR]
// --heap-snapshot writes V8 heap snapshots before and after (diff them by constructor to see what a
// subscription holds).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadavg } from "node:os";
import { writeHeapSnapshot } from "node:v8";
import { Redis } from "ioredis";
import { parseSippStats, startSipp, type SippPeer } from "../test/support/peers/sipp.js";
import { waitFor } from "../test/support/peers/process.js";
import { startRedis, type RedisPeer } from "../test/support/peers/redis.js";
import { startPresenceDeployment, SIP_DOMAIN, XMPP_DOMAIN, type PresenceDeployment } from "./lib/presence-deployment.js";
import { holdingWatcherUac } from "./lib/presence-scenarios.js";
import { tallySipWire } from "./lib/sip-wire-tally.js";
import { cpuWindow, type PartyCpu } from "./lib/party-cpu.js";
import { calibrateClock } from "./lib/im-receiver.js";
import { udpDrops } from "./lib/proc-stats.js";

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] ?? dflt : dflt;
}
const gc = (globalThis as { gc?: () => void }).gc;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface StoreResult {
  readonly store: string; readonly count: number; readonly live: number;
  readonly setupS: number; readonly perS: number; readonly refused: number; readonly sippFailed: number; readonly sippRetrans: number;
  readonly drops: string; readonly heapBPerSub: number; readonly rssBPerSub: number; readonly redisBPerSub: number | undefined;
  readonly heapMb: number; readonly rssMb: number; readonly liveTx: number; readonly cpu: PartyCpu;
}

async function usedMemory(url: string): Promise<number> {
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await r.connect();
  const info = await r.info("memory");
  r.disconnect();
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? NaN);
}

function settledHeap(): { heap: number; rss: number } {
  if (gc === undefined) throw new Error("run with node --expose-gc: heap deltas need a forced GC");
  gc(); gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss };
}

async function runStore(kind: "memory" | "redis", count: number, rate: number, holdS: number): Promise<StoreResult> {
  let redis: RedisPeer | undefined;
  let d: PresenceDeployment | undefined;
  let sipp: SippPeer | undefined;
  try {
    if (kind === "redis") redis = await startRedis();
    d = await startPresenceDeployment({
      users: ["alice"], notifyMinIntervalSeconds: 5, prosodyRoster: "internal",
      ...(redis ? { redisUrl: redis.url } : {}),
      // One SIP domain and one presentity carry all N here: lift the per-user cap (default 1000).
      config: (base) => ({ ...base, presence: { ...base.presence, maxSubscriptionsPerUser: count + 10 } }),
    });
    d.preapprove("alice", Array.from({ length: count + 1 }, (_, i) => `w${i}@${SIP_DOMAIN}`));
    await d.client("alice");
    const tally = tallySipWire(d.gateway.sip.stack);
    await pause(1000);
    const m0 = settledHeap();
    const snapDir = process.argv.includes("--heap-snapshot") ? arg("heap-snapshot", ".") : undefined;
    if (snapDir) console.error(`# heap snapshot before: ${writeHeapSnapshot(join(snapDir, `presence-subs-${kind}-before.heapsnapshot`))}`);
    const r0 = redis ? await usedMemory(redis.url) : 0;
    calibrateClock();
    tally.reset();
    sipp = await startSipp({
      scenario: holdingWatcherUac({ presentity: `alice@${XMPP_DOMAIN}`, watcherPrefix: "w", holdMs: holdS * 1000 }),
      remote: `127.0.0.1:${d.sipPort}`, transport: "u1", calls: count, rate, limit: count, timeoutS: holdS + 600,
      extraArgs: ["-max_recv_loops", "10000", "-max_sched_loops", "10000", "-buff_size", "4194304"],
    });
    const drops0 = udpDrops(d.sipPort);
    const cpu = cpuWindow({ gateway: "self", prosody: d.prosody.pid!, sipp: sipp.process.child.pid! });
    const progress = setInterval(() => console.error(`# ${kind}: ${JSON.stringify(tally.snapshot())}`), 5000);
    try {
      // Pending NOTIFY + active NOTIFY per dialog, both answered.
      await waitFor(`${count} subscriptions active`, () => tally.snapshot().notify2xx >= 2 * count, { timeoutMs: 600_000, intervalMs: 5 });
    } finally { clearInterval(progress); }
    const cpuR = cpu.end();
    const w = tally.snapshot();
    await pause(1500); // SIPp writes its statistics every second (-fd 1)
    const stats = parseSippStats(readFileSync(join(sipp.process.dir, "stats.csv"), "utf8"));
    const drops = `${udpDrops(d.sipPort) - drops0}/${udpDrops(sipp.localPort)}`;
    // UDP server transactions linger 32 s (Timer J, RFC 3261 §17.2.2): measure what the dialogs hold.
    const stack = d.gateway.sip.stack;
    await waitFor("setup transactions ended", () => stack.stats().transactions < count / 100, { timeoutMs: 60_000, intervalMs: 500 }).catch(() => undefined);
    await d.gateway.presence!.idle();
    // The tally's per-NOTIFY answer set is the bench's bookkeeping, not the gateway's: drop it first.
    tally.reset();
    const m1 = settledHeap();
    if (snapDir) console.error(`# heap snapshot after: ${writeHeapSnapshot(join(snapDir, `presence-subs-${kind}-after.heapsnapshot`))}`);
    const r1 = redis ? await usedMemory(redis.url) : 0;
    const setupS = (w.lastNotify2xxMs - w.firstSubscribeInMs) / 1000;
    return {
      store: kind, count, live: d.gateway.presence!.sipWatchers.live,
      setupS: Number(setupS.toFixed(2)), perS: Math.round(count / setupS), refused: w.subscribeRefused,
      sippFailed: Number(stats["FailedCall(C)"] ?? NaN), sippRetrans: Number(stats["Retransmissions(C)"] ?? NaN), drops,
      heapBPerSub: Math.round((m1.heap - m0.heap) / count), rssBPerSub: Math.round((m1.rss - m0.rss) / count),
      redisBPerSub: redis ? Math.round((r1 - r0) / count) : undefined,
      heapMb: Math.round(m1.heap / 1048576), rssMb: Math.round(m1.rss / 1048576), liveTx: stack.stats().transactions, cpu: cpuR,
    };
  } finally {
    await sipp?.stop();
    await d?.stop();
    await redis?.stop();
  }
}

async function main(): Promise<void> {
  const count = Number(arg("count", "10000"));
  const rate = Number(arg("rate", "500"));
  const holdS = Number(arg("hold", "90"));
  const stores = arg("stores", "memory,redis").split(",") as ("memory" | "redis")[];
  console.error(`# load average at start: ${loadavg().map((l) => l.toFixed(1)).join(" ")}`);
  const out: StoreResult[] = [];
  for (const s of stores) {
    const r = await runStore(s, count, rate, holdS);
    console.log(JSON.stringify(r));
    out.push(r);
  }
  const pc = (c: PartyCpu, p: string) => `${c.parties[p]?.pct ?? "?"}%`;
  console.log("\n| store | subscriptions (live) | setup s | setup /s | refused | SIPp failed | SIPp retrans | UDP drops gw/SIPp | heap B/sub | RSS B/sub | Redis B/sub | heap / RSS MB | live tx | gateway / Prosody / SIPp CPU | load |");
  console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
  for (const r of out) {
    console.log(`| ${r.store} | ${r.count} (${r.live}) | ${r.setupS} | ${r.perS} | ${r.refused} | ${r.sippFailed} | ${r.sippRetrans} | ${r.drops} | ${r.heapBPerSub} | ${r.rssBPerSub} | ${r.redisBPerSub ?? "-"} | ${r.heapMb} / ${r.rssMb} | ${r.liveTx} | ${pc(r.cpu, "gateway")} / ${pc(r.cpu, "prosody")} / ${pc(r.cpu, "sipp")} | ${r.cpu.load1} |`);
  }
  console.error(`# load average at end: ${loadavg().map((l) => l.toFixed(1)).join(" ")}`);
}

main().then(() => process.exit(0), (err: unknown) => { console.error(err); process.exit(1); });
