// In-process JobQueue for one node (`queue.kind: memory`) and unit tests: the BullMQ semantics of
// jobs.ts (coalescing, unique keys, delays, fixed-window rate limit, exponential backoff, failed set)
// on timers. Jobs do not survive a restart; recovery re-derives them from the store (docs/state.md).
import type { Logger } from "pino";
import { JOB_NAMES, jobSpecs, type JobKey, type JobName, type JobPayload } from "./jobs.js";
import { isPermanentJobFailure, queueError, type AddOptions, type FailedJob, type JobHandler, type JobQueue, type ProcessOptions, type QueueObserver, type QueueStats } from "./queue.js";

export interface MemoryQueueOptions {
  readonly logger: Logger;
  readonly observer?: QueueObserver;
  /** Failed jobs kept per name (like BullMQ removeOnFail.count). Default 1000. */
  readonly keepFailed?: number;
}

type State = "waiting" | "delayed" | "active" | "failed" | "done";
interface MemJob {
  readonly name: JobName;
  readonly key: JobKey;
  readonly payload: unknown;
  readonly attempts: number;
  readonly backoffMs: number;
  attemptsMade: number;
  readyAt: number;
  state: State;
  timer?: ReturnType<typeof setTimeout>;
}
interface Lane {
  readonly waiting: MemJob[]; // FIFO; removed jobs are skipped lazily
  head: number;
  waitingCount: number;
  readonly delayed: Set<MemJob>;
  active: number;
  /** Live job per key: unique keys until removed (failed ones stay reserved), coalesce keys until finished. */
  readonly keys: Map<string, MemJob>;
  /** Coalesce: the newest payload added while the key's job was active. */
  readonly next: Map<string, { payload: unknown; opts: AddOptions }>;
  readonly failed: MemJob[];
  readonly failedInfo: WeakMap<MemJob, { error: string; at: number }>;
  handler?: JobHandler<JobName>;
  opts?: ProcessOptions;
  windowStart: number;
  windowCount: number;
  rateTimer?: ReturnType<typeof setTimeout>;
}

