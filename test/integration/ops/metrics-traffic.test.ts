// Metrics from real traffic: SIPp MESSAGEs into the gateway (three relayed, one refused as spoofed),
// two XMPP messages out to a SIPp UAS, then /metrics scraped over HTTP and the counters compared
// with the traffic that was actually sent. Peers: Prosody, SIPp (UAC over TCP, so no retransmission
// can blur the counts; UAS over UDP), a real XMPP client.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { xml, type Element } from "../../../src/xmpp/xml.js";
import { startDeployment, SIP_DOMAIN, XMPP_DOMAIN, type Deployment } from "../../support/gateway-harness.js";
import { describeSipp, runSipp, startSipp } from "../../support/peers/sipp.js";
import { freePort } from "../../support/peers/process.js";
import { messageUac, messageUas, scenarioFile } from "../../support/sipp-im-scenarios.js";
import { scrape, sumOf, valueOf, type Samples } from "../../support/ops-http.js";
import type { TestXmppClient } from "../../support/xmpp-client.js";

const BOB = `sip:bob@${SIP_DOMAIN}`;
const ALICE_SIP = `sip:alice@${XMPP_DOMAIN}`;
const isChatFromBob = (el: Element) => el.name === "message" && String(el.attrs.from).startsWith(`bob@${SIP_DOMAIN}`) && el.attrs.type !== "error";

describe("metrics follow real traffic", () => {
  let d: Deployment;
  let alice: TestXmppClient;
  let uasPort: number;

  beforeAll(async () => {
    uasPort = await freePort();
    d = await startDeployment({ users: ["alice"], sipRoute: `sip:127.0.0.1:${uasPort}` });
    alice = await d.client("alice");
  }, 30_000);
  afterAll(async () => {
    await d?.stop();
  });

  const delta = (before: Samples, after: Samples, name: string, labels: Record<string, string> = {}) =>
    valueOf(after, name, labels) - valueOf(before, name, labels);

  it("counts SIP in/out by method and code, relays, refusals and stanzas", async () => {
    const before = await scrape(d.gateway.httpPort);

    const ok = await runSipp({
      scenario: scenarioFile("metrics-ok.xml", messageUac({ from: BOB, to: ALICE_SIP, contentType: "text/plain", body: "metrics [call_number]", expectStatus: 200 })),
      remote: `127.0.0.1:${d.sipPort}`, transport: "t1", calls: 3, rate: 20, timeoutS: 20,
    });
    expect({ exit: ok.exitCode, why: ok.exitCode === 0 ? "" : describeSipp(ok) }).toEqual({ exit: 0, why: "" });
    for (const n of [1, 2, 3]) await alice.waitForStanza((el) => isChatFromBob(el) && el.getChildText("body")?.trimEnd() === `metrics ${n}`, 5000);
    const spoof = await runSipp({
      scenario: scenarioFile("metrics-spoof.xml", messageUac({ from: "sip:mallory@evil.example", to: ALICE_SIP, contentType: "text/plain", body: "spoofed", expectStatus: 403 })),
      remote: `127.0.0.1:${d.sipPort}`, transport: "t1", calls: 1, timeoutS: 20,
    });
    expect(spoof.exitCode).toBe(0);

    const uas = await startSipp({ scenario: scenarioFile("metrics-uas.xml", messageUas({ status: 200, reason: "OK" })), localPort: uasPort, calls: 2, timeoutS: 20 });
    await alice.send(xml("message", { to: `bob@${SIP_DOMAIN}`, type: "chat", id: "m-1" }, xml("body", {}, "one")));
    await alice.send(xml("message", { to: `bob@${SIP_DOMAIN}`, type: "chat", id: "m-2" }, xml("body", {}, "two")));
    const uasResult = await uas.result();
    await uas.stop();
    expect(uasResult.exitCode).toBe(0);

    // The relay counter moves after the SIP 200 has been received: wait for it rather than sleep.
    let after = await scrape(d.gateway.httpPort);
    for (let i = 0; i < 40 && delta(before, after, "stox_messages_relayed_total", { direction: "xmpp-to-sip", outcome: "delivered" }) < 2; i++) {
      await new Promise((r) => setTimeout(r, 50));
      after = await scrape(d.gateway.httpPort);
    }

    // SIP → XMPP: 4 MESSAGEs in, 3 answered 200 and relayed, 1 answered 403 and counted as refused.
    expect(delta(before, after, "stox_sip_requests_total", { direction: "in", method: "MESSAGE" })).toBe(4);
    expect(delta(before, after, "stox_sip_responses_total", { direction: "out", method: "MESSAGE", code: "200" })).toBe(3);
    expect(delta(before, after, "stox_sip_responses_total", { direction: "out", method: "MESSAGE", code: "403" })).toBe(1);
    expect(delta(before, after, "stox_messages_relayed_total", { direction: "sip-to-xmpp", outcome: "delivered" })).toBe(3);
    expect(delta(before, after, "stox_messages_relayed_total", { direction: "sip-to-xmpp", outcome: "rejected" })).toBe(1);
    expect(sumOf(after, "stox_translation_errors_total") - sumOf(before, "stox_translation_errors_total")).toBe(1);
    expect(delta(before, after, "stox_xmpp_stanzas_total", { direction: "out", kind: "message" })).toBe(3);

    // XMPP → SIP: 2 stanzas in, 2 MESSAGEs out, 2 × 200 in, 2 relayed.
    expect(delta(before, after, "stox_xmpp_stanzas_total", { direction: "in", kind: "message" })).toBe(2);
    expect(delta(before, after, "stox_sip_requests_total", { direction: "out", method: "MESSAGE" })).toBe(2);
    expect(delta(before, after, "stox_sip_responses_total", { direction: "in", method: "MESSAGE", code: "200" })).toBe(2);
    expect(delta(before, after, "stox_messages_relayed_total", { direction: "xmpp-to-sip", outcome: "delivered" })).toBe(2);

    // Gauges: the link is up; every MESSAGE transaction has a final, so none is waiting on a TU, and the
    // sampled count equals what the stack reports right now (Completed-state transactions included).
    expect(valueOf(after, "stox_xmpp_component_up", { domain: SIP_DOMAIN })).toBe(1);
    expect(after.has("stox_sip_transactions_in_flight")).toBe(true);
    expect(valueOf(await scrape(d.gateway.httpPort), "stox_sip_transactions_in_flight")).toBe(d.gateway.sip.stack.stats().transactions);
    expect(valueOf(after, "stox_subscriptions_active", { direction: "xmpp-to-sip" })).toBe(0);
  });
});
