// Heap kept per SIP MESSAGE → XMPP <message/> through the whole gateway (createGateway, the same config
// as bench/im-gateway-instr.ts), with the stand-in XEP-0114 server and a UDP sender in this process:
// the heap after a full GC before and after N MESSAGEs (batches that each wait for their 200s), divided
// by N, and optionally two heap snapshots for bench/heap-diff.ts. N MESSAGEs take a few seconds, well
// inside Timer J (32 s), so the figure includes the Completed UDP transactions kept for RFC 3261
// §17.2.2; what is kept beyond that is what the GC copies and promotes per MESSAGE.
// With `--trace-gc-nvp` on node, the scavenges' `promoted=` during the measured batches are summed too.
// Not part of the test suite. Run (under the bench lock):
//   node --expose-gc --import ./scripts/ts-register.mjs bench/im-gateway-heap.ts [--n 10000] [--batch 20] [--snapshots DIR]
import { createSocket } from "node:dgram";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Session } from "node:inspector/promises";
import { writeHeapSnapshot } from "node:v8";
import pino from "pino";
import { loadConfig } from "../src/config/load.js";
import { createGateway } from "../src/main.js";
import { freePort } from "../test/support/peers/process.js";
import { startFakeServer } from "./lib/fake-component-server.js";

const DOMAIN = "sip.example";
const XMPP_DOMAIN = "xmpp.example";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] ?? fallback : fallback;
}

function message(port: number, i: number): Buffer {
  const body = `n${i} ` + "x".repeat(164);
  return Buffer.from([
    `MESSAGE sip:alice@${XMPP_DOMAIN} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK-bench-${i}`,
    "Max-Forwards: 70",
    `From: <sip:bob@${DOMAIN}>;tag=${i}SIPpTag00${i}`,
    `To: <sip:alice@${XMPP_DOMAIN}>`,
    `Call-ID: ${i}-bench@127.0.0.1`,
    "CSeq: 1 MESSAGE",
    "Content-Type: text/plain;charset=UTF-8",
    `Content-Length: ${Buffer.byteLength(body)}`,
    "",
    body,
  ].join("\r\n"));
}

async function main(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("run with node --expose-gc");
  const n = Number(arg("n", "10000"));
  const batch = Number(arg("batch", "20"));
  const snapshots = arg("snapshots", "");
  const fake = await startFakeServer(await freePort(), DOMAIN);
  const sipPort = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "im-heap-"));
  const file = join(dir, "stox.json");
  writeFileSync(file, JSON.stringify({
    xmpp: { components: [{ domain: DOMAIN, host: "127.0.0.1", port: fake.port, secret: "unchecked", keepaliveSeconds: 30 }], localDomains: [XMPP_DOMAIN] },
    sip: { domains: [DOMAIN], listen: [{ transport: "udp", host: "127.0.0.1", port: sipPort }], trust: { proxies: ["127.0.0.1/32"] }, limits: { ratePerSourcePerSecond: 0 } },
    http: { host: "127.0.0.1", port: await freePort() },
    im: { ratePerUserPerSecond: 0 },
    log: { level: "warn" },
  }));
  const config = loadConfig({ env: {}, argv: ["--config", file] });
  if (!config.ok) throw new Error(JSON.stringify(config.error));
  const gw = createGateway(config.value, pino({ level: "silent" }));
  await gw.start();
  const sock = createSocket("udp4");
  await new Promise<void>((r) => sock.bind(0, "127.0.0.1", () => r()));
  const myPort = sock.address().port;
  let seq = 0;
  let waiting = 0;
  let done: (() => void) | undefined;
  sock.on("message", (m) => {
    if (m.subarray(0, 12).toString() === "SIP/2.0 200 " && --waiting === 0) done?.();
  });
  while (fake.messages() === 0) {
    sock.send(message(myPort, seq++), sipPort, "127.0.0.1");
    await new Promise((r) => setTimeout(r, 50));
  }
  const oneBatch = () => new Promise<void>((resolve) => {
    waiting = batch;
    done = resolve;
    for (let i = 0; i < batch; i++) sock.send(message(myPort, seq++), sipPort, "127.0.0.1");
  });
  const sendN = async (count: number) => { for (let b = 0; b < count / batch; b++) await oneBatch(); };
  await sendN(2000); // warm-up (JIT, memos)
  await new Promise((r) => setTimeout(r, 300));
  gc(); gc();
  const h0 = process.memoryUsage().heapUsed;
  if (snapshots) writeHeapSnapshot(join(snapshots, "before.heapsnapshot"));
  // --sampling major|live: V8's sampling heap profiler over the measured batches; with `major` it also
  // keeps the samples of objects that survived the scavenges and were freed by a mark-compact later
  // (what the GC promoted and then had to mark), so `major` minus `live` per allocation site is what
  // is promoted per MESSAGE without being kept.
  const sampling = arg("sampling", "");
  const session = sampling ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post("HeapProfiler.startSampling", { samplingInterval: 512, includeObjectsCollectedByMajorGC: sampling === "major", includeObjectsCollectedByMinorGC: false });
  }
  console.error("# measured batches start");
  const t0 = performance.now();
  await sendN(n);
  const ms = performance.now() - t0;
  console.error("# measured batches end");
  if (snapshots) writeHeapSnapshot(join(snapshots, "mid.heapsnapshot")); // in traffic: what is still in flight
  await new Promise((r) => setTimeout(r, Number(arg("settle-ms", "300"))));
  gc(); gc();
  const h1 = process.memoryUsage().heapUsed;
  if (snapshots) writeHeapSnapshot(join(snapshots, "after.heapsnapshot"));
  if (session) {
    const { profile } = await session.post("HeapProfiler.stopSampling");
    writeFileSync(arg("sampling-out", "sampling.json"), JSON.stringify(profile));
    session.disconnect();
  }
  console.log(JSON.stringify({ n, seconds: Number((ms / 1000).toFixed(1)), heapBytesPerMessage: Math.round((h1 - h0) / n) }));
  sock.close();
  await gw.stop();
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
}

main().then(() => process.exit(0), (err: unknown) => { console.error(err); process.exit(1); });
