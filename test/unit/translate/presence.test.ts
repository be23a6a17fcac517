import { describe, expect, it } from "@jest/globals";
import type { XmppPresenceState } from "../../../src/domain/presence.js";
import { xmppPriorityToQvalue, qvalueToXmppPriority } from "../../../mappings/presence-fields.js";
import { bestResource, pidfToXmppPresences, presenceEquals, showFromActivities, tupleIdFor, xmppPresencesToPidf } from "../../../src/translate/presence.js";

const st = (resource: string, extra: Partial<XmppPresenceState> = {}): XmppPresenceState => ({ resource, available: true, statuses: [], ...extra });
const opts = { sipAor: "sip:juliet@example.com" };

describe("xmppPresencesToPidf", () => {
  it("picks the person's resource by priority, then availability, then name", () => {
    expect(bestResource([st("a", { priority: 1 }), st("b", { priority: 5, show: "dnd" })])?.resource).toBe("b");
    expect(bestResource([st("a", { show: "away" }), st("b", { show: "chat" }), st("c")])?.resource).toBe("b");
    expect(bestResource([st("z"), st("y")])?.resource).toBe("y");
    expect(bestResource([st("a", { available: false, priority: 100 })])).toBeUndefined();
  });

  it("gives stable NCName tuple ids and escapes the gr parameter", () => {
    expect(tupleIdFor("laptop")).toBe(tupleIdFor("laptop"));
    expect(tupleIdFor("laptop")).not.toBe(tupleIdFor("phone"));
    expect(tupleIdFor("x y")).toMatch(/^[A-Za-z_][\w.-]*$/);
    const doc = xmppPresencesToPidf("juliet@example.com", [st("a b;c")], opts);
    expect(doc.tuples[0]?.contact?.uri).toBe("sip:juliet@example.com;gr=a%20b%3Bc");
    expect(pidfToXmppPresences(doc)[0]?.resource).toBe("a b;c");
  });

  it("does not copy <priority/> unless asked, and then never a negative one (RFC 8048 note)", () => {
    expect(xmppPresencesToPidf("j@e", [st("a", { priority: 127 })], opts).tuples[0]?.contact?.priority).toBeUndefined();
    const mapped = xmppPresencesToPidf("j@e", [st("a", { priority: 127 }), st("b", { priority: -1 }), st("c", { priority: 1 })], { ...opts, mapPriority: true });
    expect(mapped.tuples.map((t) => t.contact?.priority)).toEqual([1, undefined, 0.008]);
    for (let p = 0; p <= 127; p += 1) expect(qvalueToXmppPriority(xmppPriorityToQvalue(p) ?? -1)).toBe(p);
  });

  it("an empty resource list is one closed tuple; nobody available means no person element", () => {
    const empty = xmppPresencesToPidf("j@e", [], opts);
    expect(empty.tuples.map((t) => t.status.basic)).toEqual(["closed"]);
    expect(xmppPresencesToPidf("j@e", [st("a", { available: false })], opts).persons).toEqual([]);
  });
});

describe("pidfToXmppPresences", () => {
  it("ranks activities: dnd beats xa beats away beats chat; unknown ones say nothing", () => {
    const e = (values: string[], other: string[] = []) => ({ values, other, notes: [] });
    expect(showFromActivities(e(["away", "on-the-phone"]))).toBe("dnd");
    expect(showFromActivities(e(["meal", "holiday"]))).toBe("xa");
    expect(showFromActivities(e(["away"], ["Extended Away"]))).toBe("xa");
    expect(showFromActivities(e(["working", "unknown"], ["juggling"]))).toBeUndefined();
  });

  it("maps contact priority back only when asked", () => {
    const doc = xmppPresencesToPidf("j@e", [st("a", { priority: 64 })], { ...opts, mapPriority: true });
    expect(pidfToXmppPresences(doc)[0]?.priority).toBeUndefined();
    expect(pidfToXmppPresences(doc, { mapPriority: true })[0]?.priority).toBe(64);
  });
});

describe("presenceEquals", () => {
  const base = st("a", { show: "away", statuses: [{ text: "x", lang: "en" }, { text: "y", lang: "fr" }], delay: "2024-01-01T00:00:00Z" });
  it("ignores delay and status order, notices every other change", () => {
    expect(presenceEquals(base, { ...base, delay: undefined, statuses: [...base.statuses].reverse() })).toBe(true);
    expect(presenceEquals(base, { ...base, show: "xa" })).toBe(false);
    expect(presenceEquals(base, { ...base, available: false })).toBe(false);
    expect(presenceEquals(base, { ...base, statuses: [{ text: "x", lang: "en" }] })).toBe(false);
    expect(presenceEquals(base, { ...base, statuses: [{ text: "x", lang: "en" }, { text: "z", lang: "fr" }] })).toBe(false);
    expect(presenceEquals(base, { ...base, priority: 1 })).toBe(false);
  });
});
