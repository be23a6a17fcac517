import { describe, expect, it } from "@jest/globals";
import type { GatewayErrorCode } from "../../../src/domain/errors.js";
import { formatJid, formatSipAddress } from "../../../src/translate/address.js";
import {
  checkSipDestination,
  checkSipOrigin,
  checkXmppDestination,
  checkXmppOrigin,
  compileSipTrust,
} from "../../../src/translate/identity.js";
import type { SipTrust } from "../../../src/translate/identity.js";
import { testPlan } from "./address-fixture.js";

const plan = testPlan();
const compiled = compileSipTrust(["10.1.0.0/16", "192.0.2.7", "2001:db8::/32"]);
if (!compiled.ok) throw new Error("trust config invalid");
const trust: SipTrust = compiled.value;

const code = (r: { ok: boolean; error?: { code: GatewayErrorCode } }): GatewayErrorCode | undefined => (r.ok ? undefined : r.error?.code);

describe("checkSipOrigin", () => {
  it.each(["10.1.2.3", "192.0.2.7", "2001:db8::5"])("accepts a served From via trusted proxy %s and returns its JID", (ip) => {
    const r = checkSipOrigin("sip:Bob@sip.example", { ip }, plan, trust);
    expect(r.ok && formatJid(r.value)).toBe("bob@sip.example");
  });

  it("accepts an untrusted source that digest-authenticated as the From AOR", () => {
    const r = checkSipOrigin("sip:bob@other.example;gr=desk", { ip: "198.51.100.9", authenticatedAs: "sip:bob@OTHER.example" }, plan, trust);
    expect(r.ok && formatJid(r.value)).toBe("bob\\40other.example@sip.gw.example/desk");
  });

  it.each([
    ["untrusted, unauthenticated source", "sip:bob@sip.example", { ip: "198.51.100.9" }],
    ["address just outside the proxy CIDR", "sip:bob@sip.example", { ip: "10.2.0.1" }],
    ["authenticated as someone else", "sip:bob@sip.example", { ip: "198.51.100.9", authenticatedAs: "sip:mallory@sip.example" }],
    ["user part differs only in case (RFC 3261 §19.1.4)", "sip:bob@sip.example", { ip: "198.51.100.9", authenticatedAs: "sip:Bob@sip.example" }],
    ["From in a local XMPP domain, even via a proxy", "sip:alice@xmpp.example", { ip: "10.1.2.3" }],
    ["From in a domain nobody serves", "sip:eve@evil.example", { ip: "10.1.2.3" }],
  ])("refuses %s as spoofedOrigin", (_why, from, source) => {
    expect(code(checkSipOrigin(from, source, plan, trust))).toBe("spoofedOrigin");
  });

  it("reports a malformed From as malformedAddress, not spoofing", () => {
    expect(code(checkSipOrigin("sip:bob%zz@sip.example", { ip: "10.1.2.3" }, plan, trust))).toBe("malformedAddress");
  });

  it("refuses a bad proxy CIDR in config", () => {
    expect(compileSipTrust(["10.0.0.0/8", "not-an-ip"]).ok).toBe(false);
  });
});

describe("checkXmppOrigin", () => {
  it("accepts a local XMPP user and returns the SIP From", () => {
    const r = checkXmppOrigin("Alice@xmpp.example/phone", plan);
    expect(r.ok && formatSipAddress(r.value)).toBe("sip:alice@xmpp.example;gr=phone");
  });

  it.each(["mallory@remote.example", "bob@sip.example", "bob\\40other.example@sip.gw.example"])("refuses %s as spoofedOrigin", (from) => {
    expect(code(checkXmppOrigin(from, plan))).toBe("spoofedOrigin");
  });
});

describe("destinations", () => {
  it("SIP → local XMPP user", () => {
    const r = checkSipDestination("sip:alice@xmpp.example", plan);
    expect(r.ok && formatJid(r.value)).toBe("alice@xmpp.example");
  });

  it.each([
    ["sip:bob@sip.example", "unroutable"],
    ["sip:bob@nowhere.example", "unknownDomain"],
    ["sip:xmpp.example", "incompleteAddress"],
  ] as Array<[string, GatewayErrorCode]>)("SIP → %s is %s", (uri, expected) => {
    expect(code(checkSipDestination(uri, plan))).toBe(expected);
  });

  it("XMPP → SIP user via a transport component", () => {
    const r = checkXmppDestination("bob\\40other.example@sip.gw.example", plan);
    expect(r.ok && formatSipAddress(r.value)).toBe("sip:bob@other.example");
  });

  it.each([
    ["alice@xmpp.example", "unroutable"],
    ["bob@nowhere.example", "unknownDomain"],
    ["bob\\40nowhere.example@sip.gw.example", "unknownDomain"],
    ["bob\\40sip.example@sip.gw.example", "unknownDomain"],
  ] as Array<[string, GatewayErrorCode]>)("XMPP → %s is %s", (jid, expected) => {
    expect(code(checkXmppDestination(jid, plan))).toBe(expected);
  });
});
