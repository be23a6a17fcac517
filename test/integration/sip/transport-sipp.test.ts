// The stack against real SIPp: SIPp UAC sends MESSAGEs over UDP, one TCP connection and one TCP
// connection per call, the stack answers 200; the stack as UAC sends MESSAGEs to a SIPp UAS.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import pino from "pino";
import { createRequest } from "../../../src/sip/message/build.js";
import { newCallId, newTag } from "../../../src/sip/message/ids.js";
import { createSipStack, type SipStack } from "../../../src/sip/stack.js";
import { describeSipp, runSipp, scenario, startSipp, type SippTransport } from "../../support/peers/sipp.js";

const logger = pino({ level: "silent" });

describe("stack ⇄ SIPp", () => {
  let stack: SipStack;
  let received = 0;
  beforeAll(async () => {
    stack = createSipStack({
      listen: [{ transport: "UDP", host: "127.0.0.1", port: 0 }, { transport: "TCP", host: "127.0.0.1", port: 0 }],
      logger,
    });
    await stack.start();
    stack.onRequest((tx) => {
      if (tx.request.method === "MESSAGE") received += 1;
      tx.respond(200);
    });
  });
  afterAll(async () => { await stack.close(); });

  const modes: readonly [SippTransport, "UDP" | "TCP"][] = [["u1", "UDP"], ["t1", "TCP"], ["tn", "TCP"]];
  it.each(modes)("SIPp UAC -t %s: 200 MESSAGEs all answered 200", async (mode, transport) => {
    const before = received;
    const r = await runSipp({
      scenario: scenario("transport-message-uac.xml"),
      remote: `127.0.0.1:${stack.localContact(transport).port}`,
      transport: mode, calls: 200, rate: 200, service: "bob", timeoutS: 30,
    });
    expect({ exit: r.exitCode, evidence: r.exitCode === 0 ? "" : describeSipp(r) }).toEqual({ exit: 0, evidence: "" });
    expect(r.stats["SuccessfulCall(C)"]).toBe("200");
    // Each MESSAGE reached the handler exactly once (no retransmission became a second delivery).
    expect(received - before).toBe(200);
  }, 60_000);

  const uasModes: readonly [SippTransport, "UDP" | "TCP"][] = [["u1", "UDP"], ["t1", "TCP"]];
  it.each(uasModes)("stack as UAC sends MESSAGE to a SIPp UAS over -t %s", async (mode, transport) => {
    const uas = await startSipp({ scenario: scenario("transport-message-uas.xml"), transport: mode, calls: 5, timeoutS: 30 });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const req = createRequest({
        method: "MESSAGE",
        uri: `sip:sipp@127.0.0.1:${uas.localPort}`,
        headers: { from: `<sip:gw@127.0.0.1>;tag=${newTag()}`, to: `<sip:sipp@127.0.0.1:${uas.localPort}>`, "call-id": newCallId("127.0.0.1"), cseq: "1 MESSAGE" },
        body: `hi ${i}`, contentType: "text/plain",
      });
      const res = await stack.sendRequest(req, { target: { transport, host: "127.0.0.1", port: uas.localPort } });
      statuses.push(res.status);
    }
    const r = await uas.result();
    await uas.stop();
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    expect({ exit: r.exitCode, evidence: r.exitCode === 0 ? "" : describeSipp(r) }).toEqual({ exit: 0, evidence: "" });
  }, 60_000);
});
