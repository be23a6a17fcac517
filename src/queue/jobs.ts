// The queue's public contract: job names, payload schemas and per-job key/retry conventions.
// Jobs carry keys, never state: a worker reads the current state from the store when it runs, so a
// retry, a reordering or a coalesced duplicate is harmless (docs/state.md, style.md principle 7).
import { z } from "zod";

/**
 * How a job's key limits duplicates:
 * - coalesce: at most one waiting and one active job per key. An add while one waits is dropped (the
 *   waiting one will read the latest state anyway); an add while one is active is kept as the next
 *   job, replacing any earlier such add, so the newest payload runs after the active one finishes
 *   (BullMQ deduplication with keepLastIfActive). Never a TTL "throttle": that would drop the last change.
 * - unique: an add with a key that exists (waiting, delayed, active or kept in the failed set) is
 *   ignored (BullMQ jobId). Keys carry a generation so a refresh reschedules under a new key.
 */
export type KeyMode = "coalesce" | "unique";

export interface JobKey {
  readonly mode: KeyMode;
  readonly id: string;
}

export interface JobSpec<S extends z.ZodTypeAny> {
  readonly payload: S;
  readonly key: (payload: z.infer<S>) => JobKey;
  /** Total attempts including the first. */
  readonly attempts: number;
  /** First retry delay; doubles on each further retry (BullMQ "exponential": 2^(n−1) × delay). */
  readonly backoffMs: number;
}

const defineJob = <S extends z.ZodTypeAny>(spec: JobSpec<S>): JobSpec<S> => spec;
const address = z.string().min(1).max(1024);
const subscriptionId = z.string().min(1).max(256);

export const jobSpecs = {
  /** A presentity's cached presence changed: send it to every watcher of the given direction. */
  "presence.fanout": defineJob({
    payload: z.object({
      presentity: address,
      /** Which subscriptions to fan out to: SIP watchers of a JID, or XMPP watchers of a SIP URI. */
      watchers: z.enum(["sipWatcher", "xmppWatcher"]),
      /** Presence cache version that triggered it; informational (logs, latency), never trusted as state. */
      version: z.number().int().nonnegative(),
    }).strict(),
    key: (p) => ({ mode: "coalesce", id: `fanout|${p.watchers}|${p.presentity}` }),
    attempts: 5,
    backoffMs: 1000,
  }),
  /** Refresh one XMPP-watcher subscription before it expires (RFC 6665 §4.1.2.2); delayed job. */
  "subscription.refresh": defineJob({
    payload: z.object({ subscriptionId, generation: z.number().int().nonnegative() }).strict(),
    key: (p) => ({ mode: "unique", id: `refresh|${p.subscriptionId}|${p.generation}` }),
    attempts: 3,
    backoffMs: 2000,
  }),
  /** End a subscription whose expiry passed without a refresh (RFC 6665 §4.2.2, reason=timeout; section recalled, not read here); delayed job. */
  "subscription.expire": defineJob({
    payload: z.object({ subscriptionId, generation: z.number().int().nonnegative() }).strict(),
    key: (p) => ({ mode: "unique", id: `expire|${p.subscriptionId}|${p.generation}` }),
    attempts: 3,
    backoffMs: 2000,
  }),
  /** One outbound SUBSCRIBE of a login/restart storm; processed with a rate limit. */
  "subscribe.burst": defineJob({
    payload: z.object({ xmppUser: address, sipPresentity: address }).strict(),
    key: (p) => ({ mode: "coalesce", id: `subscribe|${p.xmppUser}|${p.sipPresentity}` }),
    attempts: 4,
    backoffMs: 5000,
  }),
} as const;

export type JobName = keyof typeof jobSpecs;
export type JobPayload<N extends JobName> = z.infer<(typeof jobSpecs)[N]["payload"]>;
export const JOB_NAMES = Object.keys(jobSpecs) as JobName[];

/**
 * BullMQ custom job ids must not contain ':' (its key separator) and must not be all digits
 * (auto-generated ids are). Addresses contain ':' (sip:), so keys are percent-escaped for ':' and '%'
 * — injective, so two different keys never collide — and always start with a letter.
 */
export function storageKeyOf(key: JobKey): string {
  return `k${key.id.replace(/%/g, "%25").replace(/:/g, "%3A")}`;
}

/** The key jobs.ts assigns to a payload (e.g. to remove the previous generation's refresh job). */
export function jobKeyOf<N extends JobName>(name: N, payload: JobPayload<N>): JobKey {
  return (jobSpecs[name].key as (p: JobPayload<N>) => JobKey)(payload);
}
