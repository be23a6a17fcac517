// XMPP watchers of SIP presentities on fake timers, the memory store and the memory queue: every
// SUBSCRIBE that starts a dialog goes through one rate limit (presence.subscribeRatePerSecond), stale
// jobs do nothing, and a shared contact's presence cache outlives one watcher's unsubscribe.
// The SIP endpoint is a fake (the wire is covered by test/integration/presence/presence-pacing.test.ts):
// it records when each SUBSCRIBE would be sent and lets the test play the notifier's NOTIFYs.
import { afterEach, beforeEach, describe, expect, it, jest } from "@jest/globals";
import pino from "pino";
import { compileAddressPlan } from "../../../../src/translate/address-plan.js";
import { compileSipTrust } from "../../../../src/translate/identity.js";
import { formatJid, sipUriToJid } from "../../../../src/translate/address.js";
import type { AddressPlan } from "../../../../src/domain/address.js";
import { createMemoryStore } from "../../../../src/store/memory-store.js";
import { createMemoryQueue } from "../../../../src/queue/memory-queue.js";
import { queueError, type JobQueue } from "../../../../src/queue/queue.js";
import type { Store } from "../../../../src/store/store.js";
import { createKeyedSerial } from "../../../../src/gateway/presence/keyed-serial.js";
import { createXmppWatchers, type XmppWatchers } from "../../../../src/gateway/presence/xmpp-watchers.js";
import type { PresenceDeps } from "../../../../src/gateway/presence/presence-deps.js";
import type { NotifyReceived, Subscription, SubscriptionEnded } from "../../../../src/sip/endpoint.js";
import type { SipRequest } from "../../../../src/sip/message/types.js";
import type { Element } from "../../../../src/xmpp/xml.js";

const logger = pino({ level: "silent" });
const planResult = compileAddressPlan({ sipDomains: ["sip.example"], xmppDomains: ["xmpp.example"], mappings: [{ style: "same-domain", sipDomain: "sip.example" }] });
if (!planResult.ok) throw new Error("address plan");
const plan: AddressPlan = planResult.value;
const trustResult = compileSipTrust([]);
if (!trustResult.ok) throw new Error("trust");
const trust = trustResult.value;
const sipJidOf = (uri: string): string | undefined => {
  const j = sipUriToJid(uri, plan);
  return j.ok ? formatJid({ ...(j.value.local !== undefined ? { local: j.value.local } : {}), domain: j.value.domain }) : undefined;
};

interface Sent {
  readonly at: number;
  readonly from: string;
  readonly to: string;
  /** Expires the SUBSCRIBE asked for (0: a fetch, RFC 6665 §4.4.3). */
  readonly expires: number | undefined;
  notify(state: "active" | "pending" | "terminated", note?: string, extra?: { reason?: "probation"; retryAfter?: number }): void;
  fail(status: number, retryAfter?: number): void;
}

/** A SIP endpoint that sends nothing: SUBSCRIBEs are recorded with the (fake) time they were made. */
function fakeSip() {
  const sent: Sent[] = [];
  const subscribe = (from: string, to: string, _pkg: string, opts?: { readonly expires?: number }): Subscription => {
    const onNotify: ((n: NotifyReceived) => void)[] = [];
    const onEnd: ((e: SubscriptionEnded) => void)[] = [];
    sent.push({
      at: Date.now(), from, to, expires: opts?.expires,
      notify(state, note, extra = {}) {
        const body = note === undefined ? new Uint8Array() : new TextEncoder().encode(
          `<?xml version="1.0"?><presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${to}"><tuple id="t1"><status><basic>open</basic></status><note>${note}</note></tuple></presence>`);
        // Only what xmpp-watchers reads: Subscription-State and the body (the request itself is unused).
        const n = { state, ...extra, request: {} as SipRequest, body, ...(note === undefined ? {} : { contentType: "application/pidf+xml" }) } as NotifyReceived;
        for (const l of onNotify) l(n);
      },
      fail(status, retryAfter) {
        for (const l of onEnd) l({ reason: "request-failed", by: "error", status, ...(retryAfter !== undefined ? { retryAfter } : {}) });
      },
    });
    return {
      key: `k${sent.length}`,
      data: () => ({ event: { name: "presence" }, state: "init", expiresAt: 0, identity: from, target: to, callId: `c${sent.length}`, localTag: "t", requestedExpires: 3600 }),
      response: Promise.resolve(undefined),
      onNotify: (l) => { onNotify.push(l); },
      onTerminated: (l) => { onEnd.push(l); },
      refresh: () => Promise.resolve(undefined),
      unsubscribe: () => Promise.resolve(),
    };
  };
  const sip: PresenceDeps["sip"] = {
    subscribe,
    restoreSubscription: () => { throw new Error("not used"); },
    onSubscribe: () => undefined,
    restoreNotifierSubscription: () => { throw new Error("not used"); },
  };
  return { sent, sip };
}

