import { afterEach, beforeEach, describe, expect, it, jest } from "@jest/globals";
import pino from "pino";
import { createLinkHolder, linkLeaseName, type LinkHolderOptions } from "../../../src/lifecycle/link-holder.js";
import { createMemoryStore } from "../../../src/store/memory-store.js";

const TTL = 3000;
const NAME = linkLeaseName(["b.example", "A.example"]);

describe("link holder lease", () => {
  beforeEach(() => { jest.useFakeTimers(); });
  afterEach(() => { jest.useRealTimers(); });

  const holder = (store: LinkHolderOptions["store"], owner: string) => {
    const events: string[] = [];
    const h = createLinkHolder({
      store, name: NAME, owner, ttlMs: TTL, logger: pino({ level: "silent" }),
      onAcquired: () => events.push("acquired"), onLost: () => events.push("lost"),
    });
    return { h, events };
  };

  it("names the lease after the sorted, lowercased component domains", () => {
    expect(NAME).toBe("xmpp-link:a.example,b.example");
  });

  it("elects one holder; the other takes over within TTL + TTL/3 when the holder stops renewing", async () => {
    const store = createMemoryStore({ now: () => Date.now() });
    const a = holder(store, "a");
    const b = holder(store, "b");
    await a.h.start();
    await b.h.start();
    expect([a.h.holding, b.h.holding]).toEqual([true, false]);
    expect(b.events).toEqual([]);

    // Both processes crash (SIGKILL): their timers never run again and nothing is released.
    jest.clearAllTimers();
    const bAgain = holder(store, "b2");
    await bAgain.h.start();
    expect(bAgain.h.holding).toBe(false);
    await jest.advanceTimersByTimeAsync(TTL - 100);
    expect(bAgain.h.holding).toBe(false);
    await jest.advanceTimersByTimeAsync(TTL / 3 + 200);
    expect(bAgain.h.holding).toBe(true);
    expect(bAgain.events).toEqual(["acquired"]);
  });

  it("hands over at once on stop(): the lease is released, not left to expire", async () => {
    const store = createMemoryStore({ now: () => Date.now() });
    const a = holder(store, "a");
    const b = holder(store, "b");
    await a.h.start();
    await b.h.start();
    await a.h.stop();
    expect(await store.getLease(NAME)).toBeUndefined();
    await jest.advanceTimersByTimeAsync(TTL / 3 + 10);
    expect(b.h.holding).toBe(true);
    await b.h.stop();
  });

  it("keeps renewing while it holds, so the lease never lapses", async () => {
    const store = createMemoryStore({ now: () => Date.now() });
    const a = holder(store, "a");
    await a.h.start();
    await jest.advanceTimersByTimeAsync(TTL * 5);
    expect((await store.getLease(NAME))?.owner).toBe("a");
    expect(a.events).toEqual(["acquired"]);
    await a.h.stop();
  });

  it("gives the link up when another replica owns the lease", async () => {
    const store = createMemoryStore({ now: () => Date.now() });
    const a = holder(store, "a");
    await a.h.start();
    // As after a long pause: the lease expired and someone else took it.
    await store.releaseLease(NAME, "a");
    await store.acquireLease(NAME, "intruder", TTL);
    await jest.advanceTimersByTimeAsync(TTL / 3 + 10);
    expect(a.h.holding).toBe(false);
    expect(a.events).toEqual(["acquired", "lost"]);
    await a.h.stop();
    expect((await store.getLease(NAME))?.owner).toBe("intruder");
  });

  it("re-acquires a lease that vanished (Redis restarted without persistence) without giving the link up", async () => {
    const store = createMemoryStore({ now: () => Date.now() });
    const a = holder(store, "a");
    await a.h.start();
    await store.releaseLease(NAME, "a");
    await jest.advanceTimersByTimeAsync(TTL / 3 + 10);
    expect(a.h.holding).toBe(true);
    expect((await store.getLease(NAME))?.owner).toBe("a");
    expect(a.events).toEqual(["acquired"]);
    await a.h.stop();
  });

  it("keeps its role while the store is unreachable (the XMPP server's conflict rule is the fence)", async () => {
    const store = createMemoryStore({ now: () => Date.now() });
    let down = false;
    const flaky: LinkHolderOptions["store"] = {
      acquireLease: (...a) => (down ? Promise.reject(new Error("ECONNREFUSED")) : store.acquireLease(...a)),
      renewLease: (...a) => (down ? Promise.reject(new Error("ECONNREFUSED")) : store.renewLease(...a)),
      releaseLease: (...a) => (down ? Promise.reject(new Error("ECONNREFUSED")) : store.releaseLease(...a)),
    };
    const a = holder(flaky, "a");
    const b = holder(flaky, "b");
    await a.h.start();
    await b.h.start();
    down = true;
    await jest.advanceTimersByTimeAsync(TTL * 3);
    expect([a.h.holding, b.h.holding]).toEqual([true, false]);
    expect(a.events).toEqual(["acquired"]);
    down = false;
    await jest.advanceTimersByTimeAsync(TTL / 3 + 10);
    // Back: the lease lapsed during the outage; exactly one of them holds it now, and the store agrees.
    expect(Number(a.h.holding) + Number(b.h.holding)).toBe(1);
    expect((await store.getLease(NAME))?.owner).toBe(a.h.holding ? "a" : "b");
    await a.h.stop();
    await b.h.stop();
  });
});
