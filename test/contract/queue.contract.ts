// One conformance suite for every JobQueue: memory in test/unit/queue, BullMQ in test/integration/queue
// against a throwaway redis-server. Real (short) delays so both run the same code; timing assertions
// are lower bounds and orderings, never tight upper bounds (the CI machine is shared).
import { describe, it, expect, beforeEach, afterEach } from "@jest/globals";
import { jobKeyOf } from "../../src/queue/jobs.js";
import { isQueueError, permanentJobFailure, type JobQueue, type QueueObserver } from "../../src/queue/queue.js";

export interface QueueBackend {
  /** A queue on a fresh, empty backend namespace. */
  readonly open: (observer?: QueueObserver) => Promise<JobQueue>;
  readonly dispose: () => Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
export async function eventually(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}
function gate(): { wait: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const wait = new Promise<void>((r) => { open = r; });
  return { wait, open };
}
const fanout = (version: number, presentity = "sip:bob@sip.example.net") => ({ presentity, watchers: "xmppWatcher" as const, version });

export function queueContract(name: string, backend: () => Promise<QueueBackend>): void {
  describe(`JobQueue contract: ${name}`, () => {
    let b: QueueBackend;
    let q: JobQueue;
    beforeEach(async () => { b = await backend(); q = await b.open(); });
    afterEach(async () => { await q.close({ graceful: false }); await b.dispose(); });

    it("runs a job with its validated payload, key and attempt number", async () => {
      const seen: unknown[] = [];
      q.process("subscription.refresh", async (job) => { seen.push({ name: job.name, payload: job.payload, key: job.key, attempt: job.attempt }); }, { concurrency: 1 });
      await q.add("subscription.refresh", { subscriptionId: "sub:1", generation: 2 });
      await eventually("the job", () => seen.length === 1);
      expect(seen[0]).toEqual({ name: "subscription.refresh", payload: { subscriptionId: "sub:1", generation: 2 }, key: "refresh|sub:1|2", attempt: 1 });
    });

    it("rejects a payload that breaks the jobs.ts contract with a typed error", async () => {
      const err = await q.add("subscription.refresh", { subscriptionId: "", generation: -1 }).then(() => undefined, (e: unknown) => e);
      expect(isQueueError(err)).toBe(true);
      expect(err).toMatchObject({ kind: "invalidPayload", gatewayError: { code: "internal" } });
    });

    it("coalesces 100 adds for one key while it is active into one more run with the last payload", async () => {
      const versions: number[] = [];
      const g = gate();
      q.process("presence.fanout", async (job) => { versions.push(job.payload.version); if (versions.length === 1) await g.wait; }, { concurrency: 4 });
      await q.add("presence.fanout", fanout(0));
      await eventually("first run active", () => versions.length === 1);
      await Promise.all(Array.from({ length: 100 }, (_, i) => q.add("presence.fanout", fanout(i + 1))));
      g.open();
      await eventually("the coalesced run", () => versions.length >= 2);
      await sleep(300);
      expect(versions).toEqual([0, 100]);
    });

    it("drops an add for a key whose job is still waiting (the waiting one reads current state)", async () => {
      await q.add("presence.fanout", fanout(1));
      await q.add("presence.fanout", fanout(2));
      await q.add("presence.fanout", fanout(1, "sip:carol@sip.example.net"));
      const runs: string[] = [];
      q.process("presence.fanout", async (job) => { runs.push(`${job.payload.presentity}#${job.payload.version}`); }, { concurrency: 1 });
      await eventually("both keys", () => runs.length === 2);
      await sleep(200);
      expect(runs.sort()).toEqual(["sip:bob@sip.example.net#1", "sip:carol@sip.example.net#1"]);
    });

    it("ignores a second unique key, removes a scheduled generation by key, runs the new one", async () => {
      const runs: number[] = [];
      q.process("subscription.refresh", async (job) => { runs.push(job.payload.generation); }, { concurrency: 1 });
      const g1 = { subscriptionId: "s1", generation: 1 };
      await q.add("subscription.refresh", g1, { delayMs: 300 });
      await q.add("subscription.refresh", g1, { delayMs: 300 });
      expect(await q.removeByKey("subscription.refresh", jobKeyOf("subscription.refresh", g1).id)).toBe(true);
      expect(await q.removeByKey("subscription.refresh", "refresh|nope|0")).toBe(false);
      await q.add("subscription.refresh", { subscriptionId: "s1", generation: 2 }, { delayMs: 100 });
      await eventually("generation 2", () => runs.length === 1);
      await sleep(450);
      expect(runs).toEqual([2]);
    });

    it("removes a waiting coalesced job by key, freeing the key for the next add", async () => {
      const p = fanout(1);
      await q.add("presence.fanout", p);
      expect(await q.removeByKey("presence.fanout", jobKeyOf("presence.fanout", p).id)).toBe(true);
      expect(await q.removeByKey("presence.fanout", jobKeyOf("presence.fanout", p).id)).toBe(false);
      await q.add("presence.fanout", fanout(2));
      const runs: number[] = [];
      q.process("presence.fanout", async (job) => { runs.push(job.payload.version); }, { concurrency: 1 });
      await eventually("the re-added job", () => runs.length === 1);
      await sleep(200);
      expect(runs).toEqual([2]);
    });

    it("reports completions with wait and run times to the observer", async () => {
      await q.close({ graceful: false });
      const done: { name: string; waitMs: number; runMs: number }[] = [];
      q = await b.open({ completed: (name, t) => done.push({ name, ...t }) });
      q.process("subscription.expire", async () => { await sleep(50); }, { concurrency: 1 });
      await q.add("subscription.expire", { subscriptionId: "s5", generation: 0 }, { delayMs: 400 });
      await eventually("completion", () => done.length === 1);
      expect(done[0]!.name).toBe("subscription.expire");
      expect(done[0]!.runMs).toBeGreaterThanOrEqual(45);
      // Wait is counted from the end of the delay, not from the add.
      expect(done[0]!.waitMs).toBeGreaterThanOrEqual(0);
      expect(done[0]!.waitMs).toBeLessThan(400);
    });

    it("fires a delayed job no earlier than its time", async () => {
      let ranAt = 0;
      q.process("subscription.expire", async () => { ranAt = Date.now(); }, { concurrency: 1 });
      const addedAt = Date.now();
      await q.add("subscription.expire", { subscriptionId: "s9", generation: 0 }, { delayMs: 400 });
      await sleep(150);
      expect(ranAt).toBe(0);
      expect((await q.stats()).find((s) => s.name === "subscription.expire")).toMatchObject({ delayed: 1 });
      await eventually("the delayed job", () => ranAt > 0);
      expect(ranAt - addedAt).toBeGreaterThanOrEqual(390);
    });

    it("respects the rate limit: at most max starts per window", async () => {
      const starts: number[] = [];
      q.process("subscribe.burst", async () => { starts.push(Date.now()); }, { concurrency: 12, rateLimit: { max: 4, durationMs: 400 } });
      await Promise.all(Array.from({ length: 12 }, (_, i) => q.add("subscribe.burst", { xmppUser: "romeo@example.com", sipPresentity: `sip:c${i}@x` })));
      await eventually("12 starts", () => starts.length === 12, 10_000);
      // 12 jobs at 4 per window need three windows: the last start is ≥ two windows after the first.
      expect(starts[11]! - starts[0]!).toBeGreaterThanOrEqual(2 * 400 - 50);
      for (const t of starts) expect(starts.filter((u) => u >= t && u < t + 200).length).toBeLessThanOrEqual(4);
    });

    it("retries with exponential backoff, then moves the job to the failed set", async () => {
      await q.close({ graceful: false });
      const failures: { attempt: number; final: boolean }[] = [];
      q = await b.open({ failed: (_n, info) => failures.push({ attempt: info.attempt, final: info.final }) });
      const calls: number[] = [];
      q.process("subscription.refresh", async (job) => { calls.push(Date.now()); throw new Error(`boom ${job.attempt}`); }, { concurrency: 1 });
      await q.add("subscription.refresh", { subscriptionId: "s2", generation: 0 }, { attempts: 3, backoffMs: 100 });
      await eventually("three attempts and the failed set", async () => (await q.failed("subscription.refresh")).length === 1);
      expect(calls.length).toBe(3);
      expect(calls[1]! - calls[0]!).toBeGreaterThanOrEqual(90);
      expect(calls[2]! - calls[1]!).toBeGreaterThanOrEqual(190);
      const [failed] = await q.failed("subscription.refresh");
      expect(failed).toMatchObject({ name: "subscription.refresh", key: "refresh|s2|0", payload: { subscriptionId: "s2", generation: 0 }, attempts: 3, error: "boom 3" });
      expect((await q.stats()).find((s) => s.name === "subscription.refresh")).toMatchObject({ failed: 1, waiting: 0, active: 0, delayed: 0 });
      expect(failures).toEqual([{ attempt: 1, final: false }, { attempt: 2, final: false }, { attempt: 3, final: true }]);
    });

    it("does not retry a permanent failure; a failed unique key stays taken until removed", async () => {
      let calls = 0;
      q.process("subscription.expire", async () => { calls += 1; throw permanentJobFailure("subscription gone"); }, { concurrency: 1 });
      const p = { subscriptionId: "s3", generation: 1 };
      await q.add("subscription.expire", p, { attempts: 5, backoffMs: 10 });
      await eventually("failed", async () => (await q.failed("subscription.expire")).length === 1);
      expect(calls).toBe(1);
      await q.add("subscription.expire", p);
      await sleep(200);
      expect(calls).toBe(1);
      expect(await q.removeByKey("subscription.expire", jobKeyOf("subscription.expire", p).id)).toBe(true);
      await q.add("subscription.expire", p);
      await eventually("re-added job", () => calls === 2);
    });

    it("pauses and resumes taking jobs", async () => {
      let runs = 0;
      q.process("subscribe.burst", async () => { runs += 1; }, { concurrency: 2 });
      await q.pause();
      await q.add("subscribe.burst", { xmppUser: "a@b", sipPresentity: "sip:c@d" });
      await sleep(300);
      expect(runs).toBe(0);
      expect((await q.stats()).find((s) => s.name === "subscribe.burst")).toMatchObject({ waiting: 1 });
      await q.resume();
      await eventually("run after resume", () => runs === 1);
    });

    it("closes gracefully: waits for the active job and takes no new one", async () => {
      let finished = false;
      let started = 0;
      q.process("presence.fanout", async () => { started += 1; await sleep(300); finished = true; }, { concurrency: 1 });
      await q.add("presence.fanout", fanout(1));
      await q.add("presence.fanout", fanout(1, "sip:other@x"));
      await eventually("active", () => started === 1);
      await q.close({ graceful: true });
      expect(finished).toBe(true);
      expect(started).toBe(1);
      const err = await q.add("presence.fanout", fanout(2)).then(() => undefined, (e: unknown) => e);
      expect(err).toMatchObject({ name: "QueueError", kind: "closed" });
    });
  });
}
