import { describe, expect, it } from "@jest/globals";
import { buildIsComposing, parseIsComposing, ISCOMPOSING_TIMERS } from "../../../../src/simple/iscomposing/iscomposing.js";
import { chatStateToIsComposing, isComposingToChatState } from "../../../../mappings/chat-states.js";

// RFC 3994 §6 examples.
const ACTIVE = `<?xml version="1.0" encoding="UTF-8"?>
<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="urn:ietf:params:xml:ns:im-composing iscomposing.xsd">
  <state>active</state>
  <contenttype>text/plain</contenttype>
  <refresh>90</refresh>
</isComposing>`;
const IDLE = `<?xml version="1.0" encoding="UTF-8"?>
<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing">
  <state>idle</state>
  <lastactive>2003-01-27T10:43:00Z</lastactive>
  <contenttype>audio</contenttype>
</isComposing>`;

describe("isComposing (RFC 3994)", () => {
  it("parses the RFC examples", () => {
    expect(parseIsComposing(ACTIVE)).toEqual({ ok: true, value: { state: "active", contentType: "text/plain", refresh: 90 } });
    expect(parseIsComposing(IDLE)).toEqual({
      ok: true, value: { state: "idle", lastActive: new Date("2003-01-27T10:43:00Z"), contentType: "audio" },
    });
  });

  it("round-trips through the builder", () => {
    const s = { state: "active", contentType: "text/plain", refresh: 90, lastActive: new Date("2020-01-01T00:00:00Z") } as const;
    expect(parseIsComposing(buildIsComposing(s))).toEqual({ ok: true, value: s });
  });

  it.each([
    ["<isComposing xmlns='urn:other'><state>active</state></isComposing>", "isComposing: root is not <isComposing> in the RFC 3994 namespace"],
    ["<isComposing xmlns='urn:ietf:params:xml:ns:im-iscomposing'/>", "isComposing: missing <state>"],
    ["<isComposing xmlns='urn:ietf:params:xml:ns:im-iscomposing'><state>active</state><refresh>-1</refresh></isComposing>", "isComposing: <refresh> is not a positive integer"],
  ])("refuses %s", (xml, reason) => {
    expect(parseIsComposing(xml)).toEqual({ ok: false, error: { reason } });
  });

  it("refuses a DOCTYPE (entity expansion) through the hardened parser", () => {
    const r = parseIsComposing(`<!DOCTYPE x [<!ENTITY a "aaaa">]><isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"><state>&a;</state></isComposing>`);
    expect(r.ok).toBe(false);
  });

  it("timer defaults follow RFC 3994 §3.2/§3.3", () => {
    expect(ISCOMPOSING_TIMERS.defaultRefreshS).toBeGreaterThanOrEqual(ISCOMPOSING_TIMERS.minRefreshS);
    expect(ISCOMPOSING_TIMERS).toMatchObject({ minRefreshS: 60, receiverDefaultTimeoutS: 120, idleTimeoutS: 15 });
  });
});

describe("mappings/chat-states", () => {
  it.each(Object.entries(chatStateToIsComposing))("XMPP %s → SIP row is cited", (_state, row) => {
    expect(row.ref).toMatch(/XEP-0085|RFC/);
  });
  it("SIP active/idle round-trip to XMPP and back", () => {
    for (const [sip, row] of Object.entries(isComposingToChatState)) {
      expect(chatStateToIsComposing[row.toXmpp].toSip).toBe(sip);
    }
    expect(chatStateToIsComposing.gone.toSip).toBeNull();
  });
});
