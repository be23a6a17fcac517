// The shared Store conformance suite against a real, throwaway redis-server (never the system Redis),
// plus what only Redis has: persistence across a restart, startup and mid-run outages.
import { describe, it, expect, beforeAll, afterAll, jest } from "@jest/globals";
import pino from "pino";
import { createRedisStore } from "../../../src/store/redis-store.js";
import { isStoreError } from "../../../src/store/store-error.js";
import type { Store } from "../../../src/store/store.js";
import { freePort } from "../../support/peers/process.js";
import { startRedis, type RedisPeer } from "../../support/peers/redis.js";
import { storeContract, storeRestartContract, xmppWatcher } from "../../contract/store.contract.js";

// Outage and restart tests wait for reconnection backoff; a shared machine can be slow.
jest.setTimeout(30_000);
const logger = pino({ level: "silent" });
let redis: RedisPeer;
let n = 0;
beforeAll(async () => { redis = await startRedis(); });
afterAll(async () => { await redis.stop(); });

storeContract("redis", async () => {
  // A fresh key prefix per test is an empty store on the shared server.
  const keyPrefix = `t${++n}:`;
  const open = (): Promise<Store> => createRedisStore({ url: redis.url, keyPrefix, logger });
  const store = await open();
  const others: Store[] = [];
  return {
    store,
    replica: async () => { const s = await open(); others.push(s); return s; },
    dispose: async () => { await store.close(); for (const s of others) await s.close(); },
  };
});

storeRestartContract("redis with AOF", async () => {
  const peer = await startRedis({ persistent: true });
  const open = (): Promise<Store> => createRedisStore({ url: peer.url, logger });
  const store = await open();
  return {
    store,
    replica: open,
    // SIGKILL, not a clean shutdown: with appendfsync always every acknowledged write is on disk.
    restart: async () => { await peer.kill(); await peer.restart(); },
    reopen: open,
    dispose: async () => { await store.close(); await peer.stop(); },
  };
});

async function failure(p: Promise<unknown>): Promise<unknown> {
  return p.then(() => { throw new Error("expected a rejection"); }, (e: unknown) => e);
}

describe("redis store outages", () => {
  it("refuses to start with a typed 'unavailable' error when Redis does not answer", async () => {
    const port = await freePort(); // nothing listens there
    const err = await failure(createRedisStore({ url: `redis://127.0.0.1:${port}`, logger, connectTimeoutMs: 500 }));
    expect(isStoreError(err)).toBe(true);
    expect(err).toMatchObject({ kind: "unavailable", gatewayError: { code: "linkDown" } });
  });

  it("fails operations with typed errors while Redis is down and recovers when it is back", async () => {
    const peer = await startRedis({ persistent: true });
    const store = await createRedisStore({ url: peer.url, logger, commandTimeoutMs: 500 });
    try {
      const sub = xmppWatcher();
      await store.putSubscription(sub);
      await peer.kill();
      for (const op of [store.getSubscription(sub.id), store.putSubscription(sub), store.ping()]) {
        expect(await failure(op)).toMatchObject({ name: "StoreError", kind: "unavailable" });
      }
      await peer.restart();
      // ioredis reconnects on its own (retry backoff ≤ 2 s); the store needs no re-creation.
      const deadline = Date.now() + 10_000;
      for (;;) {
        try { await store.ping(); break; } catch (e) {
          expect(isStoreError(e)).toBe(true);
          if (Date.now() > deadline) throw e;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      expect(await store.getSubscription(sub.id)).toEqual(sub);
    } finally {
      await store.close();
      await peer.stop();
    }
  });
});
