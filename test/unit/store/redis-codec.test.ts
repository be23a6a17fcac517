// The compact Redis encoding round-trips every subscription shape and refuses anything else with a
// typed "corrupt" error (records in Redis may come from another version or a human with redis-cli).
import { describe, it, expect } from "@jest/globals";
import fc from "fast-check";
import { decodePresenceStates, decodeSubscription, encodeSubscription } from "../../../src/store/redis-codec.js";
import { isStoreError } from "../../../src/store/store-error.js";
import type { DialogSnapshot, Subscription } from "../../../src/store/store.js";
import { sipWatcher, xmppWatcher } from "../../contract/store.contract.js";

const text = fc.string({ maxLength: 40 });
const dialogArb: fc.Arbitrary<DialogSnapshot> = fc.record({
  id: fc.record({ callId: text, localTag: text, remoteTag: text }),
  localSeq: fc.option(fc.nat(), { nil: null }),
  remoteSeq: fc.option(fc.nat(), { nil: null }),
  localUri: text, remoteUri: text, localTarget: text, remoteTarget: text,
  routeSet: fc.array(text, { maxLength: 3 }),
  secure: fc.boolean(), early: fc.boolean(),
  flow: fc.record({ transport: fc.constantFrom("UDP" as const, "TCP" as const, "TLS" as const, "WS" as const, "WSS" as const), address: text, port: fc.nat(65535), flow: text }, { requiredKeys: ["transport", "address", "port"] }),
}, { requiredKeys: ["id", "localSeq", "remoteSeq", "localUri", "remoteUri", "localTarget", "remoteTarget", "routeSet", "secure", "early"] });
// Optional fields are generated absent or present (never present-but-undefined: JSON has no such thing).
const subscriptionArb: fc.Arbitrary<Subscription> = fc.oneof(
  fc.record({
    kind: fc.constant("sipWatcher" as const), id: fc.constant("id1"), watcher: text, presentity: text, event: text,
    eventId: text, dialog: dialogArb,
    state: fc.constantFrom("pending" as const, "active" as const, "terminated" as const), expiresAt: fc.nat(),
  }, { requiredKeys: ["kind", "id", "watcher", "presentity", "event", "dialog", "state", "expiresAt"] }),
  fc.record({
    kind: fc.constant("xmppWatcher" as const), id: fc.constant("id1"), watcher: text, presentity: text,
    dialog: dialogArb, expiresAt: fc.nat(), generation: fc.nat(),
    authorization: fc.constantFrom("none" as const, "pending" as const, "subscribed" as const), retryAfterAt: fc.nat(),
  }, { requiredKeys: ["kind", "id", "watcher", "presentity", "expiresAt", "generation", "authorization"] }),
);

/** Every key path whose value is present, so "absent" and "present but undefined" differ. */
function definedKeys(v: unknown, path = ""): string[] {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return [];
  return Object.entries(v).flatMap(([k, x]) => (k in v ? [`${path}${k}${x === undefined ? "=undefined" : ""}`, ...definedKeys(x, `${path}${k}.`)] : [])).sort();
}

function corruptKind(fn: () => unknown): string | undefined {
  try { fn(); return undefined; } catch (e) { return isStoreError(e) ? e.kind : "untyped"; }
}

describe("redis codec", () => {
  it("round-trips any subscription exactly (absent optional fields stay absent)", () => {
    fc.assert(fc.property(subscriptionArb, (sub) => {
      const decoded = decodeSubscription(sub.id, encodeSubscription(sub).value);
      expect(decoded).toEqual(sub);
      expect(definedKeys(decoded)).toEqual(definedKeys(sub));
    }), { numRuns: 300 });
  });

  it("is much smaller than the plain JSON object (< 70 %)", () => {
    const s = sipWatcher();
    expect(encodeSubscription(s).value.length).toBeLessThan(JSON.stringify(s).length * 0.7);
  });

  it("refuses malformed records with a typed corrupt error", () => {
    const good = JSON.parse(encodeSubscription(xmppWatcher({ dialog: sipWatcher().dialog })).value) as unknown[];
    const variants: string[] = [
      "not json", "{}", "[]", JSON.stringify(["q", ...good.slice(1)]),
      JSON.stringify([...good.slice(0, 5), "1", ...good.slice(6)]),
      JSON.stringify([...good.slice(0, 6), 9, ...good.slice(7)]),
      JSON.stringify([...good.slice(0, 8), ["short"]]),
    ];
    for (const raw of variants) expect(corruptKind(() => decodeSubscription("x", raw))).toBe("corrupt");
    expect(corruptKind(() => decodePresenceStates("p", JSON.stringify([{ resource: "r", available: "yes", statuses: [] }])))).toBe("corrupt");
    expect(corruptKind(() => decodePresenceStates("p", "[{"))).toBe("corrupt");
  });
});
