// BullMQ JobQueue (`queue.kind: bullmq`): one BullMQ queue per job name, so each name has its own rate
// limiter (BullMQ's limiter is per queue and shared by every worker of it, on every replica).
// jobs.ts keys map onto BullMQ: coalesce → deduplication {id, keepLastIfActive} (BullMQ ≥ 5.72),
// unique → custom jobId; retries → attempts + exponential backoff; failed jobs kept (removeOnFail).
import { Queue, UnrecoverableError, Worker, type Job, type JobsOptions } from "bullmq";
import { Redis, type RedisOptions } from "ioredis";
import type { Logger } from "pino";
import { JOB_NAMES, jobSpecs, storageKeyOf, type JobKey, type JobName, type JobPayload } from "./jobs.js";
import { isPermanentJobFailure, queueError, type FailedJob, type JobHandler, type JobQueue, type ProcessOptions, type QueueObserver, type QueueStats } from "./queue.js";

export interface BullmqQueueOptions {
  /** redis:// or rediss:// URL. */
  readonly url: string;
  readonly password?: string;
  /** BullMQ key prefix (keys are `<prefix>:<job name>:…`). Default "stoxq". */
  readonly prefix?: string;
  readonly logger: Logger;
  readonly observer?: QueueObserver;
  /** Failed jobs kept per name. Default 1000. */
  readonly keepFailed?: number;
}

function connectionOf(url: string, password: string | undefined): RedisOptions {
  const u = new URL(url);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : undefined;
  return {
    host: u.hostname.replace(/^\[|\]$/g, ""),
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(password ?? u.password ? { password: password ?? decodeURIComponent(u.password) } : {}),
    ...(db !== undefined && Number.isInteger(db) ? { db } : {}),
    ...(u.protocol === "rediss:" ? { tls: {} } : {}),
  };
}

/**
 * COMPAT(bullmq 5.81): closing a Worker before its connections are ready leaves a client connecting
 * that keeps the process alive; wait (bounded, Redis may be down) for ready first.
 */
async function stopWorker(worker: Worker, force: boolean): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const bounded = new Promise<void>((resolve) => { timer = setTimeout(resolve, 2000); });
  await Promise.race([worker.waitUntilReady().then(() => undefined, () => undefined), bounded]);
  clearTimeout(timer);
  await worker.close(force);
}

const keyOf = (name: JobName, data: unknown): JobKey | undefined => {
  const parsed = jobSpecs[name].payload.safeParse(data);
  return parsed.success ? (jobSpecs[name].key as (p: unknown) => JobKey)(parsed.data) : undefined;
};

/**
 * Connects the producer and checks Redis answers; rejects with QueueError "unavailable" otherwise.
 * Producer commands fail fast while Redis is down (no offline queue); workers reconnect forever.
 */
