// Heap kept per SIP MESSAGE → XMPP <message/> through the whole gateway (createGateway, the same config
// as bench/im-gateway-instr.ts), with the stand-in XEP-0114 server and a UDP sender in this process:
// the heap after a full GC before and after N MESSAGEs (batches that each wait for their 200s), divided
// by N, and optionally two heap snapshots for bench/heap-diff.ts. N MESSAGEs take a few seconds, well
// inside Timer J (32 s), so the figure includes the Completed UDP transactions kept for RFC 3261
// §17.2.2; what is kept beyond that is what the GC copies and promotes per MESSAGE.
// With `--trace-gc-nvp` on node, the scavenges' `promoted=` during the measured batches are summed too.
// Not part of the test suite. Run (under the bench lock):
//   node --expose-gc --import ./scripts/ts-register.mjs bench/im-gateway-heap.ts [--n 10000] [--batch 20] [--snapshots DIR]
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Session } from "node:inspector/promises";
import { writeHeapSnapshot } from "node:v8";
import { startInProcessGateway } from "./lib/in-process-gateway.js";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] ?? fallback : fallback;
}

async function main(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("run with node --expose-gc");
  const n = Number(arg("n", "10000"));
  const batch = Number(arg("batch", "20"));
  const snapshots = arg("snapshots", "");
  const rig = await startInProcessGateway("im-heap-");
  const sendN = async (count: number) => { for (let b = 0; b < count / batch; b++) await rig.oneBatch(batch); };
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
  await rig.stop();
}

main().then(() => process.exit(0), (err: unknown) => { console.error(err); process.exit(1); });