/** Largest number of SUBSCRIBEs within any span of 1 s (sliding, starting at each SUBSCRIBE). */
const peakPerSecond = (times: readonly number[]): number =>
  Math.max(0, ...times.map((t) => times.filter((u) => u >= t && u < t + 1000).length));

describe("XMPP watchers: paced SUBSCRIBEs", () => {
  let store: Store;
  let queue: JobQueue;
  let sent: Sent[];
  let stanzas: Element[];
  let watchers: XmppWatchers;
  const build = (rate: number, s?: Store) => {
    store = s ?? createMemoryStore();
    queue = createMemoryQueue({ logger });
    const fake = fakeSip();
    sent = fake.sent;
    stanzas = [];
    const deps: PresenceDeps = {
      plan, trust, sip: fake.sip, store, queue, logger,
      sendXmpp: (st) => { stanzas.push(st); },
      config: { notifyMinIntervalSeconds: 0, maxSubscriptionsPerUser: 1000, maxSubscriptionsPerDomain: 100_000, subscribeExpires: 3600, subscribeRatePerSecond: rate, reannounceRatePerSecond: 200 },
    };
    watchers = createXmppWatchers(deps, createKeyedSerial(), sipJidOf, queue);
  };
  const subscribe = (user: string, contact: string) =>
    watchers.onXmppRequest(`${user}@xmpp.example`, `sip:${user}@xmpp.example`, `sip:${contact}@sip.example`, "subscribe");

  beforeEach(() => { jest.useFakeTimers(); });
  afterEach(async () => {
    await queue.close({ graceful: false });
    jest.useRealTimers();
  });

  it("3 users × 30 contacts at once at 10/s: never more than 10 SUBSCRIBEs in any second, all sent, contacts pending meanwhile", async () => {
    build(10);
    const t0 = Date.now();
    await Promise.all(["u1", "u2", "u3"].flatMap((u) => Array.from({ length: 30 }, (_, k) => subscribe(u, `${u}c${k}`))));
    await jest.advanceTimersByTimeAsync(0);
    expect(sent.length).toBeLessThanOrEqual(1);
    // Every pair is recorded and pending; the XMPP users got nothing yet (no subscribed, no unsubscribed).
    const recs = await store.listAll("xmppWatcher");
    expect(recs.length).toBe(90);
    expect(recs.every((r) => r.authorization === "pending")).toBe(true);
    expect(stanzas).toEqual([]);
    await jest.advanceTimersByTimeAsync(4000);
    expect(sent.length).toBeGreaterThanOrEqual(40);
    expect(sent.length).toBeLessThanOrEqual(41);
    await jest.advanceTimersByTimeAsync(6000);
    expect(sent.length).toBe(90);
    expect(new Set(sent.map((s) => `${s.from} ${s.to}`)).size).toBe(90);
    expect(peakPerSecond(sent.map((s) => s.at))).toBe(10);
    expect(sent[89]!.at - t0).toBeGreaterThanOrEqual(8900);
    // The notifiers authorize: each user gets subscribed + presence for each of her contacts.
    for (const s of sent) s.notify("active", "here");
    await jest.advanceTimersByTimeAsync(0);
    expect(stanzas.filter((st) => st.attrs.type === "subscribed").length).toBe(90);
    expect(stanzas.filter((st) => st.name === "presence" && st.attrs.type === undefined).length).toBe(90);
    expect((await store.listAll("xmppWatcher")).every((r) => r.authorization === "subscribed" && r.retryAfterAt === undefined)).toBe(true);
  });

  it("settled() waits for the work a NOTIFY started (a shutdown waits for it before the store closes)", async () => {
    build(10);
    await subscribe("u1", "c0");
    await jest.advanceTimersByTimeAsync(200);
    expect(sent.length).toBe(1);
    sent[0]!.notify("active", "here");
    expect(stanzas).toEqual([]); // the store reads and writes are still pending
    await watchers.settled();
    expect(stanzas.map((st) => st.attrs.type)).toEqual(["subscribed", undefined]);
    expect((await store.listAll("xmppWatcher"))[0]?.authorization).toBe("subscribed");
  });

  it("retries and new subscriptions share the one limit", async () => {
    build(10);
    await Promise.all(Array.from({ length: 10 }, (_, k) => subscribe("u1", `a${k}`)));
    await jest.advanceTimersByTimeAsync(1000);
    expect(sent.length).toBe(10);
    // All ten refused with 503 Retry-After: 1, and ten new subscriptions arrive at the same moment.
    for (const s of sent.slice()) s.fail(503, 1);
    await Promise.all(Array.from({ length: 10 }, (_, k) => subscribe("u1", `b${k}`)));
    await jest.advanceTimersByTimeAsync(5000);
    expect(sent.length).toBe(30);
    expect(sent.slice(10).filter((s) => s.to.startsWith("sip:a")).length).toBe(10);
    expect(peakPerSecond(sent.map((s) => s.at))).toBe(10);
    // A retry is never sent before its Retry-After.
    const refusedAt = sent[9]!.at;
    for (const s of sent.slice(10).filter((x) => x.to.startsWith("sip:a"))) expect(s.at - refusedAt).toBeGreaterThanOrEqual(1000);
  });

  it("an unsubscribe while the SUBSCRIBE is queued sends nothing for that pair", async () => {
    build(1);
    await Promise.all(Array.from({ length: 3 }, (_, k) => subscribe("u1", `c${k}`)));
    await watchers.onXmppRequest("u1@xmpp.example", "sip:u1@xmpp.example", "sip:c2@sip.example", "unsubscribe");
    await jest.advanceTimersByTimeAsync(5000);
    expect(sent.map((s) => s.to)).toEqual(["sip:c0@sip.example", "sip:c1@sip.example"]);
    expect((await store.listAll("xmppWatcher")).map((r) => r.presentity).sort()).toEqual(["sip:c0@sip.example", "sip:c1@sip.example"]);
    expect((await queue.stats()).find((s) => s.name === "subscribe.burst")).toMatchObject({ waiting: 0, delayed: 0 });
  });

  it("a stale job does nothing: a pair already subscribed, or a retry replaced by a later one", async () => {
    build(10);
    await subscribe("u1", "c0");
    await jest.advanceTimersByTimeAsync(200);
    expect(sent.length).toBe(1);
    sent[0]!.notify("active", "here");
    await jest.advanceTimersByTimeAsync(0);
    // A duplicate job for an established pair (e.g. left over in BullMQ from before a restart).
    await queue.add("subscribe.burst", { xmppUser: "u1@xmpp.example", sipPresentity: "sip:c0@sip.example" });
    await jest.advanceTimersByTimeAsync(1000);
    expect(sent.length).toBe(1);
    // Probation with retry-after=30, then an early job (an old one that was not replaced): not before 30 s.
    sent[0]!.notify("terminated", undefined, { reason: "probation", retryAfter: 30 });
    await jest.advanceTimersByTimeAsync(0);
    await queue.removeByKey("subscribe.burst", "subscribe|u1@xmpp.example|sip:c0@sip.example");
    await queue.add("subscribe.burst", { xmppUser: "u1@xmpp.example", sipPresentity: "sip:c0@sip.example" });
    await jest.advanceTimersByTimeAsync(5000);
    expect(sent.length).toBe(1);
    // restore() (as after a restart) queues it again, due when the record says.
    await watchers.restore();
    await jest.advanceTimersByTimeAsync(20_000);
    expect(sent.length).toBe(1);
    await jest.advanceTimersByTimeAsync(6000);
    expect(sent.length).toBe(2);
  });

  it("restore() re-SUBSCRIBEs queued and never-established pairs under the limit", async () => {
    build(5);
    const shared = store;
    await Promise.all(Array.from({ length: 10 }, (_, k) => subscribe("u1", `c${k}`)));
    await jest.advanceTimersByTimeAsync(900);
    expect(sent.length).toBe(5); // at 0, 200, …, 800 ms: five sent (no answer yet: no dialog), five still queued
    await queue.close({ graceful: false });
    // A new process on the same (durable) store.
    build(5, shared);
    expect(await watchers.restore()).toBe(0);
    await jest.advanceTimersByTimeAsync(0);
    expect(sent.length).toBe(1);
    await jest.advanceTimersByTimeAsync(3000);
    expect(sent.length).toBe(10);
    expect(peakPerSecond(sent.map((s) => s.at))).toBe(5);
    for (const s of sent) s.notify("active", "back");
    await jest.advanceTimersByTimeAsync(0);
    expect((await store.listAll("xmppWatcher")).every((r) => r.authorization === "subscribed")).toBe(true);
  });
});

