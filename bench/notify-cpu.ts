// The gateway's CPU per NOTIFY of a presence fan-out, without Prosody or SIPp: N notifier
// subscriptions are restored from store records (as after a restart) into the real SIP stack on
// loopback UDP, and `sipWatchers.fanOut` NOTIFYs them all, alternating two presence documents so that
// every round is a change. A minimal UAS in a CHILD process answers every request 200 (copying Via,
// From, To, Call-ID, CSeq, RFC 3261 §8.2.6.2), so its CPU is not in this process's figure.
// Per round: this process's utime+stime (process.cpuUsage) over the fan-out, divided by N = µs/NOTIFY.
// The whole path is counted: NOTIFY build → serialize → UDP send → client transaction → 200 parse →
// match → completion → store batch. Not part of the test suite. Run (under the bench lock):
//   node --expose-gc --import ./scripts/ts-register.mjs bench/notify-cpu.ts [--watchers 5000] [--rounds 8]
import { spawn, type ChildProcess } from "node:child_process";
import { BlockList } from "node:net";
import { loadavg } from "node:os";
import { PerformanceObserver, constants as perfConstants, type PerformanceEntry } from "node:perf_hooks";
import { pino } from "pino";
import { createSipEndpoint } from "../src/sip/endpoint.js";
import { createUasDialog, isDialogError, type DialogState } from "../src/sip/dialog/dialog.js";
import { createMemoryStore } from "../src/store/memory-store.js";
import type { SipWatcherSubscription } from "../src/store/store.js";
import { createKeyedSerial } from "../src/gateway/presence/keyed-serial.js";
import { createSipWatchers } from "../src/gateway/presence/sip-watchers.js";
import type { PresenceDeps } from "../src/gateway/presence/presence-deps.js";
import { testPlan } from "../test/unit/translate/address-fixture.js";
import { request } from "../test/unit/sip/dialog/fake-stack.js";

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] ?? dflt : dflt;
}

// The responder: plain dgram, no stox code, answers each request once (retransmissions too).
const RESPONDER = `
const dgram = require("node:dgram");
const s = dgram.createSocket("udp4");
let n = 0;
s.on("message", (m, r) => {
  const t = m.toString("latin1");
  if (!t.startsWith("NOTIFY ")) return;
  const end = t.indexOf("\\r\\n\\r\\n");
  const keep = [];
  for (const l of t.slice(0, end).split("\\r\\n").slice(1)) {
    const c = l.slice(0, l.indexOf(":")).toLowerCase();
    if (c === "via" || c === "v" || c === "from" || c === "f" || c === "to" || c === "t" || c === "call-id" || c === "i" || c === "cseq") keep.push(l);
  }
  n++;
  s.send("SIP/2.0 200 OK\\r\\n" + keep.join("\\r\\n") + "\\r\\nContent-Length: 0\\r\\n\\r\\n", r.port, r.address);
});
s.bind(0, "127.0.0.1", () => process.send({ port: s.address().port }));
process.on("message", (m) => { if (m === "stats") { const u = process.cpuUsage(); process.send({ n, cpu: u.user + u.system }); } });
`;

