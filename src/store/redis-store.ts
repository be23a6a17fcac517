// Redis Store (`store.kind: redis`): shared by replicas and durable across restarts.
// Keys (P = keyPrefix):  P s:<id> record (redis-codec.ts) · P ip:<s|x>:<presentity> set of ids ·
// P iw:<s|x>:<watcher> set of ids · P cd:<s|x> hash domain → count · P ex:<s|x> zset id → expiresAt ·
// P pr:<presentity> hash {v, s, t} · P l:<name> lease owner with PX. See docs/state.md.
import { Redis, type ChainableCommander } from "ioredis";
import type { Logger } from "pino";
import type { XmppPresenceState } from "../domain/presence.js";
import { decodePresenceStates, decodeSubscription, encodeSubscription, KIND_TAG } from "./redis-codec.js";
import { ACQUIRE_LEASE, DELETE_SUBSCRIPTION, GET_LEASE, PUT_PRESENCE, PUT_SUBSCRIPTION, PUT_SUBSCRIPTIONS, RELEASE_LEASE, RENEW_LEASE } from "./redis-scripts.js";
import { isStoreError, storeError } from "./store-error.js";
import type { Store, Subscription, SubscriptionKind, SubscriptionOf } from "./store.js";

export interface RedisStoreOptions {
  /** redis:// or rediss:// URL. */
  readonly url: string;
  readonly password?: string;
  /** Prepended to every key; lets several gateways (or tests) share one Redis. Default "stox:". */
  readonly keyPrefix?: string;
  /** Per-command deadline; a hung Redis becomes a typed "unavailable" error. Default 2000 ms. */
  readonly commandTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
  readonly logger?: Logger;
}

type Arg = string | number;
interface ScriptCommands {
  stoxPutSub(...args: Arg[]): Promise<unknown>;
  stoxDelSub(...args: Arg[]): Promise<unknown>;
  stoxPutSubs(...args: Arg[]): Promise<unknown>;
  stoxPutPresence(...args: Arg[]): Promise<unknown>;
  stoxAcquire(...args: Arg[]): Promise<unknown>;
  stoxRenew(...args: Arg[]): Promise<unknown>;
  stoxRelease(...args: Arg[]): Promise<unknown>;
  stoxGetLease(...args: Arg[]): Promise<unknown>;
}
type PipelineScripts = ChainableCommander & { stoxPutSubs(...args: Arg[]): ChainableCommander };

/** MGET batch size: big enough to amortise round trips, small enough not to stall Redis. */
const BATCH = 1000;
/** Records per bulk-put script call: one call blocks Redis for roughly 2 ms. */
const PUT_BATCH = 100;

/**
 * Connects and verifies Redis answers; rejects with StoreError "unavailable" otherwise, so startup
 * fails with a clear error instead of queueing commands forever.
 */
