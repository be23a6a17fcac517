// The shared JobQueue conformance suite against the in-process queue, plus fake-timer checks of its
// timers (delays, backoff, rate windows) that would be too slow or noisy with real time.
import { describe, it, expect, jest, afterEach } from "@jest/globals";
import pino from "pino";
import { createMemoryQueue } from "../../../src/queue/memory-queue.js";
import { storageKeyOf } from "../../../src/queue/jobs.js";
import { evenRateLimit } from "../../../src/queue/queue.js";
import { queueContract } from "../../contract/queue.contract.js";

const logger = pino({ level: "silent" });
queueContract("memory", async () => ({ open: async (observer) => createMemoryQueue(observer ? { logger, observer } : { logger }), dispose: async () => undefined }));

const flush = async (): Promise<void> => { for (let i = 0; i < 10; i++) await Promise.resolve(); };

describe("memory queue on fake timers", () => {
  afterEach(() => { jest.useRealTimers(); });

  it("fires a 30-minute refresh timer exactly at its time", async () => {
    jest.useFakeTimers();
    const q = createMemoryQueue({ logger });
    const ran: number[] = [];
    q.process("subscription.refresh", async () => { ran.push(Date.now()); }, { concurrency: 1 });
    const t0 = Date.now();
    await q.add("subscription.refresh", { subscriptionId: "s", generation: 1 }, { delayMs: 30 * 60_000 });
    await jest.advanceTimersByTimeAsync(30 * 60_000 - 1);
    expect(ran).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    await flush();
    expect(ran).toEqual([t0 + 30 * 60_000]);
    await q.close();
  });

  it("backs off 1 s, 2 s, 4 s, 8 s between the five attempts of a fan-out", async () => {
    jest.useFakeTimers();
    const q = createMemoryQueue({ logger });
    const at: number[] = [];
    q.process("presence.fanout", async () => { at.push(Date.now()); throw new Error("link down"); }, { concurrency: 1 });
    const t0 = Date.now();
    await q.add("presence.fanout", { presentity: "a@b", watchers: "sipWatcher", version: 1 });
    await jest.advanceTimersByTimeAsync(20_000);
    expect(at.map((t) => t - t0)).toEqual([0, 1000, 3000, 7000, 15000]);
    expect((await q.failed("presence.fanout"))[0]?.attempts).toBe(5);
    await q.close();
  });

  it("starts at most max jobs per fixed window of a 2000-subscribe login storm", async () => {
    jest.useFakeTimers();
    const q = createMemoryQueue({ logger });
    const perSecond = new Map<number, number>();
    const t0 = Date.now();
    q.process("subscribe.burst", async () => {
      const s = Math.floor((Date.now() - t0) / 1000);
      perSecond.set(s, (perSecond.get(s) ?? 0) + 1);
    }, { concurrency: 50, rateLimit: { max: 100, durationMs: 1000 } });
    for (let i = 0; i < 2000; i++) await q.add("subscribe.burst", { xmppUser: "romeo@example.com", sipPresentity: `sip:c${i}@x` });
    await jest.advanceTimersByTimeAsync(25_000);
    expect([...perSecond.values()].reduce((a, b) => a + b, 0)).toBe(2000);
    expect(Math.max(...perSecond.values())).toBe(100);
    expect(perSecond.size).toBe(20);
    await q.close();
  });
});

describe("job storage keys", () => {
  it("never contain ':' nor are all digits, and stay distinct", () => {
    const ids = ["refresh|sip:a@b|1", "refresh|sip%3Aa@b|1", "123", "fanout|x|[::1]"];
    const keys = ids.map((id) => storageKeyOf({ mode: "unique", id }));
    for (const k of keys) { expect(k).not.toContain(":"); expect(/^\d+$/.test(k)).toBe(false); }
    expect(new Set(keys).size).toBe(ids.length);
  });
});

describe("evenRateLimit", () => {
  afterEach(() => { jest.useRealTimers(); });

  it.each([1, 7, 10, 150, 200, 1000])("at %i/s never exceeds the rate on average, nor by more than one window in any second", async (rate) => {
    const rl = evenRateLimit(rate);
    expect(rl.max / rl.durationMs).toBeLessThanOrEqual(rate / 1000);
    expect(rl.durationMs).toBeGreaterThanOrEqual(Math.min(10, 1000 / rate));
    jest.useFakeTimers();
    const q = createMemoryQueue({ logger });
    const starts: number[] = [];
    q.process("subscribe.burst", async () => { starts.push(Date.now()); }, { concurrency: 8, rateLimit: rl });
    const n = rate * 3 + 1;
    for (let i = 0; i < n; i++) await q.add("subscribe.burst", { xmppUser: "u@x", sipPresentity: `sip:c${i}@y` });
    await jest.advanceTimersByTimeAsync(4000);
    expect(starts.length).toBe(n);
    let peak = 0;
    for (let i = 0, j = 0; i < starts.length; i++) {
      while (j < starts.length && starts[j]! < starts[i]! + 1000) j++;
      peak = Math.max(peak, j - i);
    }
    expect(peak).toBeLessThanOrEqual(rl.max === 1 ? rate : rate + rl.max);
    await q.close({ graceful: false });
  });
});
