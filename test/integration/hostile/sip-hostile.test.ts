// Hostile SIP input against a running gateway (real Prosody, the gateway in-process, UDP and TCP on
// loopback): each case asserts the exact answer and the log line, and that a normal MESSAGE is still
// relayed afterwards. Raw sockets, because SIPp and sip.js refuse to send most of these.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import pino from "pino";
import { startDeployment, type Deployment } from "../../support/gateway-harness.js";
import type { TestXmppClient } from "../../support/xmpp-client.js";
import { request, tcpExchange, udpPeer, type UdpPeer } from "./raw-sip.js";
import { fixtureNames, lfArchiveToWire, readFixture } from "../../unit/sip/message/torture-support.js";

interface LogLine { readonly level: number; readonly msg: string; readonly status?: number; readonly reason?: string; readonly why?: string }

describe("hostile SIP input", () => {
  let d: Deployment;
  let alice: TestXmppClient;
  let udp: UdpPeer;
  const logs: LogLine[] = [];
  const logged = (msg: string, extra: Partial<LogLine> = {}) =>
    logs.some((l) => l.msg === msg && Object.entries(extra).every(([k, v]) => (l as unknown as Record<string, unknown>)[k] === v));
  let relayed = 0;

  /** The liveness check after every case: a plain MESSAGE over `transport` still reaches alice. */
  async function stillServes(transport: "UDP" | "TCP" = "UDP"): Promise<void> {
    const text = `still alive ${++relayed}`;
    const bytes = request({ body: text, transport, port: udp.port });
    const callId = /Call-ID: ([^\r]*)/.exec(bytes.toString("utf8"))?.[1];
    await new Promise((r) => setTimeout(r, 100)); // late answers to the previous case's requests land first
    const rs = transport === "UDP" ? await udp.exchange(bytes, d.sipPort, { callId }) : (await tcpExchange(d.sipPort, [bytes])).responses;
    expect(rs.filter((r) => r.header("Call-ID") === callId).map((r) => r.status)).toEqual([200]);
    await alice.waitForStanza((el) => el.name === "message" && el.getChildText("body") === text, 5000);
  }

  beforeAll(async () => {
    const logger = pino({ level: "info" }, { write: (s: string) => void logs.push(JSON.parse(s) as LogLine) });
    d = await startDeployment({ users: ["alice"], logger, config: (base) => ({ ...base, sip: { ...base.sip, limits: { ...base.sip.limits, maxMessageBytes: 16_384 } } }) });
    alice = await d.client("alice");
    udp = await udpPeer();
  }, 30_000);
  afterAll(async () => {
    udp?.close();
    await d?.stop();
  });

  it("drops garbage datagrams with a log line and no answer", async () => {
    const garbage = [Buffer.from([0, 1, 2, 255, 254, 13, 10]), Buffer.from("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), Buffer.from("\r\n\r\n\r\n"), Buffer.alloc(1200, 0x41), Buffer.from("SIP/2.0 200 OK\r\n\r\n")];
    for (const g of garbage) expect(await udp.exchange(g, d.sipPort, { ms: 300 })).toEqual([]);
    expect(logged("unparseable SIP message dropped")).toBe(true);
    await stillServes();
  });

  it("answers a malformed Request-URI 400 and an unsupported URI scheme 416", async () => {
    const bad = await udp.exchange(request({ uri: "sip:alice@@xmpp.example", port: udp.port }), d.sipPort);
    expect(bad.map((r) => r.status)).toEqual([400]);
    const scheme = await udp.exchange(request({ uri: "http://xmpp.example/alice", port: udp.port }), d.sipPort);
    expect(scheme.map((r) => `${r.status} ${r.reason}`)).toEqual(["416 Unsupported URI Scheme"]);
    expect(logged("malformed SIP request answered", { status: 400 })).toBe(true);
    await stillServes();
  });

  it("answers an unknown method 501 and a known unsupported one 405, both with Allow", async () => {
    const [unknown] = await udp.exchange(request({ method: "FROBNICATE", port: udp.port }), d.sipPort);
    expect(unknown?.status).toBe(501);
    expect(unknown?.header("Allow")).toContain("MESSAGE");
    const [info] = await udp.exchange(request({ method: "INFO", port: udp.port }), d.sipPort);
    expect(info?.status).toBe(405);
    expect(info?.header("Allow")).toContain("MESSAGE");
    await stillServes();
  });

  it("answers SUBSCRIBE for an unknown event package, and for presence.winfo, 489 with Allow-Events", async () => {
    for (const event of ["frobnication", "presence.winfo"]) {
      const [r] = await udp.exchange(request({
        method: "SUBSCRIBE", uri: "sip:alice@xmpp.example", port: udp.port,
        headers: { Event: event, Expires: "600", Contact: `<sip:bob@127.0.0.1:${udp.port}>` },
      }), d.sipPort);
      expect([event, r?.status]).toEqual([event, 489]);
      expect(r?.header("Allow-Events")).toBe("presence");
    }
    await stillServes();
  });

  it("answers an oversized UDP request 513 (RFC 3261 §21.5.14) when its header is readable", async () => {
    const rs = await udp.exchange(request({ body: "x".repeat(20_000), port: udp.port }), d.sipPort);
    expect(rs.map((r) => r.status)).toEqual([513]);
    expect(logged("malformed SIP request answered", { status: 513 })).toBe(true);
    await stillServes();
  });

  it("answers an oversized TCP message 513 and closes the connection (the stream cannot be framed further)", async () => {
    const r = await tcpExchange(d.sipPort, [request({ transport: "TCP", body: "y".repeat(20_000) })], { untilClosed: true });
    expect(r.responses.map((x) => x.status)).toEqual([513]);
    await new Promise((res) => setTimeout(res, 200));
    expect(r.closed).toBe(true);
    await stillServes("TCP");
  });

  it("refuses a 10 MB MESSAGE over TCP from its Content-Length, without reading the body", async () => {
    const head = request({ transport: "TCP", headers: { "Content-Length": String(10 * 1024 * 1024) }, contentType: "text/plain" });
    const chunk = Buffer.alloc(64 * 1024, 0x7a);
    const before = process.memoryUsage().rss;
    const r = await tcpExchange(d.sipPort, [head, ...Array.from({ length: 160 }, () => chunk)], { ms: 5000, count: 1, untilClosed: true });
    expect(r.responses.map((x) => x.status)).toEqual([513]);
    expect(r.closed).toBe(true);
    // The framer never holds more than the limit; 10 MB would show (loose bound: the test process is shared).
    expect(process.memoryUsage().rss - before).toBeLessThan(40 * 1024 * 1024);
    await stillServes("TCP");
  });

  it("closes a TCP connection that streams 10 MB without ever ending a header section", async () => {
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    const r = await tcpExchange(d.sipPort, [Buffer.from("MESSAGE sip:alice@xmpp.example SIP/2.0\r\nX-Junk: "), ...Array.from({ length: 160 }, () => chunk)], { ms: 5000, untilClosed: true });
    expect(r.responses).toEqual([]);
    expect(r.closed).toBe(true);
    expect(r.written).toBeLessThan(10 * 1024 * 1024);
    expect(logged("unparseable SIP message dropped", { status: 513 })).toBe(true);
    await stillServes("TCP");
  });

  it("answers a billion-laughs isComposing body 400 at once (DOCTYPE refused, nothing expanded)", async () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? "" : i};`.repeat(10)}">`).join("")}]><isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"><state>&lol9;</state></isComposing>`;
    const t0 = Date.now();
    const rs = await udp.exchange(request({ body: laughs, contentType: "application/im-iscomposing+xml", port: udp.port }), d.sipPort);
    expect(rs.map((r) => r.status)).toEqual([400]);
    expect(Date.now() - t0).toBeLessThan(2000);
    await stillServes();
  });

  it("answers a MESSAGE for a domain that is not ours 404, and one with a spoofed From 403", async () => {
    const [foreign] = await udp.exchange(request({ uri: "sip:alice@elsewhere.example", port: udp.port }), d.sipPort);
    expect(foreign?.status).toBe(404);
    const [spoofed] = await udp.exchange(request({ from: "sip:alice@xmpp.example", port: udp.port }), d.sipPort);
    expect(spoofed?.status).toBe(403);
    const [foreignFrom] = await udp.exchange(request({ from: "sip:mallory@evil.example", port: udp.port }), d.sipPort);
    expect(foreignFrom?.status).toBe(403);
    expect(logged("MESSAGE refused", { status: 403 })).toBe(true);
    await stillServes();
  });

  it("survives a replay of every RFC 4475 torture message over UDP, logging nothing at error level", async () => {
    const names = fixtureNames();
    expect(names.length).toBeGreaterThan(50);
    // Their Vias name 192.0.2.x hosts, so answers go there (RFC 3261 §18.2.2), not to us: what is
    // checked here is that each one was read (answered or logged) and the gateway stays up.
    for (const name of names) await udp.exchange(lfArchiveToWire(readFixture(name)), d.sipPort, { ms: 50, count: 0 });
    await stillServes();
    expect(logs.filter((l) => l.level >= 50).map((l) => l.msg)).toEqual([]);
  });
});