export async function createBullmqQueue(opts: BullmqQueueOptions): Promise<JobQueue> {
  const prefix = opts.prefix ?? "stoxq";
  const keepFailed = opts.keepFailed ?? 1000;
  const base = connectionOf(opts.url, opts.password);
  let everUp = false;
  const producer = new Redis({
    ...base,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 5000,
    retryStrategy: (times) => (everUp ? Math.min(times * 200, 2000) : null),
  });
  producer.on("error", (err: Error) => opts.logger.debug({ err: err.message }, "queue producer connection error"));
  producer.on("ready", () => { everUp = true; });
  try {
    await producer.connect();
    await producer.ping();
  } catch (e) {
    if (producer.status !== "end") producer.disconnect();
    throw queueError("unavailable", `cannot reach Redis for the job queue: ${(e as Error).message}`, e);
  }

  const queues = new Map<JobName, Queue>();
  const workers = new Map<JobName, Worker>();
  let paused = false;
  let closed = false;
  let lastWarn = 0;
  const warnThrottled = (msg: string, err: Error): void => {
    // Workers report every failed reconnection; one line per 10 s is enough to see an outage.
    if (Date.now() - lastWarn < 10_000) return;
    lastWarn = Date.now();
    opts.logger.warn({ err: err.message }, msg);
  };
  const queueOf = (name: JobName): Queue => {
    let q = queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: producer, prefix, skipWaitingForReady: true });
      q.on("error", (err) => warnThrottled("job queue error", err));
      queues.set(name, q);
    }
    return q;
  };
  const guarded = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    if (closed) throw queueError("closed", `${what}: queue is closed`);
    try { return await fn(); } catch (e) { throw queueError("unavailable", `${what}: ${(e as Error).message}`, e); }
  };

  const registered = new Map<JobName, { processor: (job: Job) => Promise<void>; opts: ProcessOptions }>();
  const startWorker = (name: JobName): void => {
    const reg = registered.get(name);
    if (!reg) return;
    const worker = new Worker(name, reg.processor, {
      connection: { ...base, maxRetriesPerRequest: null },
      prefix,
      concurrency: reg.opts.concurrency,
      ...(reg.opts.rateLimit ? { limiter: { max: reg.opts.rateLimit.max, duration: reg.opts.rateLimit.durationMs } } : {}),
    });
    worker.on("error", (err) => warnThrottled("job worker error", err));
    workers.set(name, worker);
  };
  const wrap = <N extends JobName>(name: N, handler: JobHandler<N>) => async (job: Job): Promise<void> => {
    const spec = jobSpecs[name];
    const parsed = spec.payload.safeParse(job.data);
    // Data read back from Redis is a boundary: a payload from another version cannot be retried into shape.
    if (!parsed.success) throw new UnrecoverableError(`${name}: stored payload does not match jobs.ts: ${parsed.error.issues[0]?.message ?? "invalid"}`);
    const payload = parsed.data as JobPayload<N>;
    const key = (spec.key as (p: unknown) => JobKey)(payload);
    const attempt = job.attemptsMade + 1;
    const startedAt = Date.now();
    try {
      await handler({ name, payload, attempt, key: key.id });
    } catch (error) {
      const permanent = isPermanentJobFailure(error);
      const final = permanent || attempt >= (job.opts.attempts ?? 1);
      opts.observer?.failed?.(name, { attempt, final, error });
      if (final) opts.logger.error({ job: name, key: key.id, attempts: attempt, err: error }, "job failed permanently");
      else opts.logger.warn({ job: name, key: key.id, attempt, err: error }, "job failed; retrying");
      if (permanent) throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
      throw error;
    }
    const readyAt = job.timestamp + (job.opts.delay ?? 0);
    opts.observer?.completed?.(name, { waitMs: Math.max(0, (job.processedOn ?? startedAt) - readyAt), runMs: Date.now() - startedAt });
  };

  return {
    async add(name, payload, addOpts = {}) {
      if (closed) throw queueError("closed", `add ${name}: queue is closed`);
      const spec = jobSpecs[name];
      const parsed = spec.payload.safeParse(payload);
      if (!parsed.success) throw queueError("invalidPayload", `${name}: ${parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`);
      const key = (spec.key as (p: unknown) => JobKey)(parsed.data);
      const id = storageKeyOf(key);
      const jobOpts: JobsOptions = {
        attempts: addOpts.attempts ?? spec.attempts,
        backoff: { type: "exponential", delay: addOpts.backoffMs ?? spec.backoffMs },
        removeOnComplete: true,
        removeOnFail: { count: keepFailed },
        ...(addOpts.delayMs && addOpts.delayMs > 0 ? { delay: addOpts.delayMs } : {}),
        // Never a TTL (throttle) for fan-out: an update inside the TTL would be dropped for good.
        ...(key.mode === "unique" ? { jobId: id } : { deduplication: { id, keepLastIfActive: true } }),
      };
      await guarded(`add ${name}`, () => queueOf(name).add(name, parsed.data, jobOpts));
    },
    process(name, handler, processOpts) {
      if (registered.has(name)) throw new Error(`a handler for ${name} is already registered`);
      registered.set(name, { processor: wrap(name, handler), opts: processOpts });
      if (!paused && !closed) startWorker(name);
    },
    removeByKey: (name, key) => guarded(`removeByKey ${name}`, async () => {
      // Unique keys are the job id; a coalesce key names the deduplication owner's (generated) id.
      const unique = await queueOf(name).getJob(storageKeyOf({ mode: "unique", id: key }));
      const id = unique ? unique.id : await queueOf(name).getDeduplicationJobId(storageKeyOf({ mode: "coalesce", id: key }));
      if (!id) return false;
      const job = unique ?? (await queueOf(name).getJob(id));
      if (!job || (await job.getState()) === "active") return false;
      return (await queueOf(name).remove(id)) === 1;
    }),
    // Pause closes this process's workers (active jobs finish) and resume starts new ones: BullMQ's
    // own Worker.pause/resume can lose the worker when resume races the main loop winding down.
    async pause() {
      paused = true;
      const stopping = [...workers.values()].map((w) => stopWorker(w, false));
      workers.clear();
      await Promise.all(stopping);
    },
    async resume() {
      paused = false;
      if (!closed) for (const name of registered.keys()) if (!workers.has(name)) startWorker(name);
    },
    stats: () => guarded("stats", () => Promise.all(JOB_NAMES.map(async (name): Promise<QueueStats> => {
      const c = await queueOf(name).getJobCounts("waiting", "paused", "prioritized", "active", "delayed", "failed");
      return { name, waiting: (c.waiting ?? 0) + (c.paused ?? 0) + (c.prioritized ?? 0), active: c.active ?? 0, delayed: c.delayed ?? 0, failed: c.failed ?? 0 };
    }))),
    failed: (name, limit = 100) => guarded(`failed ${name}`, async () => {
      const jobs = await queueOf(name).getFailed(0, limit - 1);
      return jobs.map((job): FailedJob => ({
        name, key: keyOf(name, job.data)?.id ?? String(job.id), payload: job.data, attempts: job.attemptsMade, error: job.failedReason, failedAt: job.finishedOn ?? 0,
      }));
    }),
    async close({ graceful = true } = {}) {
      if (closed) return;
      closed = true;
      // Worker.close() without force waits for the active jobs and takes no new ones.
      await Promise.all([...workers.values()].map((w) => stopWorker(w, !graceful)));
      await Promise.all([...queues.values()].map((q) => q.close()));
      try { await producer.quit(); } catch { producer.disconnect(); }
    },
  };
}
