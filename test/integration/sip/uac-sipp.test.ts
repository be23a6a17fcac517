// The endpoint as UAC against SIPp on loopback: MESSAGE sent as an arbitrary identity over UDP and
// TCP, checked field by field by the SIPp scenario; an unreachable target surfaces as a typed 503/408.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { fileURLToPath } from "node:url";
import pino from "pino";
import { createSipEndpoint, type SipEndpoint } from "../../../src/sip/endpoint.js";
import { isSyntheticResponse } from "../../../src/sip/stack.js";
import { freePort } from "../../support/peers/process.js";
import { describeSipp, startSipp } from "../../support/peers/sipp.js";

const scenario = fileURLToPath(new URL("../scenarios/dialog-message-uas.xml", import.meta.url));
const logger = pino({ level: process.env.STOX_TEST_LOG ?? "silent" });

describe("endpoint sends MESSAGE to SIPp", () => {
  let ep: SipEndpoint;
  beforeAll(async () => {
    const port = await freePort();
    ep = createSipEndpoint({
      listen: [{ transport: "UDP", host: "127.0.0.1", port }, { transport: "TCP", host: "127.0.0.1", port }],
      stackOptions: { timers: { t1: 100 } },
    }, logger);
    await ep.start();
  });
  afterAll(async () => { await ep.close(); }, 20_000);

  for (const [transport, param] of [["u1", ""], ["t1", ";transport=tcp"]] as const) {
    it(`delivers 10 MESSAGEs over ${transport === "u1" ? "UDP" : "TCP"} and gets each 200`, async () => {
      const sipp = await startSipp({ scenario, transport, calls: 10, timeoutS: 30 });
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) {
        const res = await ep.sendMessage("sip:alice@gw.test", `sip:carol@127.0.0.1:${sipp.localPort}${param}`, `hello from stox ${i}`, "text/plain");
        statuses.push(res.status);
      }
      const r = await sipp.result();
      await sipp.stop();
      if (r.exitCode !== 0) throw new Error(describeSipp(r));
      expect(statuses).toEqual(Array(10).fill(200));
    }, 60_000);
  }

  it("reports an unreachable TCP target as a synthesized 503", async () => {
    const dead = await freePort();
    const res = await ep.sendMessage("sip:alice@gw.test", `sip:nobody@127.0.0.1:${dead};transport=tcp`, "x", "text/plain");
    expect(res.status).toBe(503);
    expect(isSyntheticResponse(res)).toBe(true);
  });
});
