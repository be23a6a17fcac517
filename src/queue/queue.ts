// The job queue seam. Two implementations (memory-queue.ts in-process, bullmq-queue.ts on Redis) pass
// one conformance suite (test/contract/queue.contract.ts). Delayed jobs replace setTimeout for
// refresh/expiry timers, so timers survive a restart and move to another replica with the queue.
import { gatewayError, type GatewayError } from "../domain/errors.js";
import type { JobName, JobPayload } from "./jobs.js";

export interface AddOptions {
  /** Run no earlier than this many ms from now (refresh/expiry timers). */
  readonly delayMs?: number;
  /** Override the job's default attempts / first backoff from jobs.ts. */
  readonly attempts?: number;
  readonly backoffMs?: number;
}

export interface JobContext<N extends JobName> {
  readonly name: N;
  readonly payload: JobPayload<N>;
  /** 1 on the first run, 2 on the first retry, … */
  readonly attempt: number;
  /** The job's key id from jobs.ts (not the escaped storage id). */
  readonly key: string;
}

/** Throw to fail the job; it is retried with backoff unless `permanentJobFailure` is thrown. */
export type JobHandler<N extends JobName> = (job: JobContext<N>) => Promise<void>;

export interface ProcessOptions {
  /** Jobs of this name run in parallel per process. */
  readonly concurrency: number;
  /** At most `max` job starts per `durationMs` window, across all processes sharing the backend. */
  readonly rateLimit?: { readonly max: number; readonly durationMs: number };
}

export interface QueueStats {
  readonly name: JobName;
  readonly waiting: number;
  readonly active: number;
  readonly delayed: number;
  readonly failed: number;
}

export interface FailedJob {
  readonly name: JobName;
  readonly key: string;
  readonly payload: unknown;
  readonly attempts: number;
  readonly error: string;
  readonly failedAt: number;
}

/** Hooks for metrics (observability/metrics.ts): called by the process that ran the job. */
export interface QueueObserver {
  /** waitMs: from ready (added or delay elapsed) to start; runMs: handler duration. */
  completed?(name: JobName, timing: { readonly waitMs: number; readonly runMs: number }): void;
  /** final: no retry left (the job is now in the failed set). */
  failed?(name: JobName, info: { readonly attempt: number; readonly final: boolean; readonly error: unknown }): void;
}

export interface JobQueue {
  /** Validates the payload (rejects with QueueError "invalidPayload") and enqueues it under its key. */
  add<N extends JobName>(name: N, payload: JobPayload<N>, opts?: AddOptions): Promise<void>;
  /** Registers the one handler of `name` in this process and starts taking its jobs. */
  process<N extends JobName>(name: N, handler: JobHandler<N>, opts: ProcessOptions): void;
  /** Removes a waiting or delayed job by key (e.g. the previous generation's refresh). Active jobs stay. */
  removeByKey(name: JobName, key: string): Promise<boolean>;
  /** Stops/starts taking new jobs in this process; active jobs finish. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  stats(): Promise<QueueStats[]>;
  /** Most recent failed jobs of `name`, newest first. */
  failed(name: JobName, limit?: number): Promise<FailedJob[]>;
  /** graceful (default): stop taking jobs and wait for the active ones; otherwise stop at once. */
  close(opts?: { readonly graceful?: boolean }): Promise<void>;
}

/**
 * unavailable: the backend (Redis) does not answer — transient.
 * invalidPayload: the caller broke the jobs.ts contract — a bug, never retried.
 * closed: the queue was closed by this process.
 */
export type QueueErrorKind = "unavailable" | "invalidPayload" | "closed";

export interface QueueError extends Error {
  readonly name: "QueueError";
  readonly kind: QueueErrorKind;
  readonly gatewayError: GatewayError;
}

export function queueError(kind: QueueErrorKind, detail: string, cause?: unknown): QueueError {
  const err = new Error(`queue ${kind}: ${detail}`, cause === undefined ? undefined : { cause });
  // As for the store: a backend outage is 503/<wait/> (retry later); anything else is internal.
  const gw = kind === "unavailable" ? gatewayError("linkDown", "job queue unavailable", cause) : gatewayError("internal", `job queue ${kind}`, cause);
  return Object.assign(err, { name: "QueueError" as const, kind, gatewayError: gw });
}

export function isQueueError(value: unknown): value is QueueError {
  return value instanceof Error && value.name === "QueueError" && typeof (value as { kind?: unknown }).kind === "string";
}

const PERMANENT = Symbol.for("stox.permanentJobFailure");

/** A failure retrying cannot fix (e.g. the subscription is gone): the job goes straight to failed. */
export function permanentJobFailure(detail: string, cause?: unknown): Error {
  const err = new Error(detail, cause === undefined ? undefined : { cause });
  return Object.assign(err, { [PERMANENT]: true });
}

export function isPermanentJobFailure(value: unknown): boolean {
  return value instanceof Error && (value as unknown as Record<symbol, unknown>)[PERMANENT] === true;
}

/**
 * A rate limit for `perSecond` job starts that never lets more than `perSecond` start in ANY 1 s span.
 * The limiter (BullMQ's, and memory-queue.ts which copies it) is a fixed window opened by its first job:
 * `{ max: rate, durationMs: 1000 }` allows a whole window's jobs at the end of one window and another
 * window's worth right after it (up to 2 × rate in one second), and sends each window as one burst.
 * Windows of one job each (durationMs = 1000 / rate) space the starts evenly; above 100/s, windows of
 * ⌈rate/100⌉ jobs keep them ≥ 10 ms long (timer granularity, one Redis round trip per window), which
 * allows at most one window's extra jobs (1 %) in an unaligned second. durationMs is rounded up, so the
 * average never exceeds the rate.
 */
export function evenRateLimit(perSecond: number): { readonly max: number; readonly durationMs: number } {
  const max = Math.max(1, Math.ceil(perSecond / 100));
  return { max, durationMs: Math.ceil((1000 * max) / perSecond) };
}
