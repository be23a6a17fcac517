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

  it("derives the watcher domain from JIDs and SIP URIs", () => {
    expect(watcherDomain(xmppWatcher({ watcher: "Romeo@Example.COM" }))).toBe("example.com");
    expect(watcherDomain(xmppWatcher({ watcher: "example.net" }))).toBe("example.net");
    expect(watcherDomain(sipWatcher({ watcher: "sip:bob@Host.example:5070;transport=tcp" }))).toBe("host.example");
    expect(watcherDomain(sipWatcher({ watcher: "sips:[2001:db8::1]:5061" }))).toBe("[2001:db8::1]");
    expect(watcherDomain(sipWatcher({ watcher: "sip:a%40b@x.example?subject=hi" }))).toBe("x.example");
  });
});
