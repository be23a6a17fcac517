// The endpoint as RFC 6665 notifier against SIPp subscribers on loopback: SUBSCRIBE → 200 → NOTIFY →
// refresh → Expires: 0 → terminated NOTIFY, over UDP, one TCP connection (-t t1) and one TCP
// connection per dialog (-t tn); and a retransmitted initial SUBSCRIBE over UDP.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { createSocket } from "node:dgram";
import { fileURLToPath } from "node:url";
import pino from "pino";
import { createSipEndpoint, type SipEndpoint, type SubscriptionEnded } from "../../../src/sip/endpoint.js";
import { freePort, waitFor } from "../../support/peers/process.js";
import { describeSipp, runSipp } from "../../support/peers/sipp.js";

const scenario = fileURLToPath(new URL("../scenarios/dialog-subscribe-uac.xml", import.meta.url));
const logger = pino({ level: process.env.STOX_TEST_LOG ?? "silent" });
const pidf = (entity: string) => `<?xml version="1.0"?><presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${entity}"><tuple id="t"><status><basic>open</basic></status></tuple></presence>`;

describe("notifier against SIPp subscribers", () => {
  let ep: SipEndpoint;
  let port: number;
  let authorised = 0;
  const ended: SubscriptionEnded[] = [];
  beforeAll(async () => {
    port = await freePort();
    ep = createSipEndpoint({
      listen: [{ transport: "UDP", host: "127.0.0.1", port }, { transport: "TCP", host: "127.0.0.1", port }],
      stackOptions: { limits: { maxConnections: 5000 } },
    }, logger);
    ep.onSubscribe("presence", (ctx) => {
      authorised++;
      const sub = ctx.accept("active", pidf(ctx.resource), "application/pidf+xml");
      sub.onTerminated((e) => ended.push(e));
    });
    await ep.start();
  });
  afterAll(async () => { await ep.close(); }, 20_000);

  for (const transport of ["u1", "t1"] as const) {
    it(`runs the full subscription life cycle over ${transport === "u1" ? "UDP" : "one TCP connection"}`, async () => {
      const before = ended.length;
      const r = await runSipp({ scenario, remote: `127.0.0.1:${port}`, transport, calls: 20, rate: 50, service: "alice", timeoutS: 30, extraArgs: ["-d", "50"] });
      if (r.exitCode !== 0) throw new Error(describeSipp(r));
      expect(r.stats["SuccessfulCall(C)"]).toBe("20");
      await waitFor("20 unsubscribes", () => ended.length - before === 20);
      expect(ended.slice(before).every((e) => e.by === "subscriber" && e.reason === "unsubscribed")).toBe(true);
      expect(ep.counts().notifier).toBe(0);
    }, 60_000);
  }

  for (const transport of ["t1", "tn"] as const) {
    it(`holds 2000 concurrent dialogs over ${transport === "t1" ? "one TCP connection" : "a TCP connection each"}, each NOTIFY on its own connection`, async () => {
      let peak = 0;
      const probe = setInterval(() => { peak = Math.max(peak, ep.counts().notifier); }, 50);
      const r = await runSipp({
        scenario, remote: `127.0.0.1:${port}`, transport, calls: 2000, rate: 1000, limit: 2000, service: "alice",
        timeoutS: 60, extraArgs: ["-d", "4000", "-max_socket", "4000"],
      });
      clearInterval(probe);
      if (r.exitCode !== 0) throw new Error(describeSipp(r));
      expect({ exit: r.exitCode, ok: r.stats["SuccessfulCall(C)"], failed: r.stats["FailedCall(C)"] }).toEqual({ exit: 0, ok: "2000", failed: "0" });
      expect(peak).toBeGreaterThanOrEqual(1500);
    }, 90_000);
  }

  it("creates one subscription for a retransmitted initial SUBSCRIBE over UDP", async () => {
    const before = authorised;
    const sock = createSocket("udp4");
    await new Promise<void>((r) => sock.bind(0, "127.0.0.1", () => r()));
    const lport = sock.address().port;
    const received: string[] = [];
    sock.on("message", (m, rinfo) => {
      const text = m.toString();
      received.push(text);
      if (!text.startsWith("NOTIFY")) return;
      // Answer NOTIFYs 200 by copying the transaction headers (RFC 3261 §8.2.6).
      const copy = text.split("\r\n").filter((l) => /^(Via|From|To|Call-ID|CSeq):/i.test(l));
      sock.send(["SIP/2.0 200 OK", ...copy, "Content-Length: 0", "", ""].join("\r\n"), rinfo.port, rinfo.address);
    });
    const msg = [
      `SUBSCRIBE sip:bob@127.0.0.1:${port} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${lport};branch=z9hG4bK-retrans-1;rport`,
      "Max-Forwards: 70",
      `From: <sip:w@127.0.0.1:${lport}>;tag=rt1`,
      `To: <sip:bob@127.0.0.1:${port}>`,
      "Call-ID: retrans-subscribe-1",
      "CSeq: 1 SUBSCRIBE",
      `Contact: <sip:w@127.0.0.1:${lport}>`,
      "Event: presence",
      "Expires: 60",
      "Content-Length: 0", "", "",
    ].join("\r\n");
    sock.send(msg, port, "127.0.0.1");
    sock.send(msg, port, "127.0.0.1");
    await waitFor("200 and NOTIFY", () => received.some((m) => m.startsWith("NOTIFY")) && received.some((m) => m.startsWith("SIP/2.0 200")));
    await new Promise((r) => setTimeout(r, 300));
    sock.send(msg, port, "127.0.0.1"); // a late retransmission is answered from the transaction
    await new Promise((r) => setTimeout(r, 300));
    expect(authorised - before).toBe(1);
    expect(received.filter((m) => m.startsWith("NOTIFY")).length).toBeGreaterThanOrEqual(1);
    const toTags = new Set(received.filter((m) => m.startsWith("SIP/2.0 200")).map((m) => /^To:.*tag=([^;\r\n]+)/im.exec(m)?.[1]));
    expect(toTags.size).toBe(1); // the same answer every time: one dialog
    // Unsubscribe in the dialog and see the final NOTIFY, leaving nothing behind.
    const toTag = [...toTags][0]!;
    sock.send(msg.replace("z9hG4bK-retrans-1", "z9hG4bK-retrans-2").replace("CSeq: 1 SUBSCRIBE", "CSeq: 2 SUBSCRIBE")
      .replace("Expires: 60", "Expires: 0").replace(`To: <sip:bob@127.0.0.1:${port}>`, `To: <sip:bob@127.0.0.1:${port}>;tag=${toTag}`), port, "127.0.0.1");
    await waitFor("final NOTIFY", () => received.some((m) => m.startsWith("NOTIFY") && /Subscription-State: terminated;reason=timeout/i.test(m)));
    await waitFor("subscription gone", () => ep.counts().notifier === 0);
    sock.close();
  });
});