describe("XMPP watchers: the job queue unavailable when a SUBSCRIBE is queued", () => {
  afterEach(() => { jest.useRealTimers(); });

  /** The memory queue, with `add` refused as BullMQ does while Redis is down, for as long as `down()`. */
  function flakyQueue(down: () => boolean) {
    const inner = createMemoryQueue({ logger });
    let refused = 0;
    const q: JobQueue = {
      ...inner,
      process: (name, handler, opts) => inner.process(name, handler, opts),
      add: (name, payload, opts) => {
        if (!down()) return inner.add(name, payload, opts);
        refused++;
        return Promise.reject(queueError("unavailable", "connect ECONNREFUSED (test)"));
      },
    };
    return { q, refused: () => refused, inner };
  }

  const setup = (down: () => boolean) => {
    const store = createMemoryStore();
    const flaky = flakyQueue(down);
    const fake = fakeSip();
    const deps: PresenceDeps = {
      plan, trust, sip: fake.sip, store, queue: flaky.q, logger, sendXmpp: () => undefined,
      config: { notifyMinIntervalSeconds: 0, maxSubscriptionsPerUser: 1000, maxSubscriptionsPerDomain: 100_000, subscribeExpires: 3600, subscribeRatePerSecond: 10, reannounceRatePerSecond: 200 },
    };
    const watchers = createXmppWatchers(deps, createKeyedSerial(), sipJidOf, flaky.q);
    return { store, flaky, sent: fake.sent, watchers };
  };

  it("keeps trying with backoff and sends the SUBSCRIBE once the queue is back, without a restart", async () => {
    jest.useFakeTimers();
    let outage = true;
    const { flaky, sent, watchers } = setup(() => outage);
    await watchers.onXmppRequest("u1@xmpp.example", "sip:u1@xmpp.example", "sip:c0@sip.example", "subscribe");
    await jest.advanceTimersByTimeAsync(0);
    expect(flaky.refused()).toBe(1);
    await jest.advanceTimersByTimeAsync(1000 + 2000 + 4000); // retried after 1 s, 2 s, 4 s: all refused
    expect(flaky.refused()).toBe(4);
    expect(sent).toEqual([]);
    outage = false;
    await jest.advanceTimersByTimeAsync(8000);
    expect(sent.map((s) => s.to)).toEqual(["sip:c0@sip.example"]);
    await jest.advanceTimersByTimeAsync(120_000);
    expect(sent.length).toBe(1); // queued once, sent once
    watchers.stop();
    await flaky.inner.close({ graceful: false });
  });

  it("one retry chain per pair, however often its SUBSCRIBE failed to queue", async () => {
    jest.useFakeTimers();
    let outage = true;
    const { flaky, sent, watchers } = setup(() => outage);
    const request = (type: "subscribe" | "unsubscribe") => watchers.onXmppRequest("u1@xmpp.example", "sip:u1@xmpp.example", "sip:c0@sip.example", type);
    // While Redis is down the user subscribes, unsubscribes and subscribes again: the second subscribe's
    // failure must not start a second chain beside the first one's (which now serves the new record).
    for (let i = 0; i < 3; i++) {
      await request("subscribe");
      await jest.advanceTimersByTimeAsync(0);
      await request("unsubscribe");
    }
    await request("subscribe");
    await jest.advanceTimersByTimeAsync(0);
    const before = flaky.refused();
    await jest.advanceTimersByTimeAsync(1000); // every chain is at its first, 1 s step
    expect(flaky.refused() - before).toBe(1);
    outage = false;
    await jest.advanceTimersByTimeAsync(10_000);
    expect(sent.map((s) => s.to)).toEqual(["sip:c0@sip.example"]);
    watchers.stop();
    await flaky.inner.close({ graceful: false });
  });

  it("stops trying for a pair unsubscribed during the outage, and on stop()", async () => {
    jest.useFakeTimers();
    let outage = true;
    const { flaky, sent, store, watchers } = setup(() => outage);
    await watchers.onXmppRequest("u1@xmpp.example", "sip:u1@xmpp.example", "sip:c0@sip.example", "subscribe");
    await watchers.onXmppRequest("u1@xmpp.example", "sip:u1@xmpp.example", "sip:c1@sip.example", "subscribe");
    await jest.advanceTimersByTimeAsync(0);
    await watchers.onXmppRequest("u1@xmpp.example", "sip:u1@xmpp.example", "sip:c0@sip.example", "unsubscribe");
    outage = false;
    await jest.advanceTimersByTimeAsync(5000);
    expect(sent.map((s) => s.to)).toEqual(["sip:c1@sip.example"]);
    expect((await store.listAll("xmppWatcher")).map((r) => r.presentity)).toEqual(["sip:c1@sip.example"]);
    // stop(): a pair still waiting is left to restore(); nothing more is tried from this process.
    outage = true;
    await watchers.onXmppRequest("u1@xmpp.example", "sip:u1@xmpp.example", "sip:c2@sip.example", "subscribe");
    await jest.advanceTimersByTimeAsync(0);
    const refused = flaky.refused();
    watchers.stop();
    outage = false;
    await jest.advanceTimersByTimeAsync(120_000);
    expect(flaky.refused()).toBe(refused);
    expect(sent.map((s) => s.to)).toEqual(["sip:c1@sip.example"]);
    await flaky.inner.close({ graceful: false });
  });
});

