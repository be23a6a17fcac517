// Per-user message rate limits, both directions (one trusted proxy carries many users, so the per-IP
// limit of the SIP transport cannot protect the XMPP side from one noisy user).
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { xml } from "../../../src/xmpp/xml.js";
import { startDeployment, SIP_DOMAIN, XMPP_DOMAIN, type Deployment } from "../../support/gateway-harness.js";
import { runSipp, startSipp } from "../../support/peers/sipp.js";
import { freePort } from "../../support/peers/process.js";
import { messageUac, messageUas, scenarioFile } from "../../support/sipp-im-scenarios.js";

describe("per-user IM rate limits", () => {
  let d: Deployment;
  let uasPort: number;
  beforeAll(async () => {
    uasPort = await freePort();
    d = await startDeployment({
      users: ["alice"],
      sipRoute: `sip:127.0.0.1:${uasPort}`,
      config: (base) => ({ ...base, im: { ratePerUserPerSecond: 0.5, burstPerUser: 3 } }),
    });
  }, 30_000);
  afterAll(async () => {
    await d?.stop();
  });

  it("answers a SIP user's messages beyond the burst with 503", async () => {
    const uac = (name: string, expectStatus: number, calls: number) => runSipp({
      scenario: scenarioFile(name, messageUac({ from: `sip:bob@${SIP_DOMAIN}`, to: `sip:alice@${XMPP_DOMAIN}`, contentType: "text/plain", body: "m [call_number]", expectStatus })),
      remote: `127.0.0.1:${d.sipPort}`, calls, rate: 50, timeoutS: 20,
    });
    expect((await uac("burst.xml", 200, 3)).exitCode).toBe(0);
    expect((await uac("over.xml", 503, 2)).exitCode).toBe(0);
    // Another user has a bucket of their own.
    const carol = await runSipp({
      scenario: scenarioFile("carol.xml", messageUac({ from: `sip:carol@${SIP_DOMAIN}`, to: `sip:alice@${XMPP_DOMAIN}`, contentType: "text/plain", body: "c", expectStatus: 200 })),
      remote: `127.0.0.1:${d.sipPort}`, calls: 1, timeoutS: 20,
    });
    expect(carol.exitCode).toBe(0);
  });

  it("answers an XMPP user's messages beyond the burst with <policy-violation/>", async () => {
    const uas = await startSipp({ scenario: scenarioFile("uas.xml", messageUas({ status: 200, reason: "OK" })), localPort: uasPort, calls: 3, timeoutS: 20 });
    const alice = await d.client("alice");
    for (let i = 0; i < 5; i++) await alice.send(xml("message", { to: `bob@${SIP_DOMAIN}`, type: "chat", id: `rl-${i}` }, xml("body", {}, `n ${i}`)));
    const errors = await Promise.all([3, 4].map((i) => alice.waitForStanza((el) => el.attrs.id === `rl-${i}` && el.attrs.type === "error", 5000)));
    for (const e of errors) expect(e.getChild("error")?.getChild("policy-violation", "urn:ietf:params:xml:ns:xmpp-stanzas")).toBeDefined();
    expect((await uas.result()).exitCode).toBe(0);
    await uas.stop();
    expect(alice.stanzas.some((el) => ["rl-0", "rl-1", "rl-2"].includes(String(el.attrs.id)) && el.attrs.type === "error")).toBe(false);
  });
});
