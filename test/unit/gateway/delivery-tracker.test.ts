import { afterEach, beforeEach, describe, expect, it, jest } from "@jest/globals";
import { BARRIER_GATE_MS, createDeliveryTracker, type DeliveryOutcome, type SendOutcome } from "../../../src/gateway/delivery-tracker.js";

type Outcome = DeliveryOutcome<string>;

interface Setup {
  readonly initial?: SendOutcome;
  readonly holdMs?: number;
  /** With a barrier the test resolves or rejects each one by hand. */
  readonly barrier?: boolean;
}

function setup(o: Setup = {}) {
  const sent: string[] = [];
  let mode: SendOutcome = o.initial ?? "sent";
  const barriers: { resolve: () => void; reject: () => void }[] = [];
  const tracker = createDeliveryTracker<string, string>({
    send: (s) => {
      if (mode !== "rejected") sent.push(s);
      return mode;
    },
    ...(o.barrier ? { barrier: () => new Promise<void>((resolve, reject) => barriers.push({ resolve, reject: () => reject(new Error("link")) })) } : {}),
    holdMs: o.holdMs ?? 200,
    maxWaitMs: 8000,
  });
  const outcomes = new Map<string, Outcome[]>();
  const track = (id: string) => {
    outcomes.set(id, []);
    tracker.track(id, `stanza-${id}`, (out) => outcomes.get(id)!.push(out));
  };
  return { tracker, sent, outcomes, track, barriers, setMode: (m: SendOutcome) => (mode = m) };
}

/** Lets setImmediate callbacks and promise continuations run under fake timers. */
const turn = async () => {
  jest.advanceTimersByTime(0);
  await Promise.resolve();
  await Promise.resolve();
};

describe("delivery tracker, hold window only", () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it("accepts after the hold window when no error comes back", () => {
    const { outcomes, track, tracker } = setup();
    track("a");
    jest.advanceTimersByTime(199);
    expect(outcomes.get("a")).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(outcomes.get("a")).toEqual([{ kind: "accepted" }]);
    expect(tracker.pending).toBe(0);
  });

  it("turns an error stanza inside the hold window into a bounce, decided once", () => {
    const { outcomes, track, tracker } = setup();
    track("a");
    expect(tracker.bounce("a", "item-not-found")).toBe(true);
    jest.advanceTimersByTime(10_000);
    expect(outcomes.get("a")).toEqual([{ kind: "bounced", error: "item-not-found" }]);
    expect(tracker.bounce("a", "again")).toBe(false);
  });

  it("holds buffered stanzas until the link is online, then starts the window", () => {
    const { outcomes, track, tracker, setMode } = setup({ initial: "buffered" });
    track("a");
    jest.advanceTimersByTime(5000);
    expect(outcomes.get("a")).toEqual([]);
    setMode("sent");
    tracker.linkOnline();
    jest.advanceTimersByTime(200);
    expect(outcomes.get("a")).toEqual([{ kind: "accepted" }]);
  });

  it("re-sends a stanza whose hold window was cut by the link going down", () => {
    const { outcomes, track, tracker, sent, setMode } = setup();
    track("a");
    jest.advanceTimersByTime(100);
    setMode("buffered");
    tracker.linkOffline();
    expect(sent).toEqual(["stanza-a", "stanza-a"]);
    jest.advanceTimersByTime(1000);
    expect(outcomes.get("a")).toEqual([]);
    setMode("sent");
    tracker.linkOnline();
    jest.advanceTimersByTime(200);
    expect(outcomes.get("a")).toEqual([{ kind: "accepted" }]);
  });

  it("answers link-down when the link does not come back before maxWait", () => {
    const { outcomes, track } = setup({ initial: "buffered" });
    track("a");
    jest.advanceTimersByTime(8000);
    expect(outcomes.get("a")).toEqual([{ kind: "link-down" }]);
  });

  it("reports a full buffer at once", () => {
    const { outcomes, track } = setup({ initial: "rejected" });
    track("a");
    expect(outcomes.get("a")).toEqual([{ kind: "rejected" }]);
  });

  it("refuses a duplicate id without disturbing the first delivery", () => {
    const { outcomes, track, tracker } = setup();
    track("a");
    const second: Outcome[] = [];
    tracker.track("a", "other", (o) => second.push(o));
    expect(second).toEqual([{ kind: "rejected" }]);
    jest.advanceTimersByTime(200);
    expect(outcomes.get("a")).toEqual([{ kind: "accepted" }]);
  });
});

