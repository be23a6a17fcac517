import { describe, it, expect, jest, beforeEach, afterEach } from "@jest/globals";
import fc from "fast-check";
import { createExpiryQueue, type ExpiryItem } from "../../../../src/sip/dialog/expiry-queue.js";

interface Item extends ExpiryItem { expiresAt: number; readonly name: string }
const item = (name: string, expiresAt: number): Item => ({ name, expiresAt, expiryIndex: -1 });

describe("expiry queue (one timer for many deadlines)", () => {
  const T0 = 1_700_000_000_000;
  let fired: string[];
  beforeEach(() => { jest.useFakeTimers({ now: T0 }); fired = []; });
  afterEach(() => { jest.useRealTimers(); });
  const queue = () => createExpiryQueue<Item>((i) => fired.push(i.name));

  it("fires items in deadline order, each at its deadline, with one pending timer", () => {
    const q = queue();
    for (const [n, at] of [["c", 3000], ["a", 1000], ["b", 2000]] as const) q.schedule(item(n, T0 + at));
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(999);
    expect(fired).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(fired).toEqual(["a"]);
    jest.advanceTimersByTime(2000);
    expect(fired).toEqual(["a", "b", "c"]);
    expect(q.size).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });

  it("re-positions a refreshed item and never fires a cancelled one", () => {
    const q = queue();
    const a = item("a", T0 + 1000);
    const b = item("b", T0 + 2000);
    q.schedule(a); q.schedule(b);
    a.expiresAt = T0 + 5000; // a refresh
    q.schedule(a);
    expect(q.size).toBe(2);
    jest.advanceTimersByTime(2000);
    expect(fired).toEqual(["b"]);
    q.cancel(a);
    expect(a.expiryIndex).toBe(-1);
    jest.advanceTimersByTime(10_000);
    expect(fired).toEqual(["b"]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it("moves the timer earlier when an earlier deadline arrives", () => {
    const q = queue();
    q.schedule(item("late", T0 + 60_000));
    q.schedule(item("early", T0 + 10));
    jest.advanceTimersByTime(10);
    expect(fired).toEqual(["early"]);
  });

  it("fires an already past deadline on the next tick, and items scheduled from a callback", () => {
    const q = createExpiryQueue<Item>((i) => {
      fired.push(i.name);
      if (i.name === "first") q.schedule(item("second", Date.now()));
    });
    q.schedule(item("first", T0 - 5));
    jest.advanceTimersByTime(0);
    expect(fired).toEqual(["first", "second"]);
  });

  it("clear() drops everything and stops the timer", () => {
    const q = queue();
    const a = item("a", T0 + 1000);
    q.schedule(a);
    q.clear();
    expect(a.expiryIndex).toBe(-1);
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(5000);
    expect(fired).toEqual([]);
  });

  it("pops in deadline order under any mix of schedule, reschedule and cancel", () => {
    fc.assert(fc.property(
      fc.array(fc.record({ op: fc.constantFrom("add", "move", "cancel"), at: fc.integer({ min: 1, max: 10_000 }), pick: fc.nat() }), { maxLength: 200 }),
      (ops) => {
        fired = [];
        const q = queue();
        const items: Item[] = [];
        const expected = new Map<string, number>();
        ops.forEach((o, n) => {
          const target = items[o.pick % Math.max(1, items.length)];
          if (o.op === "add" || target === undefined) {
            const it = item(`i${n}`, T0 + o.at);
            items.push(it); q.schedule(it); expected.set(it.name, it.expiresAt);
          } else if (o.op === "move") {
            target.expiresAt = T0 + o.at; q.schedule(target); expected.set(target.name, target.expiresAt);
          } else {
            q.cancel(target); expected.delete(target.name);
          }
        });
        expect(q.size).toBe(expected.size);
        jest.advanceTimersByTime(10_001);
        expect(new Set(fired)).toEqual(new Set(expected.keys()));
        const times = fired.map((name) => expected.get(name)!);
        expect(times).toEqual([...times].sort((x, y) => x - y));
        q.clear();
        jest.setSystemTime(T0);
      },
    ), { numRuns: 100 });
  });
});
