// The gateway's own CPU per SIP MESSAGE → XMPP <message/>, without Prosody: stox runs as a child
// process (`src/cli.ts`, the same config as bench/im-sip-to-xmpp.ts), SIPp drives it over UDP, and a
// minimal XEP-0114 server in this process stands in for Prosody. That stand-in accepts the handshake
// without checking it, counts the <message/> stanzas, and routes every <iq/> addressed to the
// component's domain straight back to it — what a real server does with the delivery barrier (a
// self-addressed XEP-0199 ping and its result, docs/architecture.md), so the gateway does exactly the
// work it does against Prosody, and the one-core figure is not mixed with Prosody's.
// It never bounces: every MESSAGE is answered 200. For the end-to-end figures use im-sip-to-xmpp.ts.
// Not part of the test suite. Run (under the bench lock, see common rules):
//   node --import ./scripts/ts-register.mjs bench/im-gateway-cpu.ts [--rates 2000,5000] [--seconds 8]
//     [--cpu-prof DIR] [--gateway-node-flags "--trace-gc"]
import { loadavg } from "node:os";
import { freePort } from "../test/support/peers/process.js";
import { startFakeServer } from "./lib/fake-component-server.js";
import { sippLoad } from "./lib/im-loads.js";
import { startStox } from "./lib/im-targets.js";
import { cpuDelta, memoryOf, ticksOf } from "./lib/proc-stats.js";

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] ?? dflt : dflt;
}

const DOMAIN = "sip.example";
const XMPP_DOMAIN = "xmpp.example";

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const rates = arg("rates", "2000,5000").split(",").map(Number);
  const seconds = Number(arg("seconds", "8"));
  const cpuProf = process.argv.includes("--cpu-prof") ? arg("cpu-prof", "") : undefined;
  const nodeFlags = process.argv.includes("--gateway-node-flags") ? arg("gateway-node-flags", "").split(" ").filter(Boolean) : undefined;
  console.error(`# load average at start: ${loadavg().map((l) => l.toFixed(1)).join(" ")}`);
  const fake = await startFakeServer(await freePort(), DOMAIN);
  const stox = await startStox(
    { componentPort: fake.port, xmppDomain: XMPP_DOMAIN, domain: DOMAIN, secret: "unchecked" },
    { ...(cpuProf ? { cpuProfDir: cpuProf } : {}), ...(nodeFlags ? { nodeFlags } : {}) },
  );
  const rows: string[] = [];
  let step = 0;
  try {
    for (const [i, rate] of [[0, 500], ...rates.map((r, k) => [k + 1, r])] as [number, number][]) {
      const secs = i === 0 ? 2 : seconds; // step 0: warm-up (JIT, connections), not reported
      step++;
      const m0 = fake.messages();
      const q0 = fake.iqs();
      const load = sippLoad({ sipPort: stox.sipPort, from: stox.fromUri, to: `sip:alice@${XMPP_DOMAIN}`, step, rate, seconds: secs, transport: "u1", bodyBytes: 170 });
      const gw0 = ticksOf(stox.pids());
      const self0 = process.cpuUsage();
      const t0 = performance.now();
      const outcome = await load();
      const windowS = (performance.now() - t0) / 1000;
      const gw = cpuDelta(gw0, ticksOf(stox.pids()), windowS);
      const self = process.cpuUsage(self0);
      await pause(200);
      const delivered = fake.messages() - m0;
      const barriers = (fake.iqs() - q0) / 2; // the ping and its result both pass the server
      if (i === 0) { await pause(1000); continue; }
      const row = {
        rate, seconds: secs, calls: rate * secs, delivered, failed: outcome.failed, retrans: outcome.retrans, drops: outcome.drops,
        gatewayCpuPct: gw.totalPct, gatewayUsPerMsg: Math.round((gw.cpuSeconds / Math.max(1, delivered)) * 1e6),
        msgsPerBarrier: Number((delivered / Math.max(1, barriers)).toFixed(1)),
        sippCpuPct: outcome.sippCpu, fakeServerCpuPct: Math.round(((self.user + self.system) / 1e6 / windowS) * 100),
        load: Number(loadavg()[0]!.toFixed(1)),
      };
      console.log(JSON.stringify(row));
      rows.push(`| ${row.rate} | ${row.delivered}/${row.calls} | ${row.failed} | ${row.retrans} | ${row.drops} | ${row.gatewayCpuPct}% | **${row.gatewayUsPerMsg}** | ${row.msgsPerBarrier} | ${row.sippCpuPct}% | ${row.fakeServerCpuPct}% | ${row.load} |`);
      await pause(2000); // the previous step's Timer J entries keep draining; every step pays for the same
    }
    const mem = memoryOf(stox.pids());
    console.log("\n| offered/s | delivered | failed | retrans | UDP drops gw/SIPp | gateway CPU | µs/msg | msgs per barrier | SIPp CPU | fake server CPU | load |");
    console.log("|---|---|---|---|---|---|---|---|---|---|---|");
    for (const r of rows) console.log(r);
    console.log(`\ngateway PSS ${mem.pssMb} MB (RSS ${mem.rssMb} MB) after the steps`);
  } finally {
    await stox.stop();
    await fake.close();
    console.error(`# load average at end: ${loadavg().map((l) => l.toFixed(1)).join(" ")}`);
  }
}

main().then(() => process.exit(0), (err: unknown) => { console.error(err); process.exit(1); });
