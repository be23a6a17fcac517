// Two stacks on loopback, real sockets: one is the UAC, the other the UAS, over UDP and TCP.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import pino from "pino";
import { createRequest } from "../../../src/sip/message/build.js";
import { newCallId, newTag } from "../../../src/sip/message/ids.js";
import { createSipStack, isSyntheticResponse, type SipStack } from "../../../src/sip/stack.js";

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
  beforeAll(async () => {
    uas = createSipStack({ listen: [{ transport: "UDP", host: "127.0.0.1", port: 0 }, { transport: "TCP", host: "127.0.0.1", port: 0 }], logger });
    uac = createSipStack({ listen: [{ transport: "UDP", host: "127.0.0.1", port: 0 }, { transport: "TCP", host: "127.0.0.1", port: 0 }], logger, timers: { t1: 50 } });
    await uas.start();
    await uac.start();
    uas.onRequest((tx) => {
      seen.push(`${tx.source.transport}:${Buffer.from(tx.request.body).toString()}`);
      tx.respond(200);
    });
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
});
