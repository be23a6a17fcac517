import { describe, expect, it, jest } from "@jest/globals";
import { createExpiryQueue } from "../../../../src/sip/transaction/timers.js";
import { createConnectionTable, newFlowId, type Connection } from "../../../../src/sip/transport/connections.js";

function conn(port: number, closed: string[]): Connection {
  const id = newFlowId("TCP");
  return { id, transport: "TCP", remoteAddress: "192.0.2.1", remotePort: port, write: async () => undefined, close: () => closed.push(id) };
}

describe("connection table", () => {
  it("finds connections by flow id and by transport + remote address", () => {
    const t = createConnectionTable(10);
    const a = conn(5060, []);
    t.add(a);
    expect(t.byId(a.id)).toBe(a);
    expect(t.byRemote("TCP", "192.0.2.1", 5060)).toBe(a);
    expect(t.byRemote("TLS", "192.0.2.1", 5060)).toBeUndefined();
    t.remove(a);
    expect(t.byId(a.id)).toBeUndefined();
    expect(t.byRemote("TCP", "192.0.2.1", 5060)).toBeUndefined();
  });

  it("keeps the newer connection in the reuse slot when an older one to the same address closes", () => {
    const t = createConnectionTable(10);
    const old = conn(5060, []);
    const fresh = conn(5060, []);
    t.add(old);
    t.add(fresh);
    t.remove(old);
    expect(t.byRemote("TCP", "192.0.2.1", 5060)).toBe(fresh);
  });

  it("reports full at the cap and reaps only idle connections", () => {
    let now = 0;
    const closed: string[] = [];
    const t = createConnectionTable(2, () => now);
    const a = conn(1, closed);
    const b = conn(2, closed);
    t.add(a);
    t.add(b);
    expect(t.full()).toBe(true);
    now = 10_000;
    t.touch(b.id);
    now = 15_000;
    expect(t.reap(8_000)).toBe(1);
    expect(closed).toEqual([a.id]);
  });
});

describe("expiry queue (shared Timer J)", () => {
  it("expires entries in order after the shared duration, on one timer", () => {
    jest.useFakeTimers({ now: 0 });
    try {
      const expired: number[] = [];
      const q = createExpiryQueue<number>(1000, (k) => expired.push(k));
      q.add(1);
      jest.advanceTimersByTime(400);
      q.add(2);
      jest.advanceTimersByTime(599);
      expect(expired).toEqual([]);
      jest.advanceTimersByTime(1);
      expect(expired).toEqual([1]);
      jest.advanceTimersByTime(400);
      expect(expired).toEqual([1, 2]);
      expect(q.size()).toBe(0);
      expect(jest.getTimerCount()).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });
});
