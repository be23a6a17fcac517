import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import type { GatewayErrorCode } from "../../../src/domain/errors.js";
import { formatJid, jidToSipUri, sipUriToJid } from "../../../src/translate/address.js";
import { compileAddressPlan } from "../../../src/translate/address-plan.js";
import { encodeUser } from "../../../src/translate/address-uri.js";
import { testPlan, XEP0106_JID_EXAMPLES } from "./address-fixture.js";

const plan = testPlan();

function toJid(uri: string): string {
  const r = sipUriToJid(uri, plan);
  if (!r.ok) throw new Error(`${uri}: ${r.error.code} ${r.error.detail ?? ""}`);
  return formatJid(r.value);
}
function toUri(jid: string): string {
  const r = jidToSipUri(jid, plan);
  if (!r.ok) throw new Error(`${jid}: ${r.error.code} ${r.error.detail ?? ""}`);
  return r.value;
}
function sipError(uri: string): GatewayErrorCode | undefined {
  const r = sipUriToJid(uri, plan);
  return r.ok ? undefined : r.error.code;
}
function jidError(jid: string): GatewayErrorCode | undefined {
  const r = jidToSipUri(jid, plan);
  return r.ok ? undefined : r.error.code;
}

describe("same-domain style", () => {
  it("maps an AOR to a bare JID and back", () => {
    expect(toJid("sip:bob@sip.example")).toBe("bob@sip.example");
    expect(toUri("bob@sip.example")).toBe("sip:bob@sip.example");
  });

  it("maps XMPP users to SIP URIs in their own domain and back", () => {
    expect(toUri("alice@xmpp.example")).toBe("sip:alice@xmpp.example");
    expect(toJid("sip:alice@xmpp.example")).toBe("alice@xmpp.example");
  });

  it("accepts sips:, pres: and im: URIs (RFC 7247 address mapping)", () => {
    expect(toJid("sips:bob@sip.example")).toBe("bob@sip.example");
    expect(toJid("pres:alice@xmpp.example")).toBe("alice@xmpp.example");
    expect(toJid("im:alice@xmpp.example")).toBe("alice@xmpp.example");
    expect(jidToSipUri("alice@xmpp.example", plan, "pres")).toEqual({ ok: true, value: "pres:alice@xmpp.example" });
  });

  it("drops the port, password, other params and headers", () => {
    expect(toJid("sip:bob:secret@sip.example:5061;transport=tcp?subject=hi")).toBe("bob@sip.example");
  });

  it("lower-cases the user part (RFC 7622 §3.3 UsernameCaseMapped) and the host", () => {
    expect(toJid("sip:Bob@SIP.Example")).toBe("bob@sip.example");
    expect(toUri("BOB@sip.example")).toBe("sip:bob@sip.example");
  });
});

describe("XEP-0106 §5.3 SIP address example", () => {
  // The XEP writes "cr%zy" literally, which is not a valid RFC 3986 escape; as a URI it is cr%25zy.
  const uri = "sip:here%27s_a_wild_%26_%2Fcr%25zy%2F_address@sip.example";
  it("decodes, then escapes the localpart", () => {
    expect(toJid(uri)).toBe("here\\27s_a_wild_\\26_\\2fcr%zy\\2f_address@sip.example");
  });
  it("unescapes, then percent-encodes per RFC 3261 §25.1 (', & and / need no escape in a user)", () => {
    expect(toUri("here\\27s_a_wild_\\26_\\2fcr%zy\\2f_address@sip.example")).toBe(
      "sip:here's_a_wild_&_/cr%25zy/_address@sip.example",
    );
  });
  it("rejects the XEP's literal %zy as a bad percent escape", () => {
    expect(sipError("sip:cr%zy@sip.example")).toBe("malformedAddress");
  });
});

describe("XEP-0106 §5.1 rows through SIP", () => {
  const rows = XEP0106_JID_EXAMPLES.map(([, user, local]) => [user, local] as [string, string]);
  it.each(rows)("%p ⇄ %p", (user, local) => {
    const uri = `sip:${encodeUser(user)}@sip.example`;
    expect(toJid(uri)).toBe(`${local}@sip.example`);
    expect(toUri(`${local}@sip.example`)).toBe(uri);
  });
});

