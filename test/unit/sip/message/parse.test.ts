import { describe, it, expect } from "@jest/globals";
import { parseMessage } from "../../../../src/sip/message/parse.js";
import type { ParseResult, SipMessage } from "../../../../src/sip/message/types.js";
import { notify, PIDF } from "./sample-messages.js";

const bytes = (s: string): Buffer => Buffer.from(s, "utf8");
function ok(r: ParseResult): SipMessage {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.status} ${r.error.reason}`);
  return r.message;
}
function err(r: ParseResult) {
  if (r.ok) throw new Error("expected an error");
  return r.error;
}

const base = (over: Record<string, string | null> = {}, start = "OPTIONS sip:bob@example.com SIP/2.0", body = ""): Buffer => {
  const fields: Record<string, string | null> = {
    Via: "SIP/2.0/UDP host.example.com;branch=z9hG4bKabc",
    "Max-Forwards": "70",
    To: "<sip:bob@example.com>",
    From: "<sip:alice@example.com>;tag=1",
    "Call-ID": "x1@host",
    CSeq: "1 OPTIONS",
    ...over,
  };
  const lines = Object.entries(fields).filter(([, v]) => v !== null).map(([k, v]) => `${k}: ${v}`);
  return bytes(`${start}\r\n${lines.join("\r\n")}\r\n\r\n${body}`);
};

describe("parseMessage", () => {
  it("parses a NOTIFY with a UTF-8 PIDF body, counting Content-Length in bytes", () => {
    const m = ok(parseMessage(bytes(notify())));
    expect(m.kind).toBe("request");
    if (m.kind !== "request") return;
    expect(m.method).toBe("NOTIFY");
    expect(m.uri).toBe("sip:bob@192.0.2.4:5060;transport=udp");
    expect(Buffer.from(m.body).toString("utf8")).toBe(PIDF);
    expect(m.body.length).toBe(Buffer.byteLength(PIDF));
    expect(m.body.length).toBeGreaterThan(PIDF.length); // the em dash and Ä are multi-byte
    expect(m.headers.get("from")).toBe(`"Alice Ä" <sip:alice@example.com>;tag=a73kszlfl`);
    expect(m.headers.get("subscription-state")).toBe("active;expires=3599");
  });

  it("expands compact forms, unfolds continuation lines, splits list headers", () => {
    const raw = "INVITE sip:b@example.com SIP/2.0\r\nv: SIP/2.0/UDP a;branch=z9hG4bK1,\r\n SIP/2.0/TCP b;branch=z9hG4bK2\r\n"
      + "Via: SIP/2.0/UDP c;branch=z9hG4bK3\r\nf: <sip:a@example.com>;tag=9\r\nt: sip:b@example.com\r\ni: c@x\r\n"
      + "CSeq: 2\r\n  INVITE\r\nMax-Forwards: 70\r\nSubject: hello,\r\n\tworld\r\nl: 0\r\n\r\n";
    const m = ok(parseMessage(bytes(raw)));
    expect(m.headers.getAll("via")).toEqual(["SIP/2.0/UDP a;branch=z9hG4bK1", "SIP/2.0/TCP b;branch=z9hG4bK2", "SIP/2.0/UDP c;branch=z9hG4bK3"]);
    expect(m.headers.get("cseq")).toBe("2 INVITE");
    expect(m.headers.getAll("subject")).toEqual(["hello, world"]);
    expect(m.headers.get("call-id")).toBe("c@x");
  });

  it("keeps the WWW-Authenticate challenge whole", () => {
    const m = ok(parseMessage(bytes("SIP/2.0 401 Unauthorized\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nTo: <sip:a@b>;tag=2\r\nFrom: <sip:a@b>;tag=1\r\n"
      + "Call-ID: c\r\nCSeq: 1 REGISTER\r\nWWW-Authenticate: Digest realm=\"b\", nonce=\"x,y\", algorithm=MD5\r\nContent-Length: 0\r\n\r\n")));
    expect(m.headers.getAll("www-authenticate")).toEqual([`Digest realm="b", nonce="x,y", algorithm=MD5`]);
  });

  it("takes the rest of a datagram as the body without Content-Length, drops bytes past it (RFC 3261 §18.3)", () => {
    expect(Buffer.from(ok(parseMessage(base({}, undefined, "hello"))).body).toString()).toBe("hello");
    expect(Buffer.from(ok(parseMessage(base({ "Content-Length": "3" }, undefined, "hello"))).body).toString()).toBe("hel");
  });

  it("ends the header section at the first blank line, bare LF or CRLF, whatever the body holds", () => {
    const lf = base().toString().replace(/\r\n/g, "\n").replace(/\n\n$/, "\n\nbody\r\n\r\nmore");
    expect(Buffer.from(ok(parseMessage(bytes(lf))).body).toString()).toBe("body\r\n\r\nmore");
    const mixed = base().toString().replace(/\r\n\r\n$/, "\n\r\n\r\nX");
    expect(Buffer.from(ok(parseMessage(bytes(mixed))).body).toString()).toBe("\r\nX");
  });

  it("ignores leading CRLFs (RFC 3261 §7.5)", () => {
    expect(ok(parseMessage(Buffer.concat([bytes("\r\n\r\n"), base()]))).kind).toBe("request");
  });

  it.each<[string, number, string, boolean, Buffer]>([
    ["missing Via", 400, "Bad Request - Missing Via", false, base({ Via: null })],
    ["missing Call-ID", 400, "Bad Request - Missing Call-ID", true, base({ "Call-ID": null })],
    ["malformed Via", 400, "Bad Request - Malformed Via", false, base({ Via: "SIP/2.0/UDP" })],
    ["CSeq mismatch", 400, "Bad Request - CSeq Method Mismatch", true, base({ CSeq: "1 INVITE" })],
    ["bad CSeq", 400, "Bad Request - Malformed CSeq", true, base({ CSeq: "x OPTIONS" })],
    ["bad Max-Forwards", 400, "Bad Request - Malformed Max-Forwards", true, base({ "Max-Forwards": "ten" })],
    ["SIP/3.0", 505, "Version Not Supported", true, base({}, "OPTIONS sip:bob@example.com SIP/3.0")],
    ["two spaces", 400, "Bad Request - Malformed Request-Line", true, base({}, "OPTIONS  sip:bob@example.com SIP/2.0")],
    ["space in URI", 400, "Bad Request - Malformed Request-Line", true, base({}, "OPTIONS sip:bob@exa mple.com SIP/2.0")],
    ["bad sip URI", 400, "Bad Request - Malformed Request-URI", true, base({}, "OPTIONS sip:bob@[::1 SIP/2.0")],
    ["negative length", 400, "Bad Request - Malformed Content-Length", true, base({ "Content-Length": "-1" })],
    ["long body claim", 400, "Bad Request - Content-Length Exceeds Message", true, base({ "Content-Length": "10" }, undefined, "abc")],
    ["line without colon", 400, "Bad Request - Malformed Header Line", true, bytes(base().toString().replace("Max-Forwards: 70", "Max-Forwards 70"))],
    ["bad header name", 400, "Bad Request - Malformed Header Name", true, base({ "X(y)": "1" })],
  ])("%s → %i %s", (_name, status, reason, answerable, input) => {
    const e = err(parseMessage(input));
    expect(e.status).toBe(status);
    expect(e.reason).toBe(reason);
    expect(e.answerable).toBe(answerable);
    if (answerable) expect(e.partial?.method).toBe("OPTIONS");
  });

  it("refuses responses it cannot trust without answering them", () => {
    const e = err(parseMessage(bytes("SIP/2.0 2000 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n\r\n")));
    expect(e).toMatchObject({ status: 400, answerable: false });
    expect(e.partial).toBeUndefined();
  });

  it("enforces maxBytes with 513", () => {
    expect(err(parseMessage(bytes(notify()), { maxBytes: 100 }))).toMatchObject({ status: 513, answerable: false });
  });

  it("never throws on junk", () => {
    for (const junk of ["", "\r\n", "SIP/2.0", "A B C\r\n\r\n", ":\r\n\r\n", "\u0000\u0001\r\n\r\n", " x: y\r\n\r\n"]) {
      expect(parseMessage(bytes(junk)).ok).toBe(false);
    }
  });
});
