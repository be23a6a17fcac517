// Page-mode IM SIP → XMPP through a gateway, in one run against one Prosody (issue 3):
//   1. Prosody's own component → client ceiling (bench/xmpp-ceiling.ts) with the stanza size the
//      gateway produces, at the start and again at the end (the box is shared: the spread is the noise);
//   2. per offered rate: Prosody alone at that rate (paced component sender: the latency baseline),
//      stox (child process) and Kamailio's xmpp module (anchors' up.sh), each driven by the same SIPp
//      UAC scenario, received by one logged-in XMPP client in this process;
//   3. gateway memory (RSS and PSS over its processes) before and after the steps.
// Latency is SIP send → XMPP receive: SIPp stamps each body with [timestamp] (see bench/lib/im-receiver.ts).
// Not part of the test suite. Run:
//   node --import ./scripts/ts-register.mjs bench/im-sip-to-xmpp.ts [--rates 500,1000,2000,3000,4000,5000]
//     [--seconds 10] [--transports u1,t1] [--targets prosody,stox,kamailio] [--body-bytes 170]
//     [--ceiling-seconds 5] [--cpu-prof DIR] [--gateway-node-flags "--trace-gc"]
//     [--prosody-nodelay]   Prosody with network_settings.nagle = false (TCP_NODELAY on all its sockets):
//     Prosody 0.12 keeps Nagle on by default, which holds its writes to the receiving client for ~10-20 ms
//     at ~1000 msg/s (docs/benchmarks.md "Latency at low load").
import { loadavg } from "node:os";
import pino from "pino";
import { startProsody } from "../test/support/peers/prosody.js";
import { connectTestClient } from "../test/support/xmpp-client.js";
import type { SippTransport } from "../test/support/peers/sipp.js";
import { createComponentLink, type ComponentLink } from "../src/xmpp/transport/component.js";
import { measureXmppCeiling, type DirectionResult } from "./xmpp-ceiling.js";
import { calibrateClock, createImReceiver } from "./lib/im-receiver.js";
import { measureStep, type StepParties, type StepResult } from "./lib/im-step.js";
import { pacedLoad, sippLoad } from "./lib/im-loads.js";
import { startKamailio, startStox, type ImTarget } from "./lib/im-targets.js";
import { stepTable, summary } from "./lib/im-report.js";
import type { Memory } from "./lib/proc-stats.js";

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] ?? dflt : dflt;
}

const XMPP_DOMAIN = "xmpp.example";
// measureXmppCeiling's own component and user (bench/xmpp-ceiling.ts); the paced baseline needs its own
// component domain (two links on one domain make Prosody kick one with <conflict/>).
const CEILING = { domain: "bench.localhost", secret: "bench-secret" };
const PACED = { domain: "paced.localhost", secret: "paced-secret" };
const STOX = { domain: "sip.example", secret: "stox-bench-secret" };
const KAM = { domain: "kam.example", secret: "kam-bench-secret" };
const ALICE = `alice@${XMPP_DOMAIN}`;

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Everything started is stopped in reverse order on any exit: the peers are detached process groups
// that would otherwise outlive an interrupted run.
const cleanups: (() => Promise<unknown>)[] = [];
async function cleanup(): Promise<void> {
  for (const c of cleanups.splice(0).reverse()) await c().catch((err: unknown) => console.error("cleanup:", err));
}
for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => void cleanup().then(() => process.exit(130)));