/** XMPP watchers on their own memory store and queue, SUBSCRIBEs at `rate` per second; stanzas recorded. */
function standalone(rate: number) {
  const store = createMemoryStore();
  const queue = createMemoryQueue({ logger });
  const fake = fakeSip();
  const stanzas: Element[] = [];
  const watchers = createXmppWatchers({
    plan, trust, sip: fake.sip, store, queue, logger,
    sendXmpp: (st) => { stanzas.push(st); },
    config: { notifyMinIntervalSeconds: 0, maxSubscriptionsPerUser: 1000, maxSubscriptionsPerDomain: 100_000, subscribeExpires: 3600, subscribeRatePerSecond: rate, reannounceRatePerSecond: 200 },
  }, createKeyedSerial(), sipJidOf, queue);
  return { store, queue, fake, stanzas, watchers };
}

describe("XMPP watchers: a SIP contact shared by two XMPP users", () => {
  afterEach(() => { jest.useRealTimers(); });

  it("one watcher's unsubscribe keeps the cached presence the other one's probes are answered from", async () => {
    jest.useFakeTimers();
    const { store, queue, fake, stanzas, watchers } = standalone(100);
    for (const u of ["alice", "dave"]) await watchers.onXmppRequest(`${u}@xmpp.example`, `sip:${u}@xmpp.example`, "sip:carol@sip.example", "subscribe");
    await jest.advanceTimersByTimeAsync(100);
    expect(fake.sent.length).toBe(2);
    for (const s of fake.sent) s.notify("active", "at the lab");
    await jest.advanceTimersByTimeAsync(0);
    await watchers.onXmppRequest("alice@xmpp.example", "sip:alice@xmpp.example", "sip:carol@sip.example", "unsubscribe");
    expect(await store.getPresence("sip:carol@sip.example")).toBeDefined();
    stanzas.length = 0;
    await watchers.onProbe("dave@xmpp.example/phone", "dave@xmpp.example", "sip:carol@sip.example");
    expect(stanzas.map((s) => [s.attrs.to, s.attrs.type, s.getChildText("status")])).toEqual([["dave@xmpp.example/phone", undefined, "at the lab"]]);
    // The last watcher leaving drops the cache.
    await watchers.onXmppRequest("dave@xmpp.example", "sip:dave@xmpp.example", "sip:carol@sip.example", "unsubscribe");
    expect(await store.getPresence("sip:carol@sip.example")).toBeUndefined();
    await queue.close({ graceful: false });
  });
});

