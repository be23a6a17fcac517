// Two stacks on loopback, real sockets: one is the UAC, the other the UAS, over UDP and TCP.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import pino from "pino";
import { createRequest } from "../../../src/sip/message/build.js";
import { newCallId, newTag } from "../../../src/sip/message/ids.js";
import type { SipPeer } from "../../../src/sip/message/types.js";
import { createSipStack, isSyntheticResponse, type IncomingRequest, type SipStack } from "../../../src/sip/stack.js";

const logger = pino({ level: "silent" });

function message(to: string, body = "hello"): ReturnType<typeof createRequest> {
  return createRequest({
    method: "MESSAGE",
    uri: to,
    headers: { from: `<sip:alice@127.0.0.1>;tag=${newTag()}`, to: `<${to}>`, "call-id": newCallId("127.0.0.1"), cseq: "1 MESSAGE" },
    body,
    contentType: "text/plain",
  });
}

describe("stack to stack on loopback", () => {
  let uas: SipStack;
  let uac: SipStack;
  const seen: string[] = [];
  const sources: SipPeer[] = [];
  const uacSeen: IncomingRequest[] = [];
  beforeAll(async () => {
    uas = createSipStack({ listen: [{ transport: "UDP", host: "127.0.0.1", port: 0 }, { transport: "TCP", host: "127.0.0.1", port: 0 }], logger });
    uac = createSipStack({ listen: [{ transport: "UDP", host: "127.0.0.1", port: 0 }, { transport: "TCP", host: "127.0.0.1", port: 0 }], logger, timers: { t1: 50 } });
    await uas.start();
    await uac.start();
    uas.onRequest((tx) => {
      seen.push(`${tx.source.transport}:${Buffer.from(tx.request.body).toString()}`);
      sources.push(tx.source);
      tx.respond(200);
    });
    uac.onRequest((tx) => { uacSeen.push(tx); tx.respond(200); });
  });
  afterAll(async () => {
    await uac.close();
    await uas.close();
  });

  it("sends a MESSAGE over UDP and gets the 200", async () => {
    const port = uas.localContact("UDP").port;
    const res = await uac.sendRequest(message(`sip:bob@127.0.0.1:${port}`, "udp-1"));
    expect(res.status).toBe(200);
    expect(isSyntheticResponse(res)).toBe(false);
    expect(seen).toContain("UDP:udp-1");
  });

  it("sends a MESSAGE over TCP (transport=tcp) and gets the 200", async () => {
    const port = uas.localContact("TCP").port;
    const res = await uac.sendRequest(message(`sip:bob@127.0.0.1:${port};transport=tcp`, "tcp-1"));
    expect(res.status).toBe(200);
    expect(seen).toContain("TCP:tcp-1");
  });

  it("moves a request over 1300 bytes from UDP to TCP (RFC 3261 §18.1.1)", async () => {
    // The target says UDP; the request is too big for it, so it must arrive over TCP at the same address.
    const big = "x".repeat(1500);
    const res = await uac.sendRequest(message(`sip:bob@127.0.0.1`, big), { target: { transport: "UDP", host: "127.0.0.1", port: uas.localContact("TCP").port } });
    expect(res.status).toBe(200);
    expect(seen).toContain(`TCP:${big}`);
  });

  it("synthesizes 408 when nobody answers over UDP (Timer F)", async () => {
    const res = await uac.sendRequest(message("sip:nobody@127.0.0.1:9"), { target: { transport: "UDP", host: "127.0.0.1", port: 9 } });
    expect(res.status).toBe(408);
    expect(isSyntheticResponse(res)).toBe(true);
  });

  it("synthesizes 503 when the TCP connection is refused", async () => {
    const res = await uac.sendRequest(message("sip:nobody@127.0.0.1:9;transport=tcp"));
    expect(res.status).toBe(503);
    expect(isSyntheticResponse(res)).toBe(true);
  });

  it("reuses one outbound TCP connection per destination, and the UAS can send back over that flow", async () => {
    const port = uas.localContact("TCP").port;
    const before = uac.stats().connections;
    for (const body of ["reuse-1", "reuse-2"]) {
      expect((await uac.sendRequest(message(`sip:bob@127.0.0.1:${port};transport=tcp`, body))).status).toBe(200);
    }
    expect(uac.stats().connections - before).toBeLessThanOrEqual(1);
    // Both arrived on the same connection at the UAS.
    const flow = sources[sources.length - 1]!;
    expect(sources[sources.length - 2]!.flow).toBe(flow.flow);
    expect(flow.flow).toBeDefined();
    // In-dialog style: the UAS answers back on the UAC's own connection (its source), not a new one.
    const back = message("sip:alice@127.0.0.1", "back over the flow");
    const res = await uas.sendRequest(back, { target: flow });
    expect(res.status).toBe(200);
    const got = uacSeen.find((t) => Buffer.from(t.request.body).toString() === "back over the flow");
    expect(got?.source.transport).toBe("TCP");
    expect(got?.source.flow).toBeDefined();
  });

  it("opens one connection for many requests sent at once to a new destination", async () => {
    const fresh = createSipStack({ listen: [{ transport: "TCP", host: "127.0.0.1", port: 0 }], logger });
    fresh.onRequest((tx) => tx.respond(200));
    await fresh.start();
    try {
      const port = fresh.localContact("TCP").port;
      const before = uac.stats().connections;
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => uac.sendRequest(message(`sip:bob@127.0.0.1:${port};transport=tcp`, `burst-${i}`))));
      expect(results.every((r) => r.status === 200)).toBe(true);
      expect(uac.stats().connections - before).toBe(1);
      expect(fresh.stats().connections).toBe(1);
    } finally {
      await fresh.close();
    }
  });

  it("tells the TU when a flow closes", async () => {
    const third = createSipStack({ listen: [{ transport: "TCP", host: "127.0.0.1", port: 0 }], logger });
    await third.start();
    const closed: string[] = [];
    uas.onFlowClosed((f) => closed.push(f));
    const res = await third.sendRequest(message(`sip:bob@127.0.0.1:${uas.localContact("TCP").port};transport=tcp`, "then close"));
    expect(res.status).toBe(200);
    const flow = sources[sources.length - 1]!.flow!;
    await third.close();
    const end = Date.now() + 2000;
    while (!closed.includes(flow) && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    expect(closed).toContain(flow);
  });

  it("close() waits for a request the TU is still working on, then answers new ones 503", async () => {
    const slow = createSipStack({ listen: [{ transport: "UDP", host: "127.0.0.1", port: 0 }], logger, closeDeadlineMs: 3000 });
    await slow.start();
    slow.onRequest((tx) => { setTimeout(() => tx.respond(200), 300); });
    const port = slow.localContact("UDP").port;
    const pending = uac.sendRequest(message(`sip:bob@127.0.0.1:${port}`, "slow"));
    await new Promise((r) => setTimeout(r, 50));
    const closing = slow.close();
    const late = await uac.sendRequest(message(`sip:bob@127.0.0.1:${port}`, "late"));
    expect((await pending).status).toBe(200);
    expect(late.status).toBe(503);
    await closing;
  });

  it("CANCELs an INVITE end to end: the UAS sees onCancel and the UAC gets 487 (RFC 3261 §9)", async () => {
    const callee = createSipStack({ listen: [{ transport: "UDP", host: "127.0.0.1", port: 0 }], logger });
    await callee.start();
    let cancelSeen = 0;
    callee.onRequest((tx) => {
      if (tx.request.method !== "INVITE") return;
      tx.onCancel(() => { cancelSeen += 1; });
      tx.respond(180); // ringing, never answered
    });
    const port = callee.localContact("UDP").port;
    const invite = createRequest({
      method: "INVITE", uri: `sip:bob@127.0.0.1:${port}`,
      headers: { from: `<sip:alice@127.0.0.1>;tag=${newTag()}`, to: "<sip:bob@127.0.0.1>", "call-id": newCallId("127.0.0.1"), cseq: "1 INVITE", contact: "<sip:alice@127.0.0.1>" },
    });
    const abort = new AbortController();
    const res = await uac.sendRequest(invite, { signal: abort.signal, onProvisional: () => abort.abort() });
    expect(res.status).toBe(487);
    expect(cancelSeen).toBe(1);
    await callee.close();
  });
});