describe("transport style", () => {
  it("escapes the SIP domain into the localpart", () => {
    expect(toJid("sip:bob@other.example")).toBe("bob\\40other.example@sip.gw.example");
    expect(toUri("bob\\40other.example@sip.gw.example")).toBe("sip:bob@other.example");
  });

  it("keeps an escaped '@' inside the user (last '@' splits)", () => {
    expect(toJid("sip:a%40b@other.example")).toBe("a\\40b\\40other.example@sip.gw.example");
    expect(toUri("a\\40b\\40other.example@sip.gw.example")).toBe("sip:a%40b@other.example");
  });

  it("refuses a SIP domain the component does not carry, or none at all", () => {
    expect(jidError("bob\\40sip.example@sip.gw.example")).toBe("unknownDomain");
    expect(jidError("bob@sip.gw.example")).toBe("incompleteAddress");
  });
});

describe("IDN domains", () => {
  it("SIP A-labels appear as U-labels in JIDs and back", () => {
    expect(toJid("sip:bob@xn--bcher-kva.example")).toBe("bob\\40bücher.example@sip.gw.example");
    expect(toUri("bob\\40bücher.example@sip.gw.example")).toBe("sip:bob@xn--bcher-kva.example");
    expect(toJid("sip:li@xn--fiq228c.example")).toBe("li\\40中文.example@sip.gw.example");
    expect(toUri("li\\40中文.example@sip.gw.example")).toBe("sip:li@xn--fiq228c.example");
  });

  it("XMPP U-label domains become A-label SIP hosts and compare canonically", () => {
    expect(toUri("anna@münchen.example")).toBe("sip:anna@xn--mnchen-3ya.example");
    expect(toUri("anna@MÜNCHEN.example")).toBe("sip:anna@xn--mnchen-3ya.example");
    expect(toJid("sip:anna@xn--mnchen-3ya.example")).toBe("anna@münchen.example");
  });

  it("keeps non-ASCII user parts, percent-encoded as UTF-8 on the SIP side", () => {
    expect(toJid("sip:j%C3%BCrgen@sip.example")).toBe("jürgen@sip.example");
    expect(toUri("jürgen@sip.example")).toBe("sip:j%C3%BCrgen@sip.example");
  });
});

describe("GRUU ⇄ resource (RFC 5627)", () => {
  it.each([
    ["sip:bob@sip.example;gr=laptop", "bob@sip.example/laptop"],
    ["sip:bob@sip.example;gr=Mobile%20Phone", "bob@sip.example/Mobile Phone"],
    ["sip:bob@sip.example;gr=urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6", "bob@sip.example/urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6"],
    ["sip:alice@xmpp.example;gr=balcony/phone", "alice@xmpp.example/balcony/phone"],
  ])("%s ⇄ %s", (uri, jid) => {
    expect(toJid(uri)).toBe(jid);
    expect(toUri(jid)).toBe(uri);
  });

  it("decodes any escaping of the gr value; re-encodes only what RFC 3261 §25.1 paramchar needs", () => {
    expect(toJid("sip:alice@xmpp.example;gr=balcony%2Fphone")).toBe("alice@xmpp.example/balcony/phone");
    expect(toUri("alice@xmpp.example/ä;x")).toBe("sip:alice@xmpp.example;gr=%C3%A4%3Bx");
  });

  it("maps a temporary GRUU's bare ;gr to the bare JID", () => {
    expect(toJid("sip:tgruu.7hs==jd7vnzga5w7fajsc7-ajd6fabz0f8g5@sip.example;gr")).toBe(
      "tgruu.7hs==jd7vnzga5w7fajsc7-ajd6fabz0f8g5@sip.example",
    );
  });
});

