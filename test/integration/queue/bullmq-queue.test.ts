// The shared JobQueue conformance suite against BullMQ on a throwaway redis-server (never 6379),
// plus what only a Redis-backed queue has: delayed jobs surviving a restart, outages, two processes.
import { describe, it, expect, beforeAll, afterAll, jest } from "@jest/globals";
import pino from "pino";
import { createBullmqQueue } from "../../../src/queue/bullmq-queue.js";
import { isQueueError, type JobQueue } from "../../../src/queue/queue.js";
import { freePort } from "../../support/peers/process.js";
import { startRedis, type RedisPeer } from "../../support/peers/redis.js";
import { eventually, queueContract } from "../../contract/queue.contract.js";

// Outage and restart tests wait for reconnection backoff; a shared machine can be slow.
jest.setTimeout(30_000);
const logger = pino({ level: "silent" });
let redis: RedisPeer;
let n = 0;
beforeAll(async () => { redis = await startRedis(); });
afterAll(async () => { await redis.stop(); });

queueContract("bullmq", async () => {
  const prefix = `q${++n}`; // fresh BullMQ namespace per test
  return { open: (observer) => createBullmqQueue({ url: redis.url, prefix, logger, ...(observer ? { observer } : {}) }), dispose: async () => undefined };
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe("bullmq queue on Redis", () => {
  it("refuses to start with a typed 'unavailable' error when Redis does not answer", async () => {
    const port = await freePort();
    const err = await createBullmqQueue({ url: `redis://127.0.0.1:${port}`, logger }).then(() => undefined, (e: unknown) => e);
    expect(isQueueError(err)).toBe(true);
    expect(err).toMatchObject({ kind: "unavailable", gatewayError: { code: "linkDown" } });
  });

  it("shares coalescing and the rate limit between two processes (replicas)", async () => {
    const prefix = `q${++n}`;
    const a = await createBullmqQueue({ url: redis.url, prefix, logger });
    const b = await createBullmqQueue({ url: redis.url, prefix, logger });
    try {
      const starts: number[] = [];
      // Both replicas enqueue the same 6 subscribes before any runs: the keys coalesce across them.
      for (const q of [a, b]) for (let i = 0; i < 6; i++) await q.add("subscribe.burst", { xmppUser: "romeo@example.com", sipPresentity: `sip:c${i}@x` });
      for (const q of [a, b]) q.process("subscribe.burst", async () => { starts.push(Date.now()); }, { concurrency: 8, rateLimit: { max: 3, durationMs: 400 } });
      await eventually("6 starts", () => starts.length >= 6);
      await sleep(600);
      expect(starts.length).toBe(6);
      starts.sort((x, y) => x - y);
      expect(starts[5]! - starts[0]!).toBeGreaterThanOrEqual(400 - 50);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("keeps a delayed job across a Redis crash, fails adds with typed errors meanwhile, then recovers", async () => {
    const peer = await startRedis({ persistent: true });
    let q: JobQueue | undefined;
    try {
      q = await createBullmqQueue({ url: peer.url, logger });
      const ran: string[] = [];
      q.process("subscription.expire", async (job) => { ran.push(job.payload.subscriptionId); }, { concurrency: 1 });
      await q.add("subscription.expire", { subscriptionId: "before-crash", generation: 0 }, { delayMs: 1500 });
      await peer.kill();
      const err = await q.add("subscription.expire", { subscriptionId: "during", generation: 0 }).then(() => undefined, (e: unknown) => e);
      expect(err).toMatchObject({ name: "QueueError", kind: "unavailable" });
      await peer.restart();
      await eventually("producer reconnected", async () => {
        try { await q!.add("subscription.expire", { subscriptionId: "after", generation: 0 }); return true; } catch (e) { expect(isQueueError(e)).toBe(true); return false; }
      }, 15_000);
      await eventually("both jobs ran", () => ran.length === 2, 15_000);
      expect(ran.sort()).toEqual(["after", "before-crash"]);
    } finally {
      await q?.close({ graceful: false });
      await peer.stop();
    }
  });
});
