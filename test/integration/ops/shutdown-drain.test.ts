// Graceful stop while SIPp keeps sending MESSAGEs: /readyz turns 503 first, the MESSAGEs already in
// flight finish (200 and delivered), every later one is answered 503 + Retry-After, none is lost and
// none is left unanswered. Peers: Prosody with a real XMPP client, SIPp as UAC over UDP.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { startDeployment, SIP_DOMAIN, XMPP_DOMAIN, type Deployment } from "../../support/gateway-harness.js";
import { describeSipp, startSipp } from "../../support/peers/sipp.js";
import { tempDir } from "../../support/peers/process.js";
import { messageUacAcceptOrRefuse, scenarioFile } from "../../support/sipp-im-scenarios.js";
import { probe } from "../../support/ops-http.js";
import type { TestXmppClient } from "../../support/xmpp-client.js";

const CALLS = 100;
const RATE = 25;

// One MESSAGE per call; 200 and 503 both end the call successfully, anything else (or silence) fails it.
const UAC = messageUacAcceptOrRefuse({ from: `sip:bob@${SIP_DOMAIN}`, to: `sip:alice@${XMPP_DOMAIN}`, body: "drain [call_number]" });

/** Final status per SIPp call number, from the -trace_msg log (SIPp's Call-ID is "<n>-<pid>@<ip>"). */
function finalsByCall(log: string): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const chunk of log.split(/message received \[\d+\] bytes :/)) {
    const status = /^\s*SIP\/2\.0 (\d{3})/.exec(chunk);
    const callId = /^(?:Call-ID|i)\s*:\s*(\d+)-/im.exec(chunk);
    if (!status || !callId || Number(status[1]) < 200) continue;
    const n = Number(callId[1]);
    out.set(n, [...(out.get(n) ?? []), Number(status[1])]);
  }
  return out;
}

describe("graceful shutdown during SIP traffic", () => {
  let d: Deployment;
  let alice: TestXmppClient;

  beforeAll(async () => {
    d = await startDeployment({ users: ["alice"], gateway: { refuseWindowMs: 3000 } });
    alice = await d.client("alice");
  }, 30_000);
  afterAll(async () => {
    await d?.stop();
  });

  it("answers every MESSAGE: 200 ones were delivered, the rest got 503 after /readyz turned 503", async () => {
    const dir = tempDir("sipp-drain");
    const msgLog = join(dir, "messages.log");
    const uac = await startSipp({
      scenario: scenarioFile("drain-uac.xml", UAC), remote: `127.0.0.1:${d.sipPort}`, transport: "u1",
      calls: CALLS, rate: RATE, timeoutS: 30, extraArgs: ["-trace_msg", "-message_file", msgLog],
    });
    // Let about a third of the calls go through normally, then stop while SIPp keeps sending.
    await new Promise((r) => setTimeout(r, (CALLS / RATE / 3) * 1000));
    const stopping = d.gateway.stop();
    const ready = await probe(d.gateway.httpPort, "/readyz");
    expect(ready.status).toBe(503);
    expect(ready.body.draining).toBe(true);

    const r = await uac.result();
    await stopping;
    await uac.stop();
    expect({ exit: r.exitCode, why: r.exitCode === 0 ? "" : describeSipp(r) }).toEqual({ exit: 0, why: "" });

    const log = readFileSync(msgLog, "utf8");
    // RFC 3261 §21.5.4: with Retry-After the client may try another server instead of treating it as 500.
    expect(log).toMatch(/SIP\/2\.0 503 Shutting Down\r?\n(?:[^\r\n]+\r?\n)*?Retry-After: 5\r?\n/i);
    const finals = finalsByCall(log);
    const ok: number[] = [];
    const refused: number[] = [];
    for (let n = 1; n <= CALLS; n++) {
      const statuses = [...new Set(finals.get(n) ?? [])];
      // Exactly one final per MESSAGE (a retransmitted request gets the same final again).
      expect({ n, statuses }).toEqual({ n, statuses: statuses.length === 1 && (statuses[0] === 200 || statuses[0] === 503) ? statuses : ["one of 200/503"] });
      (statuses[0] === 200 ? ok : refused).push(n);
    }
    expect(ok.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    // The switch is one moment: every MESSAGE sent after it was refused, none before it.
    expect(Math.max(...ok)).toBeLessThan(Math.min(...refused));

    // Every 200 was delivered to the XMPP user; nothing refused was.
    const bodies = () => new Set(alice.stanzas.filter((el) => el.name === "message" && el.attrs.type !== "error").map((el) => el.getChildText("body")?.trimEnd()));
    const deadline = Date.now() + 5000;
    while (ok.some((n) => !bodies().has(`drain ${n}`)) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
    const delivered = bodies();
    expect(ok.filter((n) => !delivered.has(`drain ${n}`))).toEqual([]);
    expect(refused.filter((n) => delivered.has(`drain ${n}`))).toEqual([]);
  }, 60_000);
});
