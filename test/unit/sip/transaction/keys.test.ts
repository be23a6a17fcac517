// Matching keys: RFC 3261 §17.1.3, §17.2.3 (and its RFC 2543 fallback), §8.2.2.2.
import { describe, expect, it } from "@jest/globals";
import { createRequest } from "../../../../src/sip/message/build.js";
import { clientKey, clientKeyOfResponse, mergeKey, serverKey } from "../../../../src/sip/transaction/keys.js";
import { incoming, responseTo } from "./helpers.js";

describe("server keys (§17.2.3)", () => {
  it("match by branch + sent-by + method; ACK and CANCEL find their INVITE", () => {
    const invite = incoming("INVITE", "z9hG4bKabc");
    expect(serverKey(incoming("ACK", "z9hG4bKabc"), "INVITE")).toBe(serverKey(invite));
    expect(serverKey(incoming("CANCEL", "z9hG4bKabc"), "INVITE")).toBe(serverKey(invite));
    expect(serverKey(incoming("CANCEL", "z9hG4bKabc"))).not.toBe(serverKey(invite));
  });

  it("differ when sent-by differs (same branch from two hosts)", () => {
    const a = incoming("MESSAGE", "z9hG4bKsame");
    const b = incoming("MESSAGE", "z9hG4bKsame");
    b.headers.set("via", "SIP/2.0/UDP 192.0.2.99:5060;branch=z9hG4bKsame");
    expect(serverKey(a)).not.toBe(serverKey(b));
  });

  it("fall back to RFC 2543 fields for branches without the magic cookie", () => {
    const mk = (cseq: number, branch = "old1") => incoming("INVITE", branch, { cseq });
    expect(serverKey(mk(1))).toBe(serverKey(mk(1)));
    expect(serverKey(mk(1))).not.toBe(serverKey(mk(2)));
    // ACK of a non-2xx carries our To tag; it still matches the INVITE.
    expect(serverKey(incoming("ACK", "old1", { cseq: 1, toTag: "ours" }), "INVITE")).toBe(serverKey(mk(1)));
    const noBranch = createRequest({ method: "OPTIONS", uri: "sip:x@y", headers: { via: "SIP/2.0/UDP 192.0.2.1", from: "<sip:a@b>;tag=1", to: "<sip:x@y>", "call-id": "c", cseq: "1 OPTIONS" } });
    expect(serverKey(noBranch)).toMatch(/^2543/);
  });
});

describe("client keys (§17.1.3)", () => {
  it("are branch + CSeq method of the response", () => {
    const req = incoming("MESSAGE", "z9hG4bKcli");
    expect(clientKeyOfResponse(responseTo(req, 200))).toBe(clientKey("z9hG4bKcli", "MESSAGE"));
  });
});

describe("merge keys (§8.2.2.2)", () => {
  it("exist only for requests without a To tag", () => {
    expect(mergeKey(incoming("MESSAGE", "z9hG4bK1"))).toBeDefined();
    expect(mergeKey(incoming("MESSAGE", "z9hG4bK1", { toTag: "t" }))).toBeUndefined();
    expect(mergeKey(incoming("ACK", "z9hG4bK1"))).toBeUndefined();
  });
});
