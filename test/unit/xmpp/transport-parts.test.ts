import { describe, it, expect, jest } from "@jest/globals";
import { backoffDelayMs } from "../../../src/xmpp/transport/backoff.js";
import { createSendBuffer } from "../../../src/xmpp/transport/send-buffer.js";
import { startKeepalive, type PingOutcome } from "../../../src/xmpp/transport/keepalive.js";
import { createPendingRequests, IqRequestError } from "../../../src/xmpp/transport/pending-requests.js";
import { createInboundSizeGuard } from "../../../src/xmpp/transport/inbound-size-guard.js";
import { createEmitter } from "../../../src/xmpp/transport/typed-events.js";
import { parseXml } from "../../../src/xmpp/xml.js";

describe("backoffDelayMs (exponential, full jitter)", () => {
  const policy = { minMs: 100, maxMs: 5000 };
  it("grows the window exponentially up to the cap", () => {
    const top = (n: number) => backoffDelayMs(policy, n, () => 0.999999);
    expect([0, 1, 2, 3, 4, 5, 6, 50, 5000].map(top)).toEqual([99, 199, 399, 799, 1599, 3199, 4999, 4999, 4999]);
  });
  it("spreads delays over the whole window (full jitter), never negative", () => {
    expect(backoffDelayMs(policy, 3, () => 0)).toBe(0);
    expect(backoffDelayMs(policy, 3, () => 0.5)).toBe(400);
    const seen = new Set(Array.from({ length: 200 }, () => Math.floor(backoffDelayMs(policy, 4) / 200)));
    expect(seen.size).toBeGreaterThan(4);
  });
});

describe("send buffer", () => {
  const item = (s: string) => ({ xml: s, bytes: Buffer.byteLength(s) });
  it("keeps FIFO order and enforces both count and byte limits", () => {
    const b = createSendBuffer({ maxStanzas: 3, maxBytes: 10 });
    expect([b.push(item("aaaa")), b.push(item("bbbb")), b.push(item("ccc"))]).toEqual([true, true, false]);
    expect([b.size, b.bytes]).toEqual([2, 8]);
    expect(b.push(item("cc"))).toBe(true);
    expect(b.push(item("d"))).toBe(false); // count limit
    expect(b.takeBatch(100).map((i) => i.xml)).toEqual(["aaaa", "bbbb", "cc"]);
    expect([b.size, b.bytes]).toEqual([0, 0]);
  });
  it("takes batches by bytes (at least one item) and puts failed writes back in front, in order", () => {
    const b = createSendBuffer({ maxStanzas: 10, maxBytes: 100 });
    for (const s of ["1111", "2222", "3333", "4444"]) b.push(item(s));
    const first = b.takeBatch(9);
    expect(first.map((i) => i.xml)).toEqual(["1111", "2222"]);
    expect(b.takeBatch(1).map((i) => i.xml)).toEqual(["3333"]);
    b.requeueFront(first);
    expect(b.takeBatch(100).map((i) => i.xml)).toEqual(["1111", "2222", "4444"]);
  });
  it("stays O(1) amortised over many push/take cycles", () => {
    const b = createSendBuffer({ maxStanzas: 10_000, maxBytes: 1e9 });
    const order: string[] = [];
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 3000; i++) b.push(item(`${round}.${i}`));
      for (const x of b.takeBatch(10 * 3000)) if (x.xml.endsWith(".2999")) order.push(x.xml);
    }
    expect(order).toHaveLength(50);
    expect(b.clear()).toBe(0);
  });
});

describe("keepalive (fake timers)", () => {
  it("pings once per interval, never two in flight, and calls onDead once on a timeout", async () => {
    jest.useFakeTimers();
    try {
      const outcomes: PingOutcome[] = ["alive", "alive", "dead"];
      let calls = 0;
      const resolvers: ((o: PingOutcome) => void)[] = [];
      const onDead = jest.fn();
      const ka = startKeepalive({
        intervalMs: 1000, timeoutMs: 500, onDead,
        ping: () => { calls++; return new Promise<PingOutcome>((r) => resolvers.push(r)); },
      });
      await jest.advanceTimersByTimeAsync(1000);
      expect(calls).toBe(1);
      await jest.advanceTimersByTimeAsync(3000); // first ping still unanswered: no second ping
      expect(calls).toBe(1);
      resolvers.shift()!(outcomes[0]!);
      await jest.advanceTimersByTimeAsync(1000);
      expect(calls).toBe(2);
      resolvers.shift()!(outcomes[1]!);
      await jest.advanceTimersByTimeAsync(1000);
      resolvers.shift()!(outcomes[2]!);
      await jest.advanceTimersByTimeAsync(5000);
      expect(onDead).toHaveBeenCalledTimes(1);
      expect(calls).toBe(3);
      ka.stop();
    } finally {
      jest.useRealTimers();
    }
  });
});

