// One component domain carrying several SIP domains (XEP-0106 escaped JIDs, RFC 7247 §4/§5):
// sip:bob@sip.example ⇄ bob\40sip.example@sip.gw.example, through real Prosody and SIPp.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { xml } from "../../../src/xmpp/xml.js";
import { startDeployment, XMPP_DOMAIN, type Deployment } from "../../support/gateway-harness.js";
import { describeSipp, runSipp, startSipp } from "../../support/peers/sipp.js";
import { freePort } from "../../support/peers/process.js";
import { messageUac, messageUas, scenarioFile } from "../../support/sipp-im-scenarios.js";
import type { TestXmppClient } from "../../support/xmpp-client.js";

const GW = "sip.gw.example";

describe("transport-style addressing (one component domain, many SIP domains)", () => {
  let d: Deployment;
  let alice: TestXmppClient;
  let uasPort: number;
  beforeAll(async () => {
    uasPort = await freePort();
    d = await startDeployment({ users: ["alice"], transport: { componentDomain: GW, sipDomains: ["sip.example", "other.example"] }, sipRoute: `sip:127.0.0.1:${uasPort}` });
    alice = await d.client("alice");
  }, 30_000);
  afterAll(async () => {
    await d?.stop();
  });

  it("shows SIP users of each domain as escaped JIDs of the component", async () => {
    for (const [user, domain] of [["bob", "sip.example"], ["carol", "other.example"]] as const) {
      const r = await runSipp({
        scenario: scenarioFile(`${user}.xml`, messageUac({ from: `sip:${user}@${domain}`, to: `sip:alice@${XMPP_DOMAIN}`, contentType: "text/plain", body: `from ${user}`, expectStatus: 200 })),
        remote: `127.0.0.1:${d.sipPort}`, calls: 1, timeoutS: 20,
      });
      expect({ exit: r.exitCode, why: r.exitCode === 0 ? "" : describeSipp(r) }).toEqual({ exit: 0, why: "" });
      const m = await alice.waitForStanza((el) => el.name === "message" && el.getChildText("body")?.trim() === `from ${user}`, 5000);
      expect(m.attrs.from).toBe(`${user}\\40${domain}@${GW}`);
    }
  });

  it("routes a message to an escaped JID to the right SIP user", async () => {
    const uas = await startSipp({
      scenario: scenarioFile("uas.xml", messageUas({ status: 200, reason: "OK", fromMatches: "sip:alice@xmpp\\.example", bodyMatches: ["to carol"] })),
      localPort: uasPort, calls: 1, timeoutS: 20,
      extraArgs: ["-trace_msg"],
    });
    await alice.send(xml("message", { to: `carol\\40other.example@${GW}`, type: "chat", id: "t-1" }, xml("body", {}, "to carol")));
    const r = await uas.result();
    const { readdirSync, readFileSync } = await import("node:fs");
    const log = readdirSync(uas.process.dir).find((f) => f.endsWith("_messages.log"));
    const text = log ? readFileSync(`${uas.process.dir}/${log}`, "utf8") : "";
    await uas.stop();
    expect({ exit: r.exitCode, why: r.exitCode === 0 ? "" : describeSipp(r) }).toEqual({ exit: 0, why: "" });
    expect(text).toMatch(/^MESSAGE sip:carol@other\.example SIP\/2\.0/m);
  });

  it("refuses an escaped JID whose SIP domain the component does not carry", async () => {
    await alice.send(xml("message", { to: `dave\\40elsewhere.example@${GW}`, type: "chat", id: "t-2" }, xml("body", {}, "lost?")));
    const err = await alice.waitForStanza((el) => el.attrs.id === "t-2" && el.attrs.type === "error", 5000);
    // unknownDomain (mappings/errors.ts): the SIP domain is not reachable through this gateway.
    expect(err.getChild("error")?.getChild("remote-server-not-found", "urn:ietf:params:xml:ns:xmpp-stanzas")).toBeDefined();
  });
});