export async function createRedisStore(opts: RedisStoreOptions): Promise<Store> {
  const prefix = opts.keyPrefix ?? "stox:";
  const redis = new Redis(opts.url, {
    password: opts.password,
    lazyConnect: true,
    // Fail fast while disconnected instead of buffering: callers get a typed error and retry via the queue.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: opts.commandTimeoutMs ?? 2000,
    connectTimeout: opts.connectTimeoutMs ?? 2000,
    // No retries before the first connection (startup fails fast); afterwards reconnect forever.
    retryStrategy: (times) => (everUp ? Math.min(times * 200, 2000) : null),
  });
  let everUp = false;
  let up = false;
  let closed = false;
  redis.on("ready", () => { if (!up) opts.logger?.info({ prefix }, "state store connected"); up = true; everUp = true; });
  redis.on("error", (err: Error) => {
    // ioredis emits an error per reconnection attempt: log the transition once, not every retry.
    if (up) opts.logger?.warn({ err: err.message }, "state store connection lost; reconnecting");
    up = false;
  });
  redis.defineCommand("stoxPutSub", { numberOfKeys: 2, lua: PUT_SUBSCRIPTION });
  redis.defineCommand("stoxPutSubs", { numberOfKeys: 0, lua: PUT_SUBSCRIPTIONS });
  redis.defineCommand("stoxDelSub", { numberOfKeys: 1, lua: DELETE_SUBSCRIPTION });
  redis.defineCommand("stoxPutPresence", { numberOfKeys: 1, lua: PUT_PRESENCE });
  redis.defineCommand("stoxAcquire", { numberOfKeys: 1, lua: ACQUIRE_LEASE });
  redis.defineCommand("stoxRenew", { numberOfKeys: 1, lua: RENEW_LEASE });
  redis.defineCommand("stoxRelease", { numberOfKeys: 1, lua: RELEASE_LEASE });
  redis.defineCommand("stoxGetLease", { numberOfKeys: 1, lua: GET_LEASE });
  const cmd = redis as Redis & ScriptCommands;
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    // After a refused first connection ioredis is already "end"; disconnect() then would arm a 2 s
    // stream-destroy timer that is never cleared (keeps the process alive).
    if (redis.status !== "end") redis.disconnect();
    throw storeError("unavailable", `cannot reach ${redactUrl(opts.url)}: ${(e as Error).message}`, e);
  }

  const recKey = (id: string): string => `${prefix}s:${id}`;
  const exKey = (kind: SubscriptionKind): string => `${prefix}ex:${KIND_TAG[kind]}`;
  const run = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    if (closed) throw storeError("closed", `${what}: redis store is closed`);
    try {
      return await fn();
    } catch (e) {
      if (isStoreError(e)) throw e;
      throw storeError(closed ? "closed" : "unavailable", `${what}: ${(e as Error).message}`, e);
    }
  };
  const putArgs = (sub: Subscription): Arg[] => {
    const enc = encodeSubscription(sub);
    return [recKey(sub.id), exKey(sub.kind), prefix, sub.id, enc.value, enc.tag, sub.watcher, sub.presentity, enc.domain, sub.expiresAt];
  };
  /** Loads records by id, MGET batches in one pipeline; ids whose record vanished meanwhile are skipped. */
  const load = async (ids: readonly string[]): Promise<Subscription[]> => {
    if (ids.length === 0) return [];
    const pipe = redis.pipeline();
    for (let i = 0; i < ids.length; i += BATCH) pipe.mget(ids.slice(i, i + BATCH).map(recKey));
    const results = (await pipe.exec()) ?? [];
    const out: Subscription[] = [];
    results.forEach(([err, values], batch) => {
      if (err) throw err;
      (values as (string | null)[]).forEach((raw, j) => {
        if (raw !== null) out.push(decodeSubscription(ids[batch * BATCH + j]!, raw));
      });
    });
    return out;
  };
  const ofKind = <K extends SubscriptionKind>(kind: K, subs: Subscription[]): SubscriptionOf<K>[] =>
    subs.filter((s): s is SubscriptionOf<K> => s.kind === kind);

  return {
    putSubscription: (sub) => run("putSubscription", async () => { await cmd.stoxPutSub(...putArgs(sub)); }),
    putSubscriptions: (subs) => run("putSubscriptions", async () => {
      // All batches in one pipeline (one round trip); each script call is atomic for its records.
      const pipe = redis.pipeline() as PipelineScripts;
      for (let i = 0; i < subs.length; i += PUT_BATCH) {
        const args: Arg[] = [prefix];
        for (const sub of subs.slice(i, i + PUT_BATCH)) {
          const enc = encodeSubscription(sub);
          args.push(sub.id, enc.value, enc.tag, sub.watcher, sub.presentity, enc.domain, sub.expiresAt);
        }
        pipe.stoxPutSubs(...args);
      }
      const failed = ((await pipe.exec()) ?? []).find(([err]) => err !== null);
      if (failed?.[0]) throw failed[0];
    }),
    getSubscription: (id) => run("getSubscription", async () => {
      const raw = await redis.get(recKey(id));
      return raw === null ? undefined : decodeSubscription(id, raw);
    }),
    deleteSubscription: (id) => run("deleteSubscription", async () => (await cmd.stoxDelSub(recKey(id), prefix, id)) === 1),
    listByPresentity: (kind, presentity) => run("listByPresentity", async () =>
      ofKind(kind, await load(await redis.smembers(`${prefix}ip:${KIND_TAG[kind]}:${presentity}`)))),
    listByWatcher: (kind, watcher) => run("listByWatcher", async () =>
      ofKind(kind, await load(await redis.smembers(`${prefix}iw:${KIND_TAG[kind]}:${watcher}`)))),
    countByWatcher: (kind, watcher) => run("countByWatcher", () => redis.scard(`${prefix}iw:${KIND_TAG[kind]}:${watcher}`)),
    countByDomain: (kind, domain) => run("countByDomain", async () =>
      Number((await redis.hget(`${prefix}cd:${KIND_TAG[kind]}`, domain.toLowerCase())) ?? 0)),
    listExpiring: (before, limit) => run("listExpiring", async () => {
      // One zset per kind (listAll reads one kind without the other); merge the two heads.
      const [s, x] = await Promise.all((["sipWatcher", "xmppWatcher"] as const).map((k) => redis.zrangebyscore(exKey(k), "-inf", before, "LIMIT", 0, limit)));
      const subs = await load([...(s ?? []), ...(x ?? [])]);
      return subs.sort((a, b) => a.expiresAt - b.expiresAt).slice(0, limit);
    }),
    listAll: (kind) => run("listAll", async () => ofKind(kind, await load(await redis.zrange(exKey(kind), 0, -1)))),

    getPresence: (presentity) => run("getPresence", async () => {
      const [v, s, t] = await redis.hmget(`${prefix}pr:${presentity}`, "v", "s", "t");
      if (v === null || v === undefined || s === null || s === undefined) return undefined;
      return { version: Number(v), states: decodePresenceStates(presentity, s), updatedAt: Number(t ?? 0) };
    }),
    putPresence: (presentity, states: readonly XmppPresenceState[], opts = {}) => run("putPresence", async () => {
      const [ok, version] = (await cmd.stoxPutPresence(`${prefix}pr:${presentity}`, opts.ifVersion ?? "", JSON.stringify(states), Date.now())) as [number, number];
      return ok === 1 ? { ok: true as const, version } : { ok: false as const, currentVersion: version };
    }),
    deletePresence: (presentity) => run("deletePresence", async () => { await redis.del(`${prefix}pr:${presentity}`); }),

    acquireLease: (name, owner, ttlMs) => run("acquireLease", async () => (await cmd.stoxAcquire(`${prefix}l:${name}`, owner, ttlMs)) === 1),
    renewLease: (name, owner, ttlMs) => run("renewLease", async () => (await cmd.stoxRenew(`${prefix}l:${name}`, owner, ttlMs)) === 1),
    releaseLease: (name, owner) => run("releaseLease", async () => (await cmd.stoxRelease(`${prefix}l:${name}`, owner)) === 1),
    getLease: (name) => run("getLease", async () => {
      const r = (await cmd.stoxGetLease(`${prefix}l:${name}`)) as [string, number] | null;
      // Redis keeps the TTL; expiresAt is translated onto this process's clock.
      return r ? { owner: r[0], expiresAt: Date.now() + r[1] } : undefined;
    }),

    putMarker: (name, value) => run("putMarker", async () => { await redis.set(`${prefix}m:${name}`, value); }),
    takeMarker: (name) => run("takeMarker", async () => (await redis.getdel(`${prefix}m:${name}`)) ?? undefined),

    ping: () => run("ping", async () => { await redis.ping(); }),
    async close() {
      if (closed) return;
      closed = true;
      try { await redis.quit(); } catch { redis.disconnect(); }
    },
  };
}

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, "//***@");
}