function startResponder(): Promise<{ child: ChildProcess; port: number; stats(): Promise<{ n: number; cpu: number }> }> {
  const child = spawn(process.execPath, ["-e", RESPONDER], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return new Promise((resolve) => {
    child.once("message", (m) => {
      const port = (m as { port: number }).port;
      resolve({
        child, port,
        stats: () => new Promise((r) => { child.once("message", (x) => r(x as { n: number; cpu: number })); child.send("stats"); }),
      });
    });
  });
}

const ALICE = "alice@xmpp.example";

function dialogOf(n: number, port: number): DialogState {
  const req = {
    ...request("SUBSCRIBE", `sip:${ALICE}`, {
      via: `SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bKs${n}`, from: `<sip:w${n}@sip.example>;tag=t${n}`, to: `<sip:${ALICE}>`,
      "call-id": `c${n}`, cseq: "1 SUBSCRIBE", contact: `<sip:w${n}@127.0.0.1:${port}>`,
    }),
    source: { transport: "UDP" as const, address: "127.0.0.1", port },
  };
  const d = createUasDialog(req, `a${n}`, "sip:alice@127.0.0.1:5060");
  if (isDialogError(d)) throw new Error(d.reason);
  return { ...d, localSeq: 100 };
}

async function main(): Promise<void> {
  const n = Number(arg("watchers", "5000"));
  const rounds = Number(arg("rounds", "12"));
  console.error(`# load average at start: ${loadavg().map((l) => l.toFixed(1)).join(" ")}`);
  const responder = await startResponder();
  const logger = pino({ level: "warn" });
  const sip = createSipEndpoint({ listen: [{ transport: "UDP", host: "127.0.0.1", port: 0 }] }, logger);
  await sip.start();
  const store = createMemoryStore();
  const deps: PresenceDeps = {
    plan: testPlan(),
    trust: { proxies: new BlockList(), isTrusted: () => true },
    sip: {
      onSubscribe: (pkg, h) => sip.onSubscribe(pkg, h),
      restoreNotifierSubscription: (d) => sip.restoreNotifierSubscription(d),
      subscribe: () => { throw new Error("not used"); },
      restoreSubscription: () => { throw new Error("not used"); },
    },
    sendXmpp: () => undefined, store,
    config: { notifyMinIntervalSeconds: 0, maxSubscriptionsPerUser: 1e6, maxSubscriptionsPerDomain: 1e6, subscribeExpires: 3600, subscribeRatePerSecond: 100, reannounceRatePerSecond: 100 },
    logger,
  };
  const recs: SipWatcherSubscription[] = [];
  for (let i = 0; i < n; i++) {
    recs.push({ kind: "sipWatcher", id: `id${i}`, watcher: `sip:w${i}@sip.example`, presentity: ALICE, event: "presence", dialog: dialogOf(i, responder.port), state: "active", expiresAt: Date.now() + 3_600_000 });
  }
  await store.putSubscriptions(recs);
  const watchers = createSipWatchers(deps, createKeyedSerial(), () => undefined);
  await watchers.restore();
  const rows: string[] = [];
  const perNotify: number[] = [];
  const userPer: number[] = [];
  const systemPer: number[] = [];
  // GC pauses per round (main thread): scavenges count roughly the bytes allocated, and unlike CPU
  // time they barely move with the machine's load, so they compare allocation between versions.
  let scavenges = 0;
  let gcMs = 0;
  const gcObs = new PerformanceObserver((list) => {
    for (const e of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) {
      if (e.detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MINOR) scavenges++;
      gcMs += e.duration;
    }
  });
  gcObs.observe({ entryTypes: ["gc"] });
  const gcPerRound: { scavenges: number; gcMs: number }[] = [];
  try {
    for (let r = 0; r < rounds + 1; r++) {
      await store.putPresence(ALICE, [{ resource: "r", available: true, ...(r % 2 === 0 ? { show: "away" as const } : {}), statuses: [{ text: `round ${r}` }], priority: 0 }]);
      (globalThis as { gc?: () => void }).gc?.();
      const rs0 = await responder.stats();
      await new Promise((res) => setImmediate(res)); // the forced GC's entry is delivered before the round
      const sc0 = scavenges;
      const gc0 = gcMs;
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await watchers.fanOut(ALICE);
      const wall = performance.now() - t0;
      const c = process.cpuUsage(c0);
      const rs = await responder.stats();
      await new Promise((res) => setImmediate(res));
      const roundGc = { scavenges: scavenges - sc0, gcMs: Number((gcMs - gc0).toFixed(1)) };
      const answered = rs.n - rs0.n;
      const us = (c.user + c.system) / n;
      if (r === 0) continue; // warm-up (JIT), not reported
      const row = { round: r, watchers: n, answered, wallMs: Math.round(wall), cpuMs: Math.round((c.user + c.system) / 1000), usPerNotify: Number(us.toFixed(1)), userUs: Number((c.user / n).toFixed(1)), systemUs: Number((c.system / n).toFixed(1)), responderUsPerNotify: Number(((rs.cpu - rs0.cpu) / Math.max(1, answered)).toFixed(1)), load: Number(loadavg()[0]!.toFixed(2)), ...roundGc };
      console.log(JSON.stringify(row));
      perNotify.push(row.usPerNotify);
      userPer.push(row.userUs);
      systemPer.push(row.systemUs);
      gcPerRound.push(roundGc);
      rows.push(`| ${row.round} | ${row.watchers} | ${row.answered} | ${row.wallMs} | ${row.cpuMs} | **${row.usPerNotify}** | ${row.responderUsPerNotify} | ${row.load} |`);
      await new Promise((res) => setTimeout(res, 300));
    }
    console.log("\n| round | watchers | NOTIFYs answered | wall ms | gateway CPU ms | µs/NOTIFY | responder µs/NOTIFY | load |");
    console.log("|---|---|---|---|---|---|---|---|");
    for (const r of rows) console.log(r);
    // On a shared box other jobs inflate single rounds (their cache and memory traffic, and this
    // process's GC threads competing): the median and the minimum are the figures to compare.
    const sorted = [...perNotify].sort((a, b) => a - b);
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    console.log(`scavenges per round: median ${med(gcPerRound.map((g) => g.scavenges))}; GC ms per round: median ${med(gcPerRound.map((g) => g.gcMs))}`);
    gcObs.disconnect();
    console.log(`µs/NOTIFY over ${sorted.length} rounds: median ${sorted[Math.floor(sorted.length / 2)]}, min ${sorted[0]}, max ${sorted[sorted.length - 1]} (user ${med(userPer)}, system ${med(systemPer)} µs, medians)`);
  } finally {
    await sip.close({ keepSubscriptions: true });
    responder.child.kill();
    console.error(`# load average at end: ${loadavg().map((l) => l.toFixed(1)).join(" ")}`);
  }
}

main().then(() => process.exit(0), (err: unknown) => { console.error(err); process.exit(1); });
