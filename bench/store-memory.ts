// Memory per subscription and bulk-load time of both Store implementations, with realistic records
// (gateway-sized Call-IDs, tags, URIs, one Record-Route, a TCP flow). Not part of the test suite. Run:
//   node --expose-gc --import ./scripts/ts-register.mjs bench/store-memory.ts [--count 10000] [--runs 3]
// Targets (issue 4): < 2 KB gateway heap and < 1 KB Redis memory per subscription; 10k restore ≪ 1 s.
import { randomBytes } from "node:crypto";
import { loadavg } from "node:os";
import { Redis } from "ioredis";
import { createMemoryStore } from "../src/store/memory-store.js";
import { createRedisStore } from "../src/store/redis-store.js";
import { newSubscriptionId, type Subscription } from "../src/store/store.js";
import { startRedis } from "../test/support/peers/redis.js";

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const COUNT = arg("count", 10_000);
const RUNS = arg("runs", 1);

const hex = (n: number): string => randomBytes(n).toString("hex");
function realistic(i: number): Subscription {
  const user = `user${i % 2000}`;
  const contact = `contact${i % 500}`;
  const dialog = {
    id: { callId: `${hex(16)}@gw.example.com`, localTag: hex(6), remoteTag: hex(6) },
    localSeq: 3, remoteSeq: 12,
    localUri: `sip:${user}@example.com`, remoteUri: `sip:${contact}@sip.example.org`,
    localTarget: "sip:gw@192.0.2.10:5060;transport=tcp", remoteTarget: `sip:${contact}@198.51.100.${i % 250}:5062;transport=tcp`,
    routeSet: [`<sip:proxy1.sip.example.org;lr;ftag=${hex(4)}>`], secure: false, early: false,
    flow: { transport: "TCP" as const, address: `198.51.100.${i % 250}`, port: 5062, flow: hex(8) },
  };
  const expiresAt = Date.now() + 3_600_000 + i;
  return i % 2 === 0
    ? { kind: "sipWatcher", id: newSubscriptionId(), watcher: `sip:${contact}@sip.example.org`, presentity: `${user}@example.com`, event: "presence", dialog, state: "active", expiresAt }
    : { kind: "xmppWatcher", id: newSubscriptionId(), watcher: `${user}@example.com`, presentity: `sip:${contact}@sip.example.org`, dialog, expiresAt, generation: 2, authorization: "subscribed" };
}

const gc = (): void => {
  const g = (globalThis as { gc?: () => void }).gc;
  if (!g) throw new Error("run with node --expose-gc");
  g(); g();
};

async function measureMemoryStore(): Promise<{ bytesPerSub: number; loadMs: number }> {
  gc();
  const before = process.memoryUsage().heapUsed;
  const store = createMemoryStore();
  // Records are generated inside the measured heap window: the store holds them, so their bytes count.
  await store.putSubscriptions(Array.from({ length: COUNT }, (_, i) => realistic(i)));
  gc();
  const bytesPerSub = (process.memoryUsage().heapUsed - before) / COUNT;
  if ((await store.listAll("sipWatcher")).length !== COUNT / 2) throw new Error("memory store lost records");
  await store.close();
  // Load time on pre-built records, so record generation (random ids) is not counted.
  const subs = Array.from({ length: COUNT }, (_, i) => realistic(i));
  const timed = createMemoryStore();
  const t0 = performance.now();
  await timed.putSubscriptions(subs);
  const loadMs = performance.now() - t0;
  await timed.close();
  return { bytesPerSub, loadMs };
}

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info("memory");
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? NaN);
}

async function measureRedisStore(): Promise<{ bytesPerSub: number; recordKeyBytes: number; loadMs: number; restoreMs: number }> {
  const peer = await startRedis();
  const admin = new Redis(peer.url);
  try {
    const store = await createRedisStore({ url: peer.url });
    const subs = Array.from({ length: COUNT }, (_, i) => realistic(i));
    const before = await usedMemory(admin);
    const t0 = performance.now();
    await store.putSubscriptions(subs);
    const loadMs = performance.now() - t0;
    const after = await usedMemory(admin);
    const t1 = performance.now();
    const restored = [...(await store.listAll("sipWatcher")), ...(await store.listAll("xmppWatcher"))];
    const restoreMs = performance.now() - t1;
    if (restored.length !== COUNT) throw new Error(`restored ${restored.length} of ${COUNT}`);
    let sample = 0;
    for (const s of subs.slice(0, 200)) sample += Number(await admin.call("MEMORY", "USAGE", `stox:s:${s.id}`, "SAMPLES", "0"));
    await store.close();
    return { bytesPerSub: (after - before) / COUNT, recordKeyBytes: sample / 200, loadMs, restoreMs };
  } finally {
    admin.disconnect();
    await peer.stop();
  }
}

const fmt = (n: number): string => n.toFixed(0);
console.log(`store-memory: ${COUNT} subscriptions (half each direction), load avg ${loadavg()[0]?.toFixed(1)}`);
console.log("| run | memory heap B/sub | memory load ms | Redis used_memory B/sub | Redis record key B | Redis load ms | Redis listAll ms |");
console.log("|---|---|---|---|---|---|---|");
for (let run = 1; run <= RUNS; run++) {
  const m = await measureMemoryStore();
  const r = await measureRedisStore();
  console.log(`| ${run} | ${fmt(m.bytesPerSub)} | ${fmt(m.loadMs)} | ${fmt(r.bytesPerSub)} | ${fmt(r.recordKeyBytes)} | ${fmt(r.loadMs)} | ${fmt(r.restoreMs)} |`);
}