async function main(): Promise<void> {
  const rates = arg("rates", "500,1000,2000,3000,4000,5000").split(",").map(Number);
  const seconds = Number(arg("seconds", "10"));
  const transports = arg("transports", "u1").split(",") as SippTransport[];
  const wanted = new Set(arg("targets", "prosody,stox,kamailio").split(","));
  const bodyBytes = Number(arg("body-bytes", "170"));
  const ceilingSeconds = Number(arg("ceiling-seconds", "5"));
  const cpuProf = process.argv.includes("--cpu-prof") ? arg("cpu-prof", "") : undefined;
  const nodeFlags = process.argv.includes("--gateway-node-flags") ? arg("gateway-node-flags", "").split(" ").filter(Boolean) : undefined;
  console.error(`# load average at start: ${loadavg().map((l) => l.toFixed(1)).join(" ")}`);

  const prosody = await startProsody({
    host: XMPP_DOMAIN,
    components: [CEILING, PACED, STOX, KAM],
    users: [{ user: "bench", password: "pw" }, { user: "alice", password: "alice-pw" }],
    ...(process.argv.includes("--prosody-nodelay") ? { extraGlobal: "network_settings = { nagle = false }" } : {}),
  });
  cleanups.push(() => prosody.stop());
  const prosodyPid = prosody.pid!;
  const alice = await connectTestClient({ port: prosody.c2sPort, domain: XMPP_DOMAIN, username: "alice", password: "alice-pw", record: false });
  cleanups.push(() => alice.stop());
  const receiver = createImReceiver((l) => alice.onStanza(l));
  const link: ComponentLink = createComponentLink({
    service: prosody.componentService, domain: PACED.domain, secret: PACED.secret,
    reconnect: { minMs: 100, maxMs: 1000 }, keepalive: { intervalMs: 60_000, timeoutMs: 10_000 },
    buffer: { maxStanzas: 100_000, maxBytes: 100_000_000 }, maxInboundStanzaBytes: 1_000_000,
  }, pino({ level: "warn" }));
  const online = new Promise<void>((r) => link.once("online", () => r()));
  link.start();
  cleanups.push(() => link.stop({ deadlineMs: 500 }));
  await online;

  const targets: ImTarget[] = [];
  const notRun = new Map<string, string>();
  const memory = new Map<string, { before: Memory; after: Memory | undefined }>();
  const envOf = (d: { domain: string; secret: string }) => ({ componentPort: prosody.componentPort, xmppDomain: XMPP_DOMAIN, domain: d.domain, secret: d.secret });
  if (wanted.has("stox")) {
    const t = await startStox(envOf(STOX), { ...(cpuProf ? { cpuProfDir: cpuProf } : {}), ...(nodeFlags ? { nodeFlags } : {}) });
    cleanups.push(() => t.stop());
    targets.push(t);
  }
  if (wanted.has("kamailio")) {
    try {
      const t = await startKamailio(envOf(KAM));
      cleanups.push(() => t.stop());
      targets.push(t);
    } catch (err) {
      notRun.set("kamailio", err instanceof Error ? err.message : String(err));
    }
  }

  const steps: StepResult[] = [];
  let stepNo = 0;
  const run = async (target: ImTarget | undefined, rate: number, transport: SippTransport, secs: number): Promise<StepResult> => {
    const step = ++stepNo;
    calibrateClock();
    const parties: StepParties = { receiver, prosodyPid, gatewayPids: target ? () => target.pids() : undefined };
    const load = target
      ? sippLoad({ sipPort: target.sipPort, from: target.fromUri, to: `sip:${ALICE}`, step, rate, seconds: secs, transport, bodyBytes })
      : pacedLoad({ link, from: `svc@${PACED.domain}`, to: ALICE, step, rate, seconds: secs, bodyBytes });
    const r = await measureStep(parties, { target: target?.name ?? "prosody", transport: target ? transport : "-", step, rate, seconds: secs }, load);
    await pause(2000); // let the previous step's transactions (Timer J/K) and Prosody's queues drain
    return r;
  };

  // Warm-up (JIT, connections, Prosody's routes) at 200/s for 2 s per gateway; its stanza sizes the ceiling run.
  let stanzaBytes = 0;
  for (const t of targets) {
    const w = await run(t, 200, "u1", 2);
    if (t.name === "stox") stanzaBytes = Buffer.byteLength(receiver.sample ?? "");
    memory.set(t.name, { before: t.memory(), after: undefined });
    console.error(`# warm-up ${t.name}: delivered ${w.delivered}/${w.calls}, p50 ${w.p50Ms} ms`);
  }
  const ceilings: DirectionResult[] = [];
  const ceiling = async () => {
    const c = await measureXmppCeiling({ prosody, seconds: ceilingSeconds, stanzaBytes: stanzaBytes || 300 });
    for (const d of c) console.log(JSON.stringify({ ceiling: true, stanzaBytes, ...d }));
    ceilings.push(...c);
  };
  await ceiling();

  // Interleaved per rate, so a change in the machine's load affects every party alike. A target stops
  // after failing two consecutive rates.
  const failures = new Map<string, number>();
  for (const transport of transports) {
    for (const rate of rates) {
      if (wanted.has("prosody") && transport === transports[0]) {
        const r = await run(undefined, rate, transport, seconds);
        console.log(JSON.stringify(r));
        steps.push(r);
      }
      for (const t of targets) {
        const key = `${t.name}/${transport}`;
        if ((failures.get(key) ?? 0) >= 2) continue;
        const r = await run(t, rate, transport, seconds);
        console.log(JSON.stringify(r));
        steps.push(r);
        failures.set(key, r.zeroLoss ? 0 : (failures.get(key) ?? 0) + 1);
      }
    }
  }
  await ceiling();

  for (const t of targets) {
    const m = memory.get(t.name);
    if (m) m.after = t.memory();
  }
  console.log(`\n${stepTable(steps)}\n`);
  console.log(summary({ ceilings, steps, memory, notRun }));
  console.error(`# load average at end: ${loadavg().map((l) => l.toFixed(1)).join(" ")}`);

}

main().then(
  () => cleanup().then(() => process.exit(0)),
  (err: unknown) => {
    console.error(err);
    void cleanup().then(() => process.exit(1));
  },
);
