import { describe, it, expect } from "@jest/globals";
import {
  answerChallenges, buildAuthorization, computeDigestResponse, parseDigestChallenges, selectChallenges,
} from "../../../../src/sip/auth/digest.js";
import { parseAuthHeaders } from "../../../../src/sip/auth/auth-params.js";
import { createDigestVerifier } from "../../../../src/sip/auth/verify.js";

const headersOf = (h: Record<string, string[]>) => ({ getAll: (n: string) => h[n] ?? [] });

// RFC 7616 §3.9.1 (password "Circle of Life", lowercase "of", per verified erratum 4495).
const RFC7616 = {
  username: "Mufasa", password: "Circle of Life", realm: "http-auth@example.org",
  nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
  nc: "00000001", qop: "auth", method: "GET", uri: "/dir/index.html",
};

describe("digest response values from the RFCs", () => {
  it("matches RFC 7616 §3.9.1 for MD5", () => {
    expect(computeDigestResponse({ ...RFC7616, algorithm: "MD5" })).toBe("8ca523f5e9506fed4657c9700eebdbec");
  });
  it("matches RFC 7616 §3.9.1 for SHA-256", () => {
    expect(computeDigestResponse({ ...RFC7616, algorithm: "SHA-256" }))
      .toBe("753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
  });
  it("matches RFC 2617 §3.5", () => {
    expect(computeDigestResponse({
      algorithm: "MD5", username: "Mufasa", password: "Circle Of Life", realm: "testrealm@host.com",
      nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093", nc: "00000001", cnonce: "0a4f113b", qop: "auth",
      method: "GET", uri: "/dir/index.html",
    })).toBe("6629fae49393a05397450978507c4ef1");
  });
  it("builds the RFC 7616 §3.9.1 Authorization from the challenge", () => {
    const [ch] = parseDigestChallenges([
      `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="${RFC7616.nonce}", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`,
    ], false);
    const value = buildAuthorization(ch!, RFC7616, { method: "GET", uri: "/dir/index.html" }, { cnonce: RFC7616.cnonce });
    const [parsed] = parseAuthHeaders([value]);
    expect(parsed!.params.get("response")).toBe("753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
    expect(parsed!.params.get("nc")).toBe("00000001");
    expect(parsed!.params.get("qop")).toBe("auth");
    expect(parsed!.params.get("opaque")).toBe("FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS");
  });
});

describe("challenge parsing and selection", () => {
  it("reads challenges whether or not a list parser split them at commas", () => {
    const whole = `Digest realm="a", nonce="n1", algorithm=MD5, qop="auth,auth-int"`;
    const split = ['Digest realm="a"', 'nonce="n1"', "algorithm=MD5", 'qop="auth,auth-int"'];
    expect(parseDigestChallenges([whole], false)).toEqual(parseDigestChallenges(split, false));
    expect(parseDigestChallenges([whole], false)[0]!.qop).toEqual(["auth", "auth-int"]);
  });
  it("picks the strongest algorithm per realm (RFC 8760 §2.4) and keeps realms apart", () => {
    const chosen = selectChallenges(parseDigestChallenges([
      'Digest realm="a", nonce="1", algorithm=MD5', 'Digest realm="a", nonce="2", algorithm=SHA-256',
      'Digest realm="b", nonce="3"', 'Digest realm="a", nonce="4", algorithm=UNKNOWN-ALG',
    ], false));
    expect(chosen.map((c) => [c.realm, c.algorithm, c.nonce])).toEqual([["a", "SHA-256", "2"], ["b", "MD5", "3"]]);
  });
  it("computes SHA-512-256 and -sess responses that a verifier of the same algorithm accepts", () => {
    for (const algorithm of ["SHA-512-256", "SHA-256-sess", "MD5-sess"] as const) {
      const v = createDigestVerifier({ realm: "r", algorithms: [algorithm], passwordOf: () => "pw" });
      const resp = { status: 401, headers: headersOf({ "www-authenticate": v.challenges() }) };
      const auth = answerChallenges(resp, { method: "REGISTER", uri: "sip:r" }, "sip:u@r", () => ({ username: "u", password: "pw" }));
      expect(auth).toHaveLength(1);
      const verdict = v.verify({ method: "REGISTER", uri: "sip:r", headers: headersOf({ authorization: [auth![0]!.value] }) });
      expect(verdict).toEqual({ ok: true, username: "u" });
    }
  });
});

describe("verifier", () => {
  let t = 1_000_000;
  const v = createDigestVerifier({ realm: "gw", passwordOf: (u) => (u === "alice" ? "secret" : undefined), now: () => t, nonceTtlMs: 60_000 });
  const answer = (password: string, opts: { nc?: number; body?: Uint8Array; preferAuthInt?: boolean } = {}) => {
    const resp = { status: 401, headers: headersOf({ "www-authenticate": v.challenges() }) };
    return answerChallenges(resp, { method: "MESSAGE", uri: "sip:bob@gw", ...(opts.body ? { body: opts.body } : {}) }, "sip:alice@gw",
      () => ({ username: "alice", password }), opts)![0]!.value;
  };
  const check = (value: string, body?: Uint8Array) =>
    v.verify({ method: "MESSAGE", uri: "sip:bob@gw", ...(body ? { body } : {}), headers: headersOf({ authorization: [value] }) });

  it("accepts the right password and refuses a wrong one with a fresh 401 challenge", () => {
    expect(check(answer("secret"))).toEqual({ ok: true, username: "alice" });
    const bad = check(answer("wrong"));
    expect(bad.ok).toBe(false);
    if (!bad.ok) { expect(bad.status).toBe(401); expect(bad.challenges.length).toBe(2); }
  });
  it("refuses a replayed nonce count", () => {
    const value = answer("secret");
    expect(check(value).ok).toBe(true);
    expect(check(value).ok).toBe(false);
  });
  it("covers the body with auth-int", () => {
    const body = new TextEncoder().encode("hello");
    const value = answer("secret", { body, preferAuthInt: true });
    expect(value).toContain("qop=auth-int");
    expect(check(value, new TextEncoder().encode("hellO")).ok).toBe(false);
  });
  it("answers stale=TRUE for the right password on an expired nonce", () => {
    const value = answer("secret");
    t += 120_000;
    const verdict = check(value);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.challenges[0]).toContain("stale=TRUE");
  });
  it("refuses a forged nonce and reports a missing header field as 400", () => {
    expect(check('Digest username="alice", realm="gw", nonce="x.y", uri="sip:bob@gw", response="00"').ok).toBe(false);
    const verdict = check('Digest username="alice", realm="gw", uri="sip:bob@gw"');
    expect(verdict.ok === false && verdict.status).toBe(400);
  });
  it("answers nothing when the identity has no credentials for the realm", () => {
    const resp = { status: 407, headers: headersOf({ "proxy-authenticate": ['Digest realm="other", nonce="1"'] }) };
    expect(answerChallenges(resp, { method: "MESSAGE", uri: "sip:x" }, "sip:a@b", () => undefined)).toBeUndefined();
  });
});

describe("verifier: digest-uri other than the Request-URI", () => {
  // COMPAT(SIPp 3.6): the client hashed and sent uri="sip:<next hop>" while the Request-URI names the user.
  const v = createDigestVerifier({
    realm: "gw", passwordOf: () => "secret",
    acceptsUri: (digestUri, requestUri) => digestUri === requestUri || digestUri === "sip:192.0.2.1:5060",
  });
  const answerFor = (digestUri: string) => {
    const resp = { status: 401, headers: headersOf({ "www-authenticate": v.challenges() }) };
    return answerChallenges(resp, { method: "MESSAGE", uri: digestUri }, "sip:alice@gw", () => ({ username: "alice", password: "secret" }))![0]!.value;
  };
  const check = (value: string) => v.verify({ method: "MESSAGE", uri: "sip:bob@gw", headers: headersOf({ authorization: [value] }) });

  it("verifies the hash over the uri the client sent when the policy accepts that uri", () => {
    expect(check(answerFor("sip:192.0.2.1:5060"))).toEqual({ ok: true, username: "alice" });
  });
  it("refuses a uri the policy does not accept with 400", () => {
    const verdict = check(answerFor("sip:198.51.100.7"));
    expect(verdict.ok === false && verdict.status).toBe(400);
  });
});

describe("client and verifier agree on arbitrary input", () => {
  it("accepts every response the client computes, and nothing after a one-character password change", async () => {
    const { default: fc } = await import("fast-check");
    const text = fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !/["\\\r\n]/.test(s));
    fc.assert(fc.property(text, text, fc.constantFrom("MD5", "SHA-256", "SHA-512-256"), fc.uint8Array({ maxLength: 64 }), fc.boolean(),
      (user, password, algorithm, body, authInt) => {
        const v = createDigestVerifier({ realm: "r", algorithms: [algorithm], passwordOf: (u) => (u === user ? password : undefined) });
        const resp = { status: 401, headers: headersOf({ "www-authenticate": v.challenges() }) };
        const req = { method: "MESSAGE", uri: "sip:x@r", body };
        const good = answerChallenges(resp, req, "id", () => ({ username: user, password }), { preferAuthInt: authInt })![0]!.value;
        expect(v.verify({ ...req, headers: headersOf({ authorization: [good] }) })).toEqual({ ok: true, username: user });
        const bad = answerChallenges(resp, req, "id", () => ({ username: user, password: `${password}x` }))![0]!.value;
        expect(v.verify({ ...req, headers: headersOf({ authorization: [bad] }) }).ok).toBe(false);
      }), { numRuns: 200 });
  });
});