describe("keepalive on a busy link", () => {
  it("does not declare a link dead while stanzas keep arriving, and does once they stop", async () => {
    jest.useFakeTimers({ now: 0 });
    try {
      let lastInbound = 0;
      const onDead = jest.fn();
      const ka = startKeepalive({
        intervalMs: 1000, timeoutMs: 500, onDead,
        ping: async () => "dead",
        lastInboundAt: () => lastInbound,
      });
      for (let i = 0; i < 5; i++) {
        await jest.advanceTimersByTimeAsync(800);
        lastInbound = Date.now(); // the server is still sending us a burst
        await jest.advanceTimersByTimeAsync(200);
      }
      expect(onDead).not.toHaveBeenCalled();
      await jest.advanceTimersByTimeAsync(2000); // silence: the next unanswered ping is fatal
      expect(onDead).toHaveBeenCalledTimes(1);
      ka.stop();
    } finally {
      jest.useRealTimers();
    }
  });
});

describe("pending IQ requests", () => {
  it("resolves results and rejects errors with the stanza condition, only from the addressee", async () => {
    const p = createPendingRequests();
    const ok = p.add("1", "Example.org", 1000);
    const bad = p.add("2", "example.org", 1000);
    expect(p.settle(parseXml(`<iq type="result" id="1" from="mallory.example"/>`))).toBe(false);
    expect(p.settle(parseXml(`<iq type="result" id="1" from="example.org"/>`))).toBe(true);
    expect((await ok).attrs.id).toBe("1");
    expect(p.settle(parseXml(`<iq type="error" id="2" from="example.org"><error type="cancel"><service-unavailable xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></iq>`))).toBe(true);
    await expect(bad).rejects.toMatchObject({ kind: "stanza-error", stanzaError: { type: "cancel", condition: "service-unavailable" } });
    expect(p.settle(parseXml(`<iq type="result" id="1" from="example.org"/>`))).toBe(false);
    expect(p.size).toBe(0);
  });
  it("times out and fails all on stop", async () => {
    const p = createPendingRequests();
    const t = p.add("t", "x", 10);
    await expect(t).rejects.toMatchObject({ kind: "timeout" });
    const s = p.add("s", "x", 10_000);
    p.failAll(new IqRequestError("link-stopped"));
    await expect(s).rejects.toBeInstanceOf(IqRequestError);
    expect(p.size).toBe(0);
  });
});

describe("inbound size guard", () => {
  it("trips on one stanza spanning more than the limit, not on a chunk full of small stanzas", async () => {
    const tripped = jest.fn();
    const g = createInboundSizeGuard(100, tripped);
    g.onChunk("x".repeat(400)); // e.g. 40 complete small stanzas in one read
    for (let i = 0; i < 40; i++) g.onElement();
    await Promise.resolve();
    expect(tripped).not.toHaveBeenCalled();
    g.onChunk("<message><body>" + "€".repeat(20));
    g.onChunk("€".repeat(20)); // 120 bytes of 3-byte characters, no element completed
    await Promise.resolve();
    expect(tripped).toHaveBeenCalledTimes(1);
    g.onChunk("y".repeat(1000));
    await Promise.resolve();
    expect(tripped).toHaveBeenCalledTimes(1);
  });
});

describe("typed events", () => {
  it("delivers in order, supports once/off, and isolates a throwing listener", () => {
    const errors: unknown[] = [];
    const e = createEmitter<{ n: [number] }>((err) => errors.push(err));
    const got: number[] = [];
    e.on("n", () => { throw new Error("boom"); });
    const off = e.on("n", (n) => got.push(n));
    e.once("n", (n) => got.push(n * 100));
    e.emit("n", 1);
    e.emit("n", 2);
    off();
    e.emit("n", 3);
    expect(got).toEqual([1, 100, 2]);
    expect(errors).toHaveLength(3);
  });
});
