import { describe, expect, it } from "@jest/globals";
import { gatewayError } from "../../../src/domain/errors.js";
import type { GatewayErrorCode, XmppCondition, XmppErrorType } from "../../../src/domain/errors.js";
import {
  gatewayErrorToSip,
  gatewayErrorToXmpp,
  sipStatusToXmppError,
  xmppErrorToSipStatus,
} from "../../../src/translate/errors.js";

describe("sipStatusToXmppError", () => {
  it.each([
    [404, "cancel", "item-not-found"],
    [408, "wait", "remote-server-timeout"],
    [486, "wait", "recipient-unavailable"],
    [480, "wait", "recipient-unavailable"],
    [403, "auth", "forbidden"],
    [401, "auth", "not-authorized"],
    [407, "auth", "not-authorized"],
    [503, "cancel", "service-unavailable"],
    [504, "wait", "remote-server-timeout"],
    [301, "cancel", "gone"],
    [302, "modify", "redirect"],
    [603, "cancel", "service-unavailable"],
  ] as Array<[number, XmppErrorType, XmppCondition]>)("%i → %s/%s (RFC 7247 §7.2 rows)", (status, type, condition) => {
    expect(sipStatusToXmppError(status)).toEqual({ type, condition });
  });

  it.each([
    [429, 400],
    [499, 400],
    [599, 500],
    [699, 600],
    [399, 300],
  ])("unlisted %i is treated as %i (RFC 3261 §8.1.3.2)", (unlisted, x00) => {
    expect(sipStatusToXmppError(unlisted)).toEqual(sipStatusToXmppError(x00));
  });

  it.each([100, 180, 200, 202, 299, 700, 42, 404.5, Number.NaN])("%p is not an error status", (s) => {
    expect(sipStatusToXmppError(s)).toBeNull();
  });
});

describe("xmppErrorToSipStatus", () => {
  it.each([
    ["item-not-found", 404, "Not Found"],
    ["recipient-unavailable", 480, "Temporarily Unavailable"],
    ["remote-server-timeout", 408, "Request Timeout"],
    ["service-unavailable", 503, "Service Unavailable"],
    ["forbidden", 403, "Forbidden"],
    ["not-authorized", 401, "Unauthorized"],
    ["jid-malformed", 400, "Bad Request"],
    ["gone", 301, "Moved Permanently"],
    ["redirect", 302, "Moved Temporarily"],
  ] as Array<[XmppCondition, number, string]>)("%s → %i %s", (condition, status, reason) => {
    expect(xmppErrorToSipStatus(condition)).toEqual({ status, reason });
  });

  it("maps <unexpected-request/> to 491 when type is wait, 400 otherwise (RFC 7247 '491 or 400')", () => {
    expect(xmppErrorToSipStatus("unexpected-request", "wait").status).toBe(491);
    expect(xmppErrorToSipStatus("unexpected-request", "cancel").status).toBe(400);
    expect(xmppErrorToSipStatus("unexpected-request").status).toBe(400);
  });

  it("treats an unknown condition as undefined-condition (RFC 6120 §8.3.2)", () => {
    expect(xmppErrorToSipStatus("payment-required")).toEqual(xmppErrorToSipStatus("undefined-condition"));
  });
});

describe("gateway errors", () => {
  it("spoofedOrigin → 403 / auth forbidden", () => {
    const err = gatewayError("spoofedOrigin", "From not in a served domain");
    expect(gatewayErrorToSip(err)).toEqual({ status: 403, reason: "Forbidden" });
    expect(gatewayErrorToXmpp(err)).toEqual({ type: "auth", condition: "forbidden", text: "From not in a served domain" });
  });

  it("linkDown → 503 with Retry-After / wait remote-server-timeout", () => {
    const err = gatewayError("linkDown");
    const sip = gatewayErrorToSip(err);
    expect(sip.status).toBe(503);
    expect(sip.retryAfterS).toBeGreaterThan(0);
    expect(gatewayErrorToXmpp(err)).toEqual({ type: "wait", condition: "remote-server-timeout" });
  });

  it("lets the error override Retry-After", () => {
    expect(gatewayErrorToSip({ code: "rateLimited", retryAfterS: 2 })).toEqual({
      status: 503,
      reason: "Service Unavailable",
      retryAfterS: 2,
    });
  });

  it.each([
    ["bodyTooLarge", 413, "modify", "policy-violation"],
    ["unsupportedMediaType", 415, "cancel", "feature-not-implemented"],
    ["unknownEventPackage", 489, "cancel", "feature-not-implemented"],
    ["deliveryTimeout", 408, "wait", "remote-server-timeout"],
    ["internal", 500, "cancel", "internal-server-error"],
    ["malformedAddress", 400, "modify", "jid-malformed"],
    ["incompleteAddress", 484, "modify", "jid-malformed"],
  ] as Array<[GatewayErrorCode, number, XmppErrorType, XmppCondition]>)("%s → %i / %s %s", (code, status, type, condition) => {
    expect(gatewayErrorToSip({ code }).status).toBe(status);
    expect(gatewayErrorToXmpp({ code })).toEqual({ type, condition });
  });
});
