// Walks every row of every error table, so a row added later is checked without a new test.
import { describe, expect, it } from "@jest/globals";
import {
  gatewayErrorMap,
  sipClassDefault,
  sipReasonPhrase,
  sipStatusToXmpp,
  xmppConditionDefaultType,
  xmppConditionToSip,
} from "../../../mappings/errors.js";
import { GATEWAY_ERROR_CODES, XMPP_CONDITIONS } from "../../../src/domain/errors.js";

const TYPES = ["auth", "cancel", "continue", "modify", "wait"];

describe("SIP status → XMPP table (RFC 7247 §7.2)", () => {
  it.each(Object.entries(sipStatusToXmpp))("%s maps to a defined condition with its RFC 6120 type", (code, row) => {
    const status = Number(code);
    expect(status).toBeGreaterThanOrEqual(300);
    expect(status).toBeLessThanOrEqual(699);
    expect(XMPP_CONDITIONS).toContain(row.condition);
    expect(row.type).toBe(xmppConditionDefaultType[row.condition]);
    expect(row.ref).toMatch(/^RFC \d+ §/);
    expect(typeof row.recalled).toBe("boolean");
  });

  it.each(Object.entries(sipClassDefault))("class %sxx falls back to a listed x00 row of that class", (cls, code) => {
    expect(Math.floor(code / 100)).toBe(Number(cls));
    expect(sipStatusToXmpp[code]).toBeDefined();
  });
});

describe("XMPP condition → SIP table (RFC 7247 §7.1)", () => {
  it("has exactly the 22 conditions of RFC 6120 §8.3.3", () => {
    expect(XMPP_CONDITIONS).toHaveLength(22);
    expect(Object.keys(xmppConditionToSip).sort()).toEqual([...XMPP_CONDITIONS].sort());
    expect(Object.keys(xmppConditionDefaultType).sort()).toEqual([...XMPP_CONDITIONS].sort());
  });

  it.each(Object.entries(xmppConditionToSip))("%s → a SIP error status with a reason phrase", (_c, row) => {
    expect(row.status).toBeGreaterThanOrEqual(300);
    expect(row.status).toBeLessThanOrEqual(699);
    expect(sipReasonPhrase).toHaveProperty(String(row.status));
    expect(row.ref).toMatch(/^RFC 7247 §7\.1/);
  });

  it.each(Object.entries(xmppConditionDefaultType))("%s has a valid default type", (_c, type) => {
    expect(TYPES).toContain(type);
  });
});

describe("gateway error codes", () => {
  it("has one row per GatewayErrorCode and no other", () => {
    expect(Object.keys(gatewayErrorMap).sort()).toEqual([...GATEWAY_ERROR_CODES].sort());
  });

  it.each(Object.entries(gatewayErrorMap))("%s has a SIP status line, an XMPP error and a citation", (_code, row) => {
    expect(row.sip.status).toBeGreaterThanOrEqual(400);
    expect(row.sip.status).toBeLessThanOrEqual(699);
    expect(row.sip.reason).toBe(sipReasonPhrase[row.sip.status as keyof typeof sipReasonPhrase]);
    expect(XMPP_CONDITIONS).toContain(row.xmpp.condition);
    expect(TYPES).toContain(row.xmpp.type);
    expect(row.ref).toMatch(/RFC \d+ §/);
    if ("retryAfterS" in row.sip) {
      // RFC 3261 §20.33: Retry-After only makes sense on 503 here (and 404/413/480/486/600/603).
      expect(row.sip.status).toBe(503);
      expect(row.sip.retryAfterS).toBeGreaterThan(0);
      expect(row.xmpp.type).toBe("wait");
    }
  });
});
