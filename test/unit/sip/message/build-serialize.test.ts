import { describe, it, expect } from "@jest/globals";
import { parseMessage } from "../../../../src/sip/message/parse.js";
import { serializeMessage } from "../../../../src/sip/message/serialize.js";
import { createRequest, createResponse } from "../../../../src/sip/message/build.js";
import { newBranch, newCallId, newTag } from "../../../../src/sip/message/ids.js";
import { getTag } from "../../../../src/sip/message/name-addr.js";
import { reasonPhrase } from "../../../../src/sip/message/reason-phrases.js";
import type { SipRequest } from "../../../../src/sip/message/types.js";
import { notify } from "./sample-messages.js";

function request(raw: string): SipRequest {
  const r = parseMessage(Buffer.from(raw));
  if (!r.ok || r.message.kind !== "request") throw new Error("fixture did not parse");
  return r.message;
}

describe("serializeMessage", () => {
  it("writes long-form names, one Via per line, joined list headers, and recomputes Content-Length", () => {
    const req = request(notify());
    req.headers.append("supported", "eventlist");
    req.headers.append("k", "timer");
    req.headers.append("v", "SIP/2.0/TCP second.example.com;branch=z9hG4bK2");
    req.body = Buffer.from("é");
    const text = serializeMessage(req).toString("utf8");
    expect(text).toMatch(/^NOTIFY sip:bob@192\.0\.2\.4:5060;transport=udp SIP\/2\.0\r\n/);
    expect(text).toContain("\r\nCall-ID: a84b4c76e66710@gw.example.com\r\n");
    expect(text).toContain("\r\nCSeq: 314159 NOTIFY\r\n");
    expect(text).toContain("\r\nSupported: eventlist, timer\r\n");
    expect(text.match(/\r\nVia: /g)).toHaveLength(2);
    expect(text.endsWith("\r\nContent-Length: 2\r\n\r\né")).toBe(true);
    expect(text.match(/Content-Length/g)).toHaveLength(1);
  });

  it("cannot be made to inject header lines", () => {
    const req = createRequest({ method: "MESSAGE", uri: "sip:a@b", headers: { subject: "hi\r\nEvil: 1" } });
    const text = serializeMessage(req).toString();
    expect(text).toContain("Subject: hi  Evil: 1\r\n");
    expect(text).not.toContain("\r\nEvil:");
  });

  it("round-trips through the parser", () => {
    const req = request(notify());
    const again = parseMessage(serializeMessage(req));
    expect(again.ok).toBe(true);
    if (!again.ok || again.message.kind !== "request") return;
    expect(again.message.method).toBe("NOTIFY");
    expect(Buffer.from(again.message.body).equals(Buffer.from(req.body))).toBe(true);
    for (const name of req.headers.names()) expect(again.message.headers.getAll(name)).toEqual(req.headers.getAll(name));
  });
});

describe("createResponse (RFC 3261 §8.2.6)", () => {
  const raw = "INVITE sip:b@example.com SIP/2.0\r\nVia: SIP/2.0/UDP p1;branch=z9hG4bK1\r\nVia: SIP/2.0/UDP ua;branch=z9hG4bK0\r\n"
    + "From: <sip:a@example.com>;tag=f1\r\nTo: <sip:b@example.com>\r\nCall-ID: c1\r\nCSeq: 7 INVITE\r\nMax-Forwards: 69\r\n"
    + "Timestamp: 54\r\nContact: <sip:a@ua>\r\nContent-Length: 0\r\n\r\n";

  it("copies Via list, From, Call-ID, CSeq and tags To", () => {
    const res = createResponse(request(raw), 486, undefined, { toTag: "t9", headers: { "retry-after": "30" } });
    expect(res.reason).toBe("Busy Here");
    expect(res.headers.getAll("via")).toEqual(["SIP/2.0/UDP p1;branch=z9hG4bK1", "SIP/2.0/UDP ua;branch=z9hG4bK0"]);
    expect(res.headers.get("to")).toBe("<sip:b@example.com>;tag=t9");
    expect(res.headers.get("from")).toBe("<sip:a@example.com>;tag=f1");
    expect(res.headers.get("cseq")).toBe("7 INVITE");
    expect(res.headers.get("retry-after")).toBe("30");
    expect(res.headers.has("contact")).toBe(false);
    expect(res.headers.has("max-forwards")).toBe(false);
  });

  it("adds no tag to 100 but copies Timestamp; mints a tag otherwise; keeps an existing tag", () => {
    const trying = createResponse(request(raw), 100);
    expect(getTag(trying.headers.get("to")!)).toBeUndefined();
    expect(trying.headers.get("timestamp")).toBe("54");
    const ok = createResponse(request(raw), 200, "Fine", { body: "x", contentType: "text/plain" });
    expect(getTag(ok.headers.get("to")!)).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(ok.reason).toBe("Fine");
    expect(ok.headers.get("content-type")).toBe("text/plain");
    const tagged = createResponse(request(raw.replace("To: <sip:b@example.com>", "To: <sip:b@example.com>;tag=old")), 200, undefined, { toTag: "new" });
    expect(tagged.headers.get("to")).toBe("<sip:b@example.com>;tag=old");
  });

  it("serialises into a message the parser accepts", () => {
    const res = createResponse(request(raw), 200);
    const r = parseMessage(serializeMessage(res));
    expect(r.ok && r.message.kind === "response" && r.message.status).toBe(200);
  });
});

describe("createRequest and ids", () => {
  it("defaults Max-Forwards and sets the body", () => {
    const req = createRequest({ method: "MESSAGE", uri: "sip:b@example.com", headers: { to: "<sip:b@example.com>" }, body: "hi", contentType: "text/plain" });
    expect(req.headers.get("max-forwards")).toBe("70");
    expect(Buffer.from(req.body).toString()).toBe("hi");
  });
  it("mints distinct, well-formed ids", () => {
    const tags = new Set(Array.from({ length: 2000 }, () => newTag()));
    expect(tags.size).toBe(2000);
    expect(newBranch()).toMatch(/^z9hG4bK[A-Za-z0-9_-]{20}$/);
    expect(newCallId("gw.example.com")).toMatch(/^[A-Za-z0-9_-]{24}@gw\.example\.com$/);
  });
  it("knows reason phrases", () => {
    expect(reasonPhrase(489)).toBe("Bad Event");
    expect(reasonPhrase(499)).toBe("Client Error");
  });
});
