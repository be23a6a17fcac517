// The shared Store conformance suite against the in-process implementation, plus what only it has.
import { describe, it, expect } from "@jest/globals";
import { createMemoryStore } from "../../../src/store/memory-store.js";
import { watcherDomain } from "../../../src/store/store.js";
import { storeContract, sipWatcher, xmppWatcher } from "../../contract/store.contract.js";

storeContract("memory", async () => {
  const store = createMemoryStore();
  // One process, one map: a "second replica" is the same handle.
  return { store, replica: async () => store, dispose: () => store.close() };
});

describe("memory store specifics", () => {
  it("expires leases on the injected clock", async () => {
    let t = 1000;
    const store = createMemoryStore({ now: () => t });
    expect(await store.acquireLease("l", "a", 50)).toBe(true);
    t = 1049;
    expect(await store.acquireLease("l", "b", 50)).toBe(false);
    t = 1050;
    expect(await store.acquireLease("l", "b", 50)).toBe(true);
    expect(await store.getLease("l")).toEqual({ owner: "b", expiresAt: 1100 });
  });

  it("keeps index look-ups right across one id, several ids and back (single ids are stored unboxed)", async () => {
    const store = createMemoryStore();
    const ids = async () => (await store.listByWatcher("sipWatcher", "sip:w@sip.example")).map((s) => s.id).sort();
    const a = sipWatcher({ id: "a", watcher: "sip:w@sip.example", presentity: "p1@example.com" });
    const b = sipWatcher({ id: "b", watcher: "sip:w@sip.example", presentity: "p2@example.com" });
    await store.putSubscription(a);
    await store.putSubscription(a); // a rewrite keeps one entry
    expect(await ids()).toEqual(["a"]);
    await store.putSubscription(b);
    expect(await ids()).toEqual(["a", "b"]);
    expect(await store.countByWatcher("sipWatcher", "sip:w@sip.example")).toBe(2);
    // Same string, other kind: its own index.
    await store.putSubscription(xmppWatcher({ id: "x", watcher: "sip:w@sip.example", presentity: "p1@example.com" }));
    expect(await store.countByWatcher("sipWatcher", "sip:w@sip.example")).toBe(2);
    expect(await store.countByWatcher("xmppWatcher", "sip:w@sip.example")).toBe(1);
    await store.deleteSubscription("a");
    expect(await ids()).toEqual(["b"]);
    // Moving b to another presentity re-indexes it.
    await store.putSubscription({ ...b, presentity: "p1@example.com" });
    expect((await store.listByPresentity("sipWatcher", "p2@example.com")).length).toBe(0);
    expect((await store.listByPresentity("sipWatcher", "p1@example.com")).map((s) => s.id)).toEqual(["b"]);
    await store.deleteSubscription("b");
    expect(await ids()).toEqual([]);
    expect(await store.countByWatcher("sipWatcher", "sip:w@sip.example")).toBe(0);
  });

  it("derives the watcher domain from JIDs and SIP URIs", () => {
    expect(watcherDomain(xmppWatcher({ watcher: "Romeo@Example.COM" }))).toBe("example.com");
    expect(watcherDomain(xmppWatcher({ watcher: "example.net" }))).toBe("example.net");
    expect(watcherDomain(sipWatcher({ watcher: "sip:bob@Host.example:5070;transport=tcp" }))).toBe("host.example");
    expect(watcherDomain(sipWatcher({ watcher: "sips:[2001:db8::1]:5061" }))).toBe("[2001:db8::1]");
    expect(watcherDomain(sipWatcher({ watcher: "sip:a%40b@x.example?subject=hi" }))).toBe("x.example");
  });
});
