import { describe, it, expect } from "@jest/globals";
import { Writable } from "node:stream";
import { createLogger, bodyForLog, sipTextForLog, REDACTED } from "../../../src/observability/logger.js";

function capture(): { stream: Writable; lines: () => Record<string, unknown>[]; raw: () => string } {
  let buf = "";
  const stream = new Writable({ write(chunk: Buffer, _enc, cb) { buf += chunk.toString(); cb(); } });
  return { stream, raw: () => buf, lines: () => buf.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe("createLogger", () => {
  it("redacts secrets, passwords, TLS keys and Authorization headers in real log lines", () => {
    const out = capture();
    const log = createLogger({ level: "info", bodies: false }, { destination: out.stream });
    log.info({ component: { domain: "sip.example", secret: "comp-secret" } }, "component");
    log.info({ config: { sip: { register: { password: "reg-pass" } }, tls: { key: "-----BEGIN PRIVATE KEY-----" } } }, "config");
    log.info({ headers: { authorization: 'Digest username="u", response="abc"', "proxy-authorization": "Digest p" } }, "request");
    log.info({ store: { redisUrl: "redis://:pw@r:6379" } }, "store");
    const raw = out.raw();
    for (const s of ["comp-secret", "reg-pass", "BEGIN PRIVATE KEY", "response=", "Digest p", ":pw@"]) expect(raw).not.toContain(s);
    const [first, second, third] = out.lines();
    expect(first).toMatchObject({ msg: "component", component: { domain: "sip.example", secret: REDACTED } });
    expect(second).toMatchObject({ config: { sip: { register: { password: REDACTED } }, tls: { key: REDACTED } } });
    expect(third).toMatchObject({ headers: { authorization: REDACTED, "proxy-authorization": REDACTED } });
  });

  it("honours the configured level", () => {
    const out = capture();
    const log = createLogger({ level: "warn", bodies: false }, { destination: out.stream });
    log.info("hidden");
    log.warn("shown");
    expect(out.lines().map((l) => l.msg)).toEqual(["shown"]);
  });
});

describe("bodyForLog / sipTextForLog", () => {
  const bytes = new TextEncoder().encode("hello wörld");
  it("logs only the size of a body unless log.bodies is on", () => {
    expect(bodyForLog(bytes, { bodies: false })).toBe("[12 bytes]");
    expect(bodyForLog(bytes, { bodies: true })).toBe("hello wörld");
    expect(bodyForLog("x".repeat(5000), { bodies: true })).toMatch(/^x{4096}…\[5000 bytes\]$/);
  });

  it("masks credential headers in raw SIP text and applies the body rule", () => {
    const raw = "MESSAGE sip:bob@sip.example SIP/2.0\r\nAuthorization: Digest username=\"a\", response=\"x\"\r\nproxy-authorization:Digest y\r\nContent-Length: 2\r\n\r\nhi";
    const off = sipTextForLog(raw, { bodies: false });
    expect(off).toBe(`MESSAGE sip:bob@sip.example SIP/2.0\r\nAuthorization: ${REDACTED}\r\nproxy-authorization: ${REDACTED}\r\nContent-Length: 2\r\n\r\n[2 bytes]`);
    expect(sipTextForLog(raw, { bodies: true }).endsWith("\r\n\r\nhi")).toBe(true);
  });
});