describe("XMPP watchers: a probe with nothing cached fetches (RFC 6665 §4.4.3)", () => {
  afterEach(() => { jest.useRealTimers(); });

  async function subscribedWithoutState(contacts: readonly string[]) {
    const { store, queue, fake, stanzas, watchers } = standalone(10);
    for (const c of contacts) await watchers.onXmppRequest("alice@xmpp.example", "sip:alice@xmpp.example", `sip:${c}@sip.example`, "subscribe");
    await jest.advanceTimersByTimeAsync(1000);
    expect(fake.sent.map((s) => s.expires)).toEqual(contacts.map(() => 3600));
    for (const s of fake.sent) s.notify("active"); // authorized, but the NOTIFY carries no state
    await jest.advanceTimersByTimeAsync(0);
    stanzas.length = 0;
    return { store, queue, fake, stanzas, watchers };
  }
  const probe = (w: XmppWatchers, contact: string) => w.onProbe("alice@xmpp.example/pc", "alice@xmpp.example", `sip:${contact}@sip.example`);

  it("one SUBSCRIBE Expires: 0 per presentity for concurrent probes; its NOTIFY answers them and fills the cache", async () => {
    jest.useFakeTimers();
    const { store, queue, fake, stanzas, watchers } = await subscribedWithoutState(["carol"]);
    const probes = [probe(watchers, "carol"), probe(watchers, "carol")];
    await jest.advanceTimersByTimeAsync(0);
    const fetches = fake.sent.slice(1);
    expect(fetches.map((s) => [s.from, s.to, s.expires])).toEqual([["sip:alice@xmpp.example", "sip:carol@sip.example", 0]]);
    fetches[0]!.notify("terminated", "in a meeting");
    await Promise.all(probes);
    expect(stanzas.map((s) => [s.attrs.to, s.attrs.type, s.getChildText("status")])).toEqual([
      ["alice@xmpp.example/pc", undefined, "in a meeting"], ["alice@xmpp.example/pc", undefined, "in a meeting"],
    ]);
    expect((await store.getPresence("sip:carol@sip.example"))?.states.map((x) => x.statuses[0]?.text)).toEqual(["in a meeting"]);
    // Answered from the cache now: no second fetch.
    await probe(watchers, "carol");
    expect(fake.sent.length).toBe(2);
    await queue.close({ graceful: false });
  });

  it("a fetch that finds nothing answers unavailable and is not repeated for a minute; fetches are paced", async () => {
    jest.useFakeTimers();
    const contacts = Array.from({ length: 5 }, (_, k) => `c${k}`);
    const { queue, fake, stanzas, watchers } = await subscribedWithoutState(contacts);
    const t0 = Date.now();
    const probes = contacts.map((c) => probe(watchers, c));
    await jest.advanceTimersByTimeAsync(500);
    const fetches = fake.sent.slice(contacts.length);
    expect(fetches.map((s) => s.expires)).toEqual(contacts.map(() => 0));
    // 10/s: 100 ms apart.
    expect(fetches.map((s) => s.at - t0)).toEqual([0, 100, 200, 300, 400]);
    for (const f of fetches) f.notify("terminated"); // no body: the notifier has no state
    await Promise.all(probes);
    expect(stanzas.map((s) => [s.attrs.from, s.attrs.type])).toEqual(contacts.map((c) => [`${c}@sip.example`, "unavailable"]));
    await probe(watchers, "c0");
    expect(fake.sent.length).toBe(2 * contacts.length);
    await jest.advanceTimersByTimeAsync(61_000);
    void probe(watchers, "c0");
    await jest.advanceTimersByTimeAsync(0);
    expect(fake.sent.length).toBe(2 * contacts.length + 1);
    fake.sent.at(-1)!.fail(408);
    await jest.advanceTimersByTimeAsync(0);
    await queue.close({ graceful: false });
  });

  it("a fetch that ends after the last watcher left does not leave its state in the cache", async () => {
    jest.useFakeTimers();
    const { store, queue, fake, stanzas, watchers } = await subscribedWithoutState(["carol"]);
    const p = probe(watchers, "carol");
    await jest.advanceTimersByTimeAsync(0);
    expect(fake.sent.map((s) => s.expires)).toEqual([3600, 0]);
    await watchers.onXmppRequest("alice@xmpp.example", "sip:alice@xmpp.example", "sip:carol@sip.example", "unsubscribe");
    fake.sent[1]!.notify("terminated", "in a meeting");
    await p;
    expect(stanzas.filter((s) => s.attrs.type === undefined).map((s) => s.getChildText("status"))).toEqual(["in a meeting"]);
    // Nobody keeps a snapshot current any more (RFC 6665 §4.4.3: a fetch is not a subscription): not cached.
    expect(await store.getPresence("sip:carol@sip.example")).toBeUndefined();
    await queue.close({ graceful: false });
  });

  it("a probe from an XMPP user who is not subscribed fetches nothing and learns nothing", async () => {
    jest.useFakeTimers();
    const { queue, fake, stanzas, watchers } = await subscribedWithoutState(["carol"]);
    await watchers.onProbe("mallory@xmpp.example/x", "mallory@xmpp.example", "sip:carol@sip.example");
    await jest.advanceTimersByTimeAsync(1000);
    expect(fake.sent.length).toBe(1);
    expect(stanzas).toEqual([]);
    await queue.close({ graceful: false });
  });
});
