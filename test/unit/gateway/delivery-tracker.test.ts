import { afterEach, beforeEach, describe, expect, it, jest } from "@jest/globals";
import { createDeliveryTracker, type DeliveryOutcome, type SendOutcome } from "../../../src/gateway/delivery-tracker.js";

type Outcome = DeliveryOutcome<string>;

function setup(initial: SendOutcome = "sent") {
  const sent: string[] = [];
  let mode: SendOutcome = initial;
  const tracker = createDeliveryTracker<string, string>({
    send: (s) => {
      if (mode !== "rejected") sent.push(s);
      return mode;
    },
    holdMs: 200,
    maxWaitMs: 8000,
  });
  const outcomes = new Map<string, Outcome[]>();
  const track = (id: string) => {
    outcomes.set(id, []);
    tracker.track(id, `stanza-${id}`, (o) => outcomes.get(id)!.push(o));
  };
  return { tracker, sent, outcomes, track, setMode: (m: SendOutcome) => (mode = m) };
}

describe("delivery tracker", () => {
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
    const { outcomes, track, tracker, setMode } = setup("buffered");
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
    const { outcomes, track } = setup("buffered");
    track("a");
    jest.advanceTimersByTime(8000);
    expect(outcomes.get("a")).toEqual([{ kind: "link-down" }]);
  });

  it("reports a full buffer at once", () => {
    const { outcomes, track } = setup("rejected");
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