describe("delivery tracker with a barrier", () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it("sends one barrier per event-loop turn and accepts the whole batch when it returns", async () => {
    const { outcomes, track, barriers } = setup({ barrier: true, holdMs: 0 });
    track("a");
    track("b");
    expect(barriers).toHaveLength(0); // not before the turn ends: later writes join the batch
    await turn();
    expect(barriers).toHaveLength(1);
    expect(outcomes.get("a")).toEqual([]);
    barriers[0]!.resolve();
    await turn();
    expect(outcomes.get("a")).toEqual([{ kind: "accepted" }]);
    expect(outcomes.get("b")).toEqual([{ kind: "accepted" }]);
  });

  it("keeps one barrier in flight: what is written meanwhile waits for the next one", async () => {
    const { outcomes, track, barriers } = setup({ barrier: true, holdMs: 0 });
    track("a");
    await turn();
    track("b");
    await turn();
    expect(barriers).toHaveLength(1); // b was written after the first barrier: that one cannot vouch for it
    barriers[0]!.resolve();
    await turn();
    expect(outcomes.get("a")).toEqual([{ kind: "accepted" }]);
    expect(outcomes.get("b")).toEqual([]);
    await turn(); // the next barrier leaves in the turn after the first one returned
    expect(barriers).toHaveLength(2);
    barriers[1]!.resolve();
    await turn();
    expect(outcomes.get("b")).toEqual([{ kind: "accepted" }]);
  });

  it("a barrier out longer than the gate no longer holds back the next one (slow server)", async () => {
    const { outcomes, track, barriers } = setup({ barrier: true, holdMs: 0 });
    track("a");
    await turn();
    track("b");
    await turn();
    expect(barriers).toHaveLength(1);
    jest.advanceTimersByTime(BARRIER_GATE_MS);
    expect(barriers).toHaveLength(2);
    barriers[1]!.resolve(); // the later barrier vouches for b only
    await turn();
    expect(outcomes.get("a")).toEqual([]);
    expect(outcomes.get("b")).toEqual([{ kind: "accepted" }]);
    barriers[0]!.resolve();
    await turn();
    expect(outcomes.get("a")).toEqual([{ kind: "accepted" }]);
  });

  it("a barrier that fails releases the next one", async () => {
    const { outcomes, track, barriers } = setup({ barrier: true, holdMs: 0 });
    track("a");
    await turn();
    track("b");
    await turn();
    barriers[0]!.reject();
    await turn();
    await turn();
    expect(barriers).toHaveLength(2);
    barriers[1]!.resolve();
    await turn();
    expect(outcomes.get("a")).toEqual([]); // not covered by the second barrier: the deadline decides
    expect(outcomes.get("b")).toEqual([{ kind: "accepted" }]);
  });

  it("a bounce that arrives before the barrier wins", async () => {
    const { outcomes, track, tracker, barriers } = setup({ barrier: true, holdMs: 0 });
    track("a");
    await turn();
    tracker.bounce("a", "service-unavailable");
    barriers[0]!.resolve();
    await turn();
    expect(outcomes.get("a")).toEqual([{ kind: "bounced", error: "service-unavailable" }]);
  });

  it("keeps a hold window after the barrier for errors from the recipient's client", async () => {
    const { outcomes, track, tracker, barriers } = setup({ barrier: true, holdMs: 200 });
    track("a");
    await turn();
    barriers[0]!.resolve();
    await turn();
    jest.advanceTimersByTime(100);
    expect(tracker.bounce("a", "recipient-unavailable")).toBe(true);
    expect(outcomes.get("a")).toEqual([{ kind: "bounced", error: "recipient-unavailable" }]);
  });

  it("re-sends what was not past its barrier when the link drops, and a stale barrier does not vouch for the re-send", async () => {
    const { outcomes, track, tracker, barriers, sent, setMode } = setup({ barrier: true, holdMs: 0 });
    track("a");
    await turn();
    setMode("buffered");
    tracker.linkOffline();
    expect(sent).toEqual(["stanza-a", "stanza-a"]);
    barriers[0]!.resolve(); // the old barrier came back late: it covered the first write only
    await turn();
    expect(outcomes.get("a")).toEqual([]);
    setMode("sent");
    tracker.linkOnline();
    await turn();
    expect(barriers).toHaveLength(2);
    barriers[1]!.resolve();
    await turn();
    expect(outcomes.get("a")).toEqual([{ kind: "accepted" }]);
  });

  it("does not re-send what the server already vouched for when the link drops afterwards", async () => {
    const { outcomes, track, tracker, barriers, sent } = setup({ barrier: true, holdMs: 500 });
    track("a");
    await turn();
    barriers[0]!.resolve();
    await turn();
    tracker.linkOffline();
    expect(sent).toEqual(["stanza-a"]);
    jest.advanceTimersByTime(500);
    expect(outcomes.get("a")).toEqual([{ kind: "accepted" }]);
  });

  it("a failed barrier leaves the decision to the link events and the deadline", async () => {
    const { outcomes, track, barriers } = setup({ barrier: true, holdMs: 0 });
    track("a");
    await turn();
    barriers[0]!.reject();
    await turn();
    expect(outcomes.get("a")).toEqual([]);
    jest.advanceTimersByTime(8000);
    expect(outcomes.get("a")).toEqual([{ kind: "link-down" }]);
  });
});
