// The stack's UDP and TCP listeners fed raw bytes from node sockets: retransmissions, malformed
// input, stream framing errors, the per-IP rate limit.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { createSocket, type Socket } from "node:dgram";
import { connect } from "node:net";
import pino from "pino";
import { parseMessage } from "../../../src/sip/message/parse.js";
import { createSipStack, type SipStack } from "../../../src/sip/stack.js";

const logger = pino({ level: "silent" });

function rawRequest(branch: string, opts: { method?: string; callId?: string; extra?: string; body?: string } = {}): Buffer {
  const method = opts.method ?? "MESSAGE";
  const body = opts.body ?? "hi";
  return Buffer.from(
    `${method} sip:bob@127.0.0.1 SIP/2.0\r\n` +
    `Via: SIP/2.0/UDP 127.0.0.1:9999;rport;branch=${branch}\r\n` + // rport: answer to our real port (RFC 3581)
    `Max-Forwards: 70\r\nFrom: <sip:alice@127.0.0.1>;tag=ft-${branch}\r\nTo: <sip:bob@127.0.0.1>\r\n` +
    `Call-ID: ${opts.callId ?? branch}@test\r\nCSeq: 1 ${method}\r\n${opts.extra ?? ""}Content-Type: text/plain\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

/** A UDP client socket that collects datagrams. */
async function udpClient(): Promise<{ sock: Socket; got: string[]; close: () => void }> {
  const sock = createSocket("udp4");
  const got: string[] = [];
  sock.on("message", (m) => got.push(m.toString()));
  await new Promise<void>((r) => sock.bind(0, "127.0.0.1", () => r()));
  return { sock, got, close: () => sock.close() };
}

async function until(check: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("raw input to the stack", () => {
  let stack: SipStack;
  let limited: SipStack;
  const handled: string[] = [];
  beforeAll(async () => {
    stack = createSipStack({ listen: [{ transport: "UDP", host: "127.0.0.1", port: 0 }, { transport: "TCP", host: "127.0.0.1", port: 0 }], logger });
    limited = createSipStack({ listen: [{ transport: "UDP", host: "127.0.0.1", port: 0 }], logger, limits: { rateLimit: { ratePerSecond: 1, burst: 5, retryAfterSeconds: 7 } } });
    await stack.start();
    await limited.start();
    for (const s of [stack, limited]) s.onRequest((tx) => { handled.push(tx.request.headers.get("call-id") ?? ""); tx.respond(200); });
  });
  afterAll(async () => {
    await stack.close();
    await limited.close();
  });

  it("delivers a UDP retransmission (same bytes twice) once and answers both copies 200", async () => {
    const c = await udpClient();
    const bytes = rawRequest("z9hG4bK-retx-1");
    const port = stack.localContact("UDP").port;
    c.sock.send(bytes, port, "127.0.0.1");
    await until(() => c.got.length === 1);
    c.sock.send(bytes, port, "127.0.0.1");
    await until(() => c.got.length === 2);
    c.close();
    expect(handled.filter((h) => h === "z9hG4bK-retx-1@test")).toHaveLength(1);
    expect(c.got.map((g) => g.split("\r\n")[0])).toEqual(["SIP/2.0 200 OK", "SIP/2.0 200 OK"]);
    // Both copies get the same response bytes (same To tag): the server transaction re-sent it.
    expect(c.got[1]).toBe(c.got[0]);
  });

  it("answers a malformed request with the parser's 400 and keeps serving", async () => {
    const c = await udpClient();
    const port = stack.localContact("UDP").port;
    const bad = Buffer.from(rawRequest("z9hG4bK-bad").toString().replace("CSeq: 1 MESSAGE", "CSeq: 1 OPTIONS"));
    c.sock.send(bad, port, "127.0.0.1");
    await until(() => c.got.length === 1);
    const verdict = parseMessage(bad);
    expect(verdict.ok).toBe(false);
    // The exact status line the parser chose goes back on the wire.
    if (!verdict.ok) expect(c.got[0]!.split("\r\n")[0]).toBe(`SIP/2.0 ${verdict.error.status} ${verdict.error.reason}`);
    c.sock.send(Buffer.from("garbage that is not SIP\r\n\r\n"), port, "127.0.0.1"); // unanswerable: dropped
    c.sock.send(rawRequest("z9hG4bK-after-bad"), port, "127.0.0.1");
    await until(() => c.got.length === 2);
    c.close();
    expect(c.got[1]).toMatch(/^SIP\/2\.0 200 OK/);
  });

  it("answers 505 to an unsupported SIP version", async () => {
    const c = await udpClient();
    c.sock.send(Buffer.from(rawRequest("z9hG4bK-v3").toString().replace("sip:bob@127.0.0.1 SIP/2.0", "sip:bob@127.0.0.1 SIP/3.0")), stack.localContact("UDP").port, "127.0.0.1");
    await until(() => c.got.length === 1);
    c.close();
    expect(c.got[0]).toMatch(/^SIP\/2\.0 505/);
  });

  it("on TCP answers a stream without Content-Length with 400 and closes the connection", async () => {
    const sock = connect(stack.localContact("TCP").port, "127.0.0.1");
    let data = "";
    sock.on("data", (d) => { data += d.toString(); });
    const closed = new Promise<void>((r) => sock.on("close", () => r()));
    const noLength = rawRequest("z9hG4bK-tcp-nolen").toString().replace("SIP/2.0/UDP", "SIP/2.0/TCP").replace(/Content-Length: \d+\r\n/, "");
    sock.write(noLength);
    await closed;
    expect(data).toMatch(/^SIP\/2\.0 400 Bad Request/);
  });

  it("rate-limits per source IP: burst accepted, one 503 with Retry-After, then silence", async () => {
    const c = await udpClient();
    const port = limited.localContact("UDP").port;
    for (let i = 0; i < 8; i++) c.sock.send(rawRequest(`z9hG4bK-rl-${i}`), port, "127.0.0.1");
    await until(() => c.got.length >= 6);
    await new Promise((r) => setTimeout(r, 200)); // any further (wrong) answers would arrive now
    c.close();
    const lines = c.got.map((g) => g.split("\r\n")[0]);
    expect(lines.filter((l) => l === "SIP/2.0 200 OK")).toHaveLength(5);
    expect(lines.filter((l) => l?.startsWith("SIP/2.0 503"))).toHaveLength(1);
    expect(c.got.find((g) => g.startsWith("SIP/2.0 503"))).toMatch(/Retry-After: 7/i);
  });
});