describe("invalid input → typed errors", () => {
  it.each([
    ["sip:sip.example", "incompleteAddress"],
    ["sip:@sip.example", "incompleteAddress"],
    ["sip:bob%2@sip.example", "malformedAddress"],
    ["sip:bob%C3@sip.example", "malformedAddress"],
    ["sip:%20bob@sip.example", "malformedAddress"],
    ["sip:bob%E2%98%83@sip.example", "malformedAddress"],
    ["sip:bob%00@sip.example", "malformedAddress"],
    ["http:bob@sip.example", "malformedAddress"],
    ["sip:bob@", "malformedAddress"],
    ["sip:bob@nowhere.example", "unknownDomain"],
    ["sip:bob@bad_host.example", "malformedAddress"],
    [`sip:${"a".repeat(1024)}@sip.example`, "malformedAddress"],
    ["pres:bob@sip.example;gr=x", "malformedAddress"],
  ] as Array<[string, GatewayErrorCode]>)("%s → %s", (uri, code) => {
    expect(sipError(uri)).toBe(code);
  });

  it.each([
    ["sip.example", "incompleteAddress"],
    ["bob@nowhere.example", "unknownDomain"],
    ["bo b@sip.example", "malformedAddress"],
    ["bob's@sip.example", "malformedAddress"],
    ["foo\\bar@xmpp.example", "malformedAddress"],
    ["\\20bob@sip.example", "malformedAddress"],
    ["bob@sip.example/", "malformedAddress"],
    [`${"a".repeat(1024)}@sip.example`, "malformedAddress"],
    ["bob@sip.example/\u0007", "malformedAddress"],
  ] as Array<[string, GatewayErrorCode]>)("%s → %s", (jid, code) => {
    expect(jidError(jid)).toBe(code);
  });

  it("accepts a 1023-octet localpart and refuses 1024 (RFC 7622 §3.3.1)", () => {
    expect(sipError(`sip:${"a".repeat(1023)}@sip.example`)).toBeUndefined();
    expect(sipError(`sip:${"é".repeat(512)}@sip.example`)).toBe("malformedAddress");
  });
});

describe("address plan", () => {
  it("refuses a SIP domain carried twice, or not carried", () => {
    const twice = compileAddressPlan({
      sipDomains: ["a.example"],
      xmppDomains: [],
      mappings: [
        { style: "same-domain", sipDomain: "a.example" },
        { style: "transport", componentDomain: "gw.example", sipDomains: ["A.example"] },
      ],
    });
    expect(twice.ok).toBe(false);
    const none = compileAddressPlan({ sipDomains: ["a.example"], xmppDomains: [], mappings: [] });
    expect(none.ok ? undefined : none.error.code).toBe("unroutable");
  });

  it("refuses a domain that is both SIP and XMPP", () => {
    const r = compileAddressPlan({ sipDomains: ["a.example"], xmppDomains: ["A.EXAMPLE"], mappings: [{ style: "same-domain", sipDomain: "a.example" }] });
    expect(r.ok).toBe(false);
  });
});

// Users already in canonical form: lower case, NFC, no edge spaces.
const USER_CHARS = [..."abcxyz019-_.!~*'()&=+$,/ \"<>:@\\;?%üé中"];
const canonicalUser = fc
  .array(fc.constantFrom(...USER_CHARS), { minLength: 1, maxLength: 40 })
  .map((cs) => cs.join(""))
  .filter((u) => !u.startsWith(" ") && !u.endsWith(" "));

describe("properties", () => {
  it.each(["sip.example", "other.example", "xn--bcher-kva.example", "xmpp.example"])(
    "jidToSipUri(sipUriToJid(x)) === x for canonical users in %s",
    (host) => {
      fc.assert(
        fc.property(canonicalUser, fc.option(fc.constantFrom("laptop", "a b", "urn:uuid:1", "ü/x"), { nil: undefined }), (user, gr) => {
          const uri = `sip:${encodeUser(user)}@${host}${gr === undefined ? "" : `;gr=${gr.replace(/ /g, "%20").replace(/ü/g, "%C3%BC")}`}`;
          const jid = sipUriToJid(uri, plan);
          if (!jid.ok) return false;
          const back = jidToSipUri(jid.value, plan);
          return back.ok && back.value === uri;
        }),
        { numRuns: 300 },
      );
    },
  );

  it("any accepted SIP URI reaches a fixed point after one round trip", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", minLength: 1, maxLength: 20 }), (raw) => {
        const first = sipUriToJid(`sip:${encodeUser(raw)}@sip.example`, plan);
        if (!first.ok) return true;
        const uri = jidToSipUri(first.value, plan);
        if (!uri.ok) return false;
        const second = sipUriToJid(uri.value, plan);
        return second.ok && formatJid(second.value) === formatJid(first.value);
      }),
      { numRuns: 500 },
    );
  });
});
