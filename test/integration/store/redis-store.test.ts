// The shared Store conformance suite against a real, throwaway redis-server (never the system Redis),
// plus what only Redis has: persistence across a restart, startup and mid-run outages.
import { describe, it, expect, beforeAll, afterAll, jest } from "@jest/globals";
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import pino from "pino";
import { createRedisStore } from "../../../src/store/redis-store.js";
import { isStoreError } from "../../../src/store/store-error.js";
import { newSubscriptionId, type Store } from "../../../src/store/store.js";
import { freePort } from "../../support/peers/process.js";
import { startRedis, type RedisPeer } from "../../support/peers/redis.js";
import { sipWatcher, storeContract, storeRestartContract, xmppWatcher } from "../../contract/store.contract.js";

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

describe("redis store footprint", () => {
  it("stays under 1 KB of Redis memory per subscription, indexes included", async () => {
    const store = await createRedisStore({ url: redis.url, keyPrefix: `mem${++n}:`, logger });
    const admin = new Redis(redis.url);
    try {
      const used = async (): Promise<number> => Number(/used_memory:(\d+)/.exec(await admin.info("memory"))?.[1]);
      const hex = (len: number): string => randomBytes(len).toString("hex");
      // Gateway-sized values: 32-hex Call-ID, 12-hex tags, one Record-Route, a TCP flow token.
      const subs = Array.from({ length: 2000 }, (_, i) => {
        const base = sipWatcher({ id: newSubscriptionId(), watcher: `sip:contact${i % 500}@sip.example.org`, presentity: `user${i % 400}@example.com` });
        const dialog = { ...base.dialog, id: { callId: `${hex(16)}@gw.example.com`, localTag: hex(6), remoteTag: hex(6) }, flow: { transport: "TCP" as const, address: "198.51.100.7", port: 5062, flow: hex(8) } };
        return i % 2 === 0 ? { ...base, dialog } : xmppWatcher({ id: newSubscriptionId(), watcher: `user${i % 400}@example.com`, presentity: `sip:contact${i % 500}@sip.example.org`, dialog });
      });
      const before = await used();
      await store.putSubscriptions(subs);
      const perSub = ((await used()) - before) / subs.length;
      expect(perSub).toBeGreaterThan(200); // the measurement saw the data at all
      expect(perSub).toBeLessThan(1024);
    } finally {
      admin.disconnect();
      await store.close();
    }
  });
});

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