export function createMemoryQueue(options: MemoryQueueOptions): JobQueue {
  const keepFailed = options.keepFailed ?? 1000;
  const lanes = new Map<JobName, Lane>();
  const running = new Set<Promise<void>>();
  let paused = false;
  let closed = false;

  const lane = (name: JobName): Lane => {
    let l = lanes.get(name);
    if (!l) {
      l = { waiting: [], head: 0, waitingCount: 0, delayed: new Set(), active: 0, keys: new Map(), next: new Map(), failed: [], failedInfo: new WeakMap(), windowStart: 0, windowCount: 0 };
      lanes.set(name, l);
    }
    return l;
  };
  const makeWaiting = (l: Lane, job: MemJob): void => {
    job.state = "waiting";
    job.readyAt = Date.now();
    l.waiting.push(job);
    l.waitingCount += 1;
  };
  const schedule = (l: Lane, job: MemJob, delayMs: number): void => {
    job.state = "delayed";
    l.delayed.add(job);
    job.timer = setTimeout(() => {
      l.delayed.delete(job);
      job.timer = undefined;
      makeWaiting(l, job);
      pump(job.name);
    }, delayMs);
  };
  const enqueue = (name: JobName, key: JobKey, payload: unknown, opts: AddOptions): void => {
    const spec = jobSpecs[name];
    const l = lane(name);
    const job: MemJob = { name, key, payload, attempts: opts.attempts ?? spec.attempts, backoffMs: opts.backoffMs ?? spec.backoffMs, attemptsMade: 0, readyAt: 0, state: "waiting" };
    l.keys.set(key.id, job);
    if (opts.delayMs && opts.delayMs > 0) schedule(l, job, opts.delayMs);
    else makeWaiting(l, job);
    pump(name);
  };
  const peek = (l: Lane): MemJob | undefined => {
    while (l.head < l.waiting.length) {
      const job = l.waiting[l.head];
      if (job && job.state === "waiting") return job;
      l.head += 1; // removed by removeByKey
    }
    if (l.head > 0) { l.waiting.length = 0; l.head = 0; }
    return undefined;
  };
  /** BullMQ's limiter: a counter that starts with the first job of a window and expires after durationMs. */
  const rateAllows = (name: JobName, l: Lane): boolean => {
    const rl = l.opts?.rateLimit;
    if (!rl) return true;
    const now = Date.now();
    if (now >= l.windowStart + rl.durationMs) { l.windowStart = now; l.windowCount = 0; }
    if (l.windowCount < rl.max) { l.windowCount += 1; return true; }
    if (!l.rateTimer) {
      l.rateTimer = setTimeout(() => { l.rateTimer = undefined; pump(name); }, l.windowStart + rl.durationMs - now);
    }
    return false;
  };
  const pump = (name: JobName): void => {
    const l = lane(name);
    while (!closed && !paused && l.handler && l.opts && l.active < l.opts.concurrency) {
      const job = peek(l);
      if (!job || !rateAllows(name, l)) return;
      l.head += 1;
      l.waitingCount -= 1;
      start(l, job, l.handler);
    }
  };
  const finish = (l: Lane, job: MemJob): void => {
    // A failed unique job keeps its key, as BullMQ keeps the failed job under its id.
    const keepKey = job.state === "failed" && job.key.mode === "unique";
    if (!keepKey && l.keys.get(job.key.id) === job) l.keys.delete(job.key.id);
    if (job.key.mode !== "coalesce") return;
    const next = l.next.get(job.key.id);
    if (next) {
      l.next.delete(job.key.id);
      enqueue(job.name, job.key, next.payload, next.opts);
    }
  };
  const fail = (l: Lane, job: MemJob, error: unknown): void => {
    job.state = "failed";
    l.failed.push(job);
    l.failedInfo.set(job, { error: error instanceof Error ? error.message : String(error), at: Date.now() });
    if (l.failed.length > keepFailed) {
      const dropped = l.failed.shift();
      if (dropped && l.keys.get(dropped.key.id) === dropped) l.keys.delete(dropped.key.id);
    }
    options.logger.error({ job: job.name, key: job.key.id, attempts: job.attemptsMade, err: error }, "job failed permanently");
    finish(l, job);
  };
  const start = (l: Lane, job: MemJob, handler: JobHandler<JobName>): void => {
    job.state = "active";
    job.attemptsMade += 1;
    l.active += 1;
    const startedAt = Date.now();
    const waitMs = startedAt - job.readyAt;
    const ctx = { name: job.name, payload: job.payload as JobPayload<JobName>, attempt: job.attemptsMade, key: job.key.id };
    const p: Promise<void> = Promise.resolve()
      .then(() => handler(ctx))
      .then(
        () => {
          job.state = "done";
          options.observer?.completed?.(job.name, { waitMs, runMs: Date.now() - startedAt });
          finish(l, job);
        },
        (error: unknown) => {
          const final = isPermanentJobFailure(error) || job.attemptsMade >= job.attempts;
          options.observer?.failed?.(job.name, { attempt: job.attemptsMade, final, error });
          if (final) fail(l, job, error);
          else {
            options.logger.warn({ job: job.name, key: job.key.id, attempt: job.attemptsMade, err: error }, "job failed; retrying");
            if (!closed) schedule(l, job, Math.round(2 ** (job.attemptsMade - 1) * job.backoffMs));
          }
        },
      )
      .finally(() => {
        l.active -= 1;
        running.delete(p);
        pump(job.name);
      });
    running.add(p);
  };

  return {
    async add(name, payload, opts = {}) {
      if (closed) throw queueError("closed", `add ${name}: queue is closed`);
      const spec = jobSpecs[name];
      const parsed = spec.payload.safeParse(payload);
      if (!parsed.success) throw queueError("invalidPayload", `${name}: ${parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`);
      const key = (spec.key as (p: unknown) => JobKey)(parsed.data);
      const l = lane(name);
      const current = l.keys.get(key.id);
      if (current) {
        if (key.mode === "coalesce" && current.state === "active") l.next.set(key.id, { payload: parsed.data, opts });
        return;
      }
      enqueue(name, key, parsed.data, opts);
    },
    process(name, handler, opts) {
      const l = lane(name);
      if (l.handler) throw new Error(`a handler for ${name} is already registered`);
      l.handler = handler as JobHandler<JobName>;
      l.opts = opts;
      pump(name);
    },
    async removeByKey(name, key) {
      const l = lane(name);
      const job = l.keys.get(key);
      if (!job || job.state === "active") return false;
      l.keys.delete(key);
      if (job.state === "delayed") { clearTimeout(job.timer); l.delayed.delete(job); }
      else if (job.state === "waiting") l.waitingCount -= 1;
      else if (job.state === "failed") l.failed.splice(l.failed.indexOf(job), 1);
      job.state = "done";
      return true;
    },
    async pause() { paused = true; },
    async resume() {
      paused = false;
      for (const name of lanes.keys()) pump(name);
    },
    async stats(): Promise<QueueStats[]> {
      return JOB_NAMES.map((name) => {
        const l = lane(name);
        return { name, waiting: l.waitingCount, active: l.active, delayed: l.delayed.size, failed: l.failed.length };
      });
    },
    async failed(name, limit = 100): Promise<FailedJob[]> {
      const l = lane(name);
      return l.failed.slice(-limit).reverse().map((job) => {
        const info = l.failedInfo.get(job);
        return { name, key: job.key.id, payload: job.payload, attempts: job.attemptsMade, error: info?.error ?? "", failedAt: info?.at ?? 0 };
      });
    },
    async close({ graceful = true } = {}) {
      if (closed && running.size === 0) return;
      closed = true;
      for (const l of lanes.values()) {
        for (const job of l.delayed) clearTimeout(job.timer);
        clearTimeout(l.rateTimer);
      }
      if (graceful) await Promise.allSettled([...running]);
    },
  };
}
