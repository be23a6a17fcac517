import { describe, it, expect } from "@jest/globals";
import fc from "fast-check";
import {
  formatEvent, formatSubscriptionState, parseEvent, parseExpires, parseSubscriptionState, sameEvent,
} from "../../../../src/sip/dialog/event-headers.js";

describe("RFC 6665 header views", () => {
  it("reads Event with its id parameter, case-insensitively for the package", () => {
    expect(parseEvent("Presence;id=7")).toEqual({ name: "presence", id: "7" });
    expect(parseEvent(" presence ")).toEqual({ name: "presence" });
    expect(parseEvent("")).toBeUndefined();
    expect(sameEvent({ name: "presence" }, { name: "presence", id: "" })).toBe(true);
    expect(sameEvent({ name: "presence", id: "1" }, { name: "presence", id: "2" })).toBe(false);
    expect(formatEvent({ name: "dialog", id: "x" })).toBe("dialog;id=x");
  });
  it("reads Subscription-State with reason, expires and retry-after", () => {
    expect(parseSubscriptionState("terminated;reason=probation;retry-after=30")).toEqual({ state: "terminated", reason: "probation", retryAfter: 30 });
    expect(parseSubscriptionState("Active ; expires=600")).toEqual({ state: "active", expires: 600 });
    expect(parseSubscriptionState("active;expires=soon")).toEqual({ state: "active" });
    expect(parseSubscriptionState(undefined)).toBeUndefined();
  });
  it("writes expires only for live states and retry-after only when terminated (§4.2.2)", () => {
    expect(formatSubscriptionState({ state: "terminated", reason: "timeout", expires: 5, retryAfter: 9 })).toBe("terminated;reason=timeout;retry-after=9");
    expect(formatSubscriptionState({ state: "pending", expires: 60, retryAfter: 9 })).toBe("pending;expires=60");
  });
  it("round-trips any state it writes", () => {
    const state = fc.constantFrom("active", "pending", "terminated");
    const reason = fc.option(fc.constantFrom("deactivated", "probation", "rejected", "timeout", "giveup", "noresource", "invariant"), { nil: undefined });
    const secs = fc.option(fc.integer({ min: 0, max: 2 ** 31 - 1 }), { nil: undefined });
    fc.assert(fc.property(state, reason, secs, secs, (st, r, e, ra) => {
      const h = { state: st, ...(r ? { reason: r } : {}), ...(e !== undefined ? { expires: e } : {}), ...(ra !== undefined ? { retryAfter: ra } : {}) };
      const back = parseSubscriptionState(formatSubscriptionState(h));
      expect(back).toEqual({
        state: st, ...(r ? { reason: r } : {}),
        ...(e !== undefined && st !== "terminated" ? { expires: e } : {}),
        ...(ra !== undefined && st === "terminated" ? { retryAfter: ra } : {}),
      });
    }));
  });
  it("reads Expires as delta-seconds only", () => {
    expect(parseExpires("3600")).toBe(3600);
    expect(parseExpires(" 0 ")).toBe(0);
    expect(parseExpires("-1")).toBeUndefined();
    expect(parseExpires("Thu, 01 Dec 1994 16:00:00 GMT")).toBeUndefined();
  });
});
