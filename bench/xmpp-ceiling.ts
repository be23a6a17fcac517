// Prosody's own ceiling for component traffic, measured with our component link and a real client:
// component → client and client → component, a fixed window of messages in flight, one-way latency
// percentiles. The gateway benchmark calls measureXmppCeiling() in the same run to know how much of
// its figure is Prosody's limit. Not part of the test suite. Run:
//   node --import ./scripts/ts-register.mjs bench/xmpp-ceiling.ts [--seconds 5] [--window 1000] [--stanza-bytes 171] [--runs 1]
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import pino from "pino";
import { startProsody, type ProsodyPeer } from "../test/support/peers/prosody.js";
import { connectTestClient, type TestXmppClient } from "../test/support/xmpp-client.js";
import { createComponentLink, type ComponentLink } from "../src/xmpp/transport/component.js";
import { xml, type Element } from "../src/xmpp/xml.js";

export interface CeilingOptions {
  readonly seconds?: number;
  readonly window?: number;
  /** Size of the serialized component → client stanza (the body is padded to reach it). */
  readonly stanzaBytes?: number;
  /** Reuse a running Prosody that has the component and user below; otherwise one is started. */
  readonly prosody?: ProsodyPeer;
}

export interface DirectionResult {
  readonly direction: "component→client" | "client→component";
  readonly delivered: number;
  readonly msgPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** CPU over the run, in % of one core. */
  readonly prosodyCpuPct: number;
  readonly benchProcessCpuPct: number;
  readonly lost: number;
  /** 1-minute load average at the end of the run: on a shared box, read the figures against it. */
  readonly loadAvg1: number;
}

const DOMAIN = "bench.localhost";
const SECRET = "bench-secret";

function prosodyCpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14, 15 of stat)
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

async function runDirection(
  direction: DirectionResult["direction"], seconds: number, window: number, pad: string,
  link: ComponentLink, client: TestXmppClient, prosodyPid: number,
): Promise<DirectionResult> {
  const maxMessages = 2_000_000;
  const sentAt = new Float64Array(maxMessages);
  const latencies = new Float64Array(maxMessages);
  let sent = 0;
  let received = 0;
  let sending = true;
  const tag = direction === "component→client" ? "c" : "u";

  const onReceive = (el: Element) => {
    const id = el.attrs.id as string | undefined;
    if (el.name !== "message" || !id || id[0] !== tag) return;
    const seq = Number(id.slice(1));
    latencies[received++] = performance.now() - sentAt[seq]!;
    if (sending) refill();
  };
  let refillQueued = false;
  const refill = () => {
    if (refillQueued) return;
    refillQueued = true;
    setImmediate(() => {
      refillQueued = false;
      const batch: Element[] = [];
      while (sending && sent - received < window && sent < maxMessages) {
        const seq = sent++;
        const now = performance.now();
        sentAt[seq] = now;
        if (direction === "component→client") {
          link.send(xml("message", { from: `svc@${DOMAIN}`, to: client.jid, type: "chat", id: `${tag}${seq}` }, xml("body", {}, pad)));
        } else {
          batch.push(xml("message", { to: `svc@${DOMAIN}`, type: "chat", id: `${tag}${seq}` }, xml("body", {}, pad)));
        }
      }
      if (batch.length > 0) void client.sendMany(batch);
    });
  };

  const offLink = link.on("stanza", onReceive);
  client.onStanza(onReceive);
  const cpu0 = process.cpuUsage();
  const ticks0 = prosodyCpuTicks(prosodyPid);
  const t0 = performance.now();
  refill();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  sending = false;
  const elapsedS = (performance.now() - t0) / 1000;
  const deliveredInRun = received;
  const cpu = process.cpuUsage(cpu0);
  const ticks = prosodyCpuTicks(prosodyPid) - ticks0;
  // Drain what is in flight so the next direction starts clean, and count what never arrived.
  const drainDeadline = Date.now() + 3000;
  while (received < sent && Date.now() < drainDeadline) await new Promise((r) => setTimeout(r, 20));
  offLink();
  const sorted = latencies.slice(0, received).sort();
  return {
    direction,
    delivered: deliveredInRun,
    msgPerSec: Math.round(deliveredInRun / elapsedS),
    p50Ms: Number(percentile(sorted, 0.5).toFixed(3)),
    p99Ms: Number(percentile(sorted, 0.99).toFixed(3)),
    prosodyCpuPct: Math.round((ticks / 100 / elapsedS) * 100), // USER_HZ = 100 on Linux
    benchProcessCpuPct: Math.round(((cpu.user + cpu.system) / 1e6 / elapsedS) * 100),
    lost: sent - received,
    loadAvg1: Number(loadavg()[0]!.toFixed(1)),
  };
}

export async function measureXmppCeiling(opts: CeilingOptions = {}): Promise<DirectionResult[]> {
  const seconds = opts.seconds ?? 5;
  const window = opts.window ?? 1000;
  const stanzaBytes = opts.stanzaBytes ?? 171;
  const prosody = opts.prosody ?? await startProsody({
    components: [{ domain: DOMAIN, secret: SECRET }],
    users: [{ user: "bench", password: "pw" }],
  });
  const logger = pino({ level: "warn" });
  const link = createComponentLink({
    service: prosody.componentService, domain: DOMAIN, secret: SECRET,
    reconnect: { minMs: 100, maxMs: 1000 },
    keepalive: { intervalMs: 60_000, timeoutMs: 10_000 },
    buffer: { maxStanzas: 10_000, maxBytes: 10_000_000 },
    maxInboundStanzaBytes: 1_000_000,
  }, logger);
  const online = new Promise<void>((r) => link.once("online", () => r()));
  link.start();
  await online;
  const client = await connectTestClient({ port: prosody.c2sPort, domain: prosody.host, username: "bench", password: "pw", record: false });
  const probe = xml("message", { from: `svc@${DOMAIN}`, to: client.jid, type: "chat", id: "c1000000" }, xml("body", {}, "")).toString();
  const pad = "x".repeat(Math.max(0, stanzaBytes - Buffer.byteLength(probe)));
  const pid = prosody.pid;
  if (pid === undefined) throw new Error("prosody is not running");
  try {
    return [
      await runDirection("component→client", seconds, window, pad, link, client, pid),
      await runDirection("client→component", seconds, window, pad, link, client, pid),
    ];
  } finally {
    await client.stop();
    await link.stop({ deadlineMs: 500 });
    if (!opts.prosody) await prosody.stop();
  }
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\/bench\//, "/bench/"));
if (isMain) {
  const arg = (name: string, dflt: number) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : dflt;
  };
  const runs = arg("runs", 1);
  for (let run = 1; run <= runs; run++) {
    const results = await measureXmppCeiling({ seconds: arg("seconds", 5), window: arg("window", 1000), stanzaBytes: arg("stanza-bytes", 171) });
    for (const r of results) console.log(JSON.stringify({ run, ...r }));
  }
}
