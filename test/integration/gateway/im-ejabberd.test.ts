// The same page-mode IM basics against ejabberd 23.01 (one server for the suite: it takes ~4 s to start).
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { xml, type Element } from "../../../src/xmpp/xml.js";
import { startDeployment, SIP_DOMAIN, XMPP_DOMAIN, type Deployment } from "../../support/gateway-harness.js";
import { describeSipp, runSipp, startSipp } from "../../support/peers/sipp.js";
import { freePort } from "../../support/peers/process.js";
import { messageUac, messageUas, scenarioFile } from "../../support/sipp-im-scenarios.js";
import type { TestXmppClient } from "../../support/xmpp-client.js";

describe("page-mode IM through ejabberd", () => {
  let d: Deployment;
  let alice: TestXmppClient;
  let uasPort: number;
  beforeAll(async () => {
    uasPort = await freePort();
    d = await startDeployment({ server: "ejabberd", users: ["alice"], sipRoute: `sip:127.0.0.1:${uasPort}` });
    alice = await d.client("alice");
  }, 60_000);
  afterAll(async () => {
    await d?.stop();
  });

  it("relays SIP → XMPP with 200, UTF-8 intact", async () => {
    const body = "grüße 😀 漢字 [call_number]";
    const r = await runSipp({
      scenario: scenarioFile("ej-uac.xml", messageUac({ from: `sip:bob@${SIP_DOMAIN}`, to: `sip:alice@${XMPP_DOMAIN}`, contentType: "text/plain;charset=UTF-8", body, expectStatus: 200 })),
      remote: `127.0.0.1:${d.sipPort}`, calls: 2, rate: 20, timeoutS: 20,
    });
    expect({ exit: r.exitCode, why: r.exitCode === 0 ? "" : describeSipp(r) }).toEqual({ exit: 0, why: "" });
    for (const n of [1, 2]) {
      await alice.waitForStanza((el: Element) => el.name === "message" && el.getChildText("body")?.trimEnd() === `grüße 😀 漢字 ${n}`, 5000);
    }
  });

  it("relays XMPP → SIP, and maps a SIP 486 back to <recipient-unavailable/>", async () => {
    const ok = await startSipp({ scenario: scenarioFile("ej-uas-200.xml", messageUas({ status: 200, reason: "OK", bodyMatches: ["from ejabberd"] })), localPort: uasPort, calls: 1, timeoutS: 20 });
    await alice.send(xml("message", { to: `bob@${SIP_DOMAIN}`, type: "chat", id: "ej-1" }, xml("body", {}, "from ejabberd")));
    const r1 = await ok.result();
    await ok.stop();
    expect({ exit: r1.exitCode, why: r1.exitCode === 0 ? "" : describeSipp(r1) }).toEqual({ exit: 0, why: "" });

    const busy = await startSipp({ scenario: scenarioFile("ej-uas-486.xml", messageUas({ status: 486, reason: "Busy Here" })), localPort: uasPort, calls: 1, timeoutS: 20 });
    await alice.send(xml("message", { to: `bob@${SIP_DOMAIN}`, type: "chat", id: "ej-2" }, xml("body", {}, "are you there")));
    const err = await alice.waitForStanza((el) => el.attrs.id === "ej-2" && el.attrs.type === "error", 10_000);
    await busy.result();
    await busy.stop();
    expect(err.getChild("error")?.getChild("recipient-unavailable", "urn:ietf:params:xml:ns:xmpp-stanzas")).toBeDefined();
  });
});
