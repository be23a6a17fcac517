import { describe, it, expect, jest, beforeEach, afterEach } from "@jest/globals";
import { createNotifyCoalescer } from "../../../../src/gateway/presence/notify-coalescer.js";

describe("NOTIFY coalescer (RFC 3856 §6.10)", () => {
  beforeEach(() => { jest.useFakeTimers(); });
  afterEach(() => { jest.useRealTimers(); });

  const setup = () => {
    const state = new Map<string, string>();
    const sent: string[] = [];
    const c = createNotifyCoalescer({ minIntervalMs: 5000, flush: (k) => sent.push(`${k}=${state.get(k)}`), now: () => Date.now() });
    const change = (k: string, v: string) => { state.set(k, v); c.touch(k); };
    return { c, sent, change };
  };

  it("sends the first change at once and coalesces later ones to the last state", () => {
    const { c, sent, change } = setup();
    change("juliet", "away");
    expect(sent).toEqual(["juliet=away"]);
    jest.advanceTimersByTime(1000);
    change("juliet", "dnd");
    change("juliet", "xa");
    jest.advanceTimersByTime(2000);
    change("juliet", "chat");
    expect(sent).toEqual(["juliet=away"]);
    expect(c.pending).toBe(1);
    jest.advanceTimersByTime(1999);
    expect(sent).toHaveLength(1);
    jest.advanceTimersByTime(1);
    expect(sent).toEqual(["juliet=away", "juliet=chat"]);
  });

  it("keeps the interval after a coalesced flush, and is immediate again after a quiet period", () => {
    const { sent, change } = setup();
    change("a", "1");
    change("a", "2");
    jest.advanceTimersByTime(5000);
    expect(sent).toEqual(["a=1", "a=2"]);
    change("a", "3"); // 0 ms after the coalesced flush: must wait a full interval
    expect(sent).toHaveLength(2);
    jest.advanceTimersByTime(5000);
    expect(sent).toEqual(["a=1", "a=2", "a=3"]);
    jest.advanceTimersByTime(10_000);
    change("a", "4");
    expect(sent.at(-1)).toBe("a=4");
  });

  it("presentities are independent", () => {
    const { sent, change } = setup();
    change("a", "1");
    change("b", "1");
    change("a", "2");
    expect(sent).toEqual(["a=1", "b=1"]);
    jest.advanceTimersByTime(5000);
    expect(sent).toEqual(["a=1", "b=1", "a=2"]);
  });

  it("an interval of 0 never delays", () => {
    const sent: string[] = [];
    const c = createNotifyCoalescer({ minIntervalMs: 0, flush: (k) => sent.push(k) });
    c.touch("a"); c.touch("a"); c.touch("a");
    expect(sent).toEqual(["a", "a", "a"]);
  });

  it("clear() cancels scheduled flushes", () => {
    const { c, sent, change } = setup();
    change("a", "1");
    change("a", "2");
    c.clear();
    jest.advanceTimersByTime(10_000);
    expect(sent).toEqual(["a=1"]);
  });
});
