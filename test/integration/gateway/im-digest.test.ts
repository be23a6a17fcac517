// Digest trust (RFC 3261 §22, RFC 7616): with no trusted proxy, a SIP user proves who they are to the
// gateway itself; SIPp answers the gateway's 401 with its own digest implementation (MD5 only, and it
// answers the first challenge, hence `algorithms: ["MD5"]`; SHA-256 is covered by the unit tests).
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { startDeployment, SIP_DOMAIN, XMPP_DOMAIN, type Deployment } from "../../support/gateway-harness.js";
import { describeSipp, runSipp } from "../../support/peers/sipp.js";
import { scenarioFile } from "../../support/sipp-im-scenarios.js";
import type { TestXmppClient } from "../../support/xmpp-client.js";

function authScenario(from: string, password: string, expectFinal: number): string {
  const request = (cseq: number, auth: string) => `
      MESSAGE sip:alice@${XMPP_DOMAIN} SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      Max-Forwards: 70
      From: <${from}>;tag=[pid]SIPpTag[call_number]
      To: <sip:alice@${XMPP_DOMAIN}>
      Call-ID: [call_id]
      CSeq: ${cseq} MESSAGE
      ${auth}
      Content-Type: text/plain;charset=UTF-8
      Content-Length: [len]

      proven ${from}`;
  return `<?xml version="1.0" encoding="UTF-8" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="MESSAGE with digest">
  <send retrans="500"><![CDATA[${request(1, "")}
  ]]></send>
  <recv response="401" auth="true"/>
  <send retrans="500"><![CDATA[${request(2, "[authentication username=bob password=" + password + "]")}
  ]]></send>
  <recv response="${expectFinal}"/>
</scenario>
`;
}

function subscribeScenario(password: string): string {
  const request = (cseq: number, auth: string) => `
      SUBSCRIBE sip:alice@${XMPP_DOMAIN} SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      Max-Forwards: 70
      From: <sip:bob@${SIP_DOMAIN}>;tag=[pid]SIPpTag[call_number]
      To: <sip:alice@${XMPP_DOMAIN}>
      Call-ID: [call_id]
      CSeq: ${cseq} SUBSCRIBE
      Contact: <sip:bob@[local_ip]:[local_port]>
      Event: presence
      Accept: application/pidf+xml
      Expires: 60
      ${auth}
      Content-Length: 0
`;
  return `<?xml version="1.0" encoding="UTF-8" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="SUBSCRIBE with digest">
  <send retrans="500"><![CDATA[${request(1, "")}
  ]]></send>
  <recv response="401" auth="true"/>
  <send retrans="500"><![CDATA[${request(2, "[authentication username=bob password=" + password + "]")}
  ]]></send>
  <recv response="202" optional="true" next="notify"/>
  <recv response="200"/>
  <label id="notify"/>
  <recv request="NOTIFY"/>
  <send><![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0
  ]]></send>
</scenario>
`;
}

describe("digest trust for SIP users talking to the gateway directly", () => {
  let d: Deployment;
  let alice: TestXmppClient;
  beforeAll(async () => {
    d = await startDeployment({
      users: ["alice"],
      config: (base) => ({
        ...base,
        sip: { ...base.sip!, trust: { proxies: [], digest: true, algorithms: ["MD5"], users: [{ identity: `sip:bob@${SIP_DOMAIN}`, username: "bob", password: "bob-secret" }] } },
      }),
    });
    alice = await d.client("alice");
  }, 30_000);
  afterAll(async () => {
    await d?.stop();
  });

  const run = (name: string, xmlText: string) => runSipp({ scenario: scenarioFile(name, xmlText), remote: `127.0.0.1:${d.sipPort}`, calls: 1, timeoutS: 20 });

  it("challenges, then relays the MESSAGE of the authenticated user", async () => {
    const r = await run("digest-ok.xml", authScenario(`sip:bob@${SIP_DOMAIN}`, "bob-secret", 200));
    expect({ exit: r.exitCode, why: r.exitCode === 0 ? "" : describeSipp(r) }).toEqual({ exit: 0, why: "" });
    const m = await alice.waitForStanza((el) => el.name === "message" && (el.getChildText("body") ?? "").startsWith("proven sip:bob"), 5000);
    expect(m.attrs.from).toBe(`bob@${SIP_DOMAIN}`);
  });

  it("re-challenges a wrong password", async () => {
    const r = await run("digest-bad.xml", authScenario(`sip:bob@${SIP_DOMAIN}`, "wrong", 401));
    expect({ exit: r.exitCode, why: r.exitCode === 0 ? "" : describeSipp(r) }).toEqual({ exit: 0, why: "" });
  });

  it("challenges a SUBSCRIBE too, and the authenticated watcher reaches the XMPP user", async () => {
    const r = await run("digest-subscribe.xml", subscribeScenario("bob-secret"));
    expect({ exit: r.exitCode, why: r.exitCode === 0 ? "" : describeSipp(r) }).toEqual({ exit: 0, why: "" });
    const ask = await alice.waitForStanza((el) => el.name === "presence" && el.attrs.type === "subscribe" && el.attrs.from === `bob@${SIP_DOMAIN}`, 5000);
    expect(ask).toBeDefined();
  });

  it("refuses bob's credentials used for carol's From with 403", async () => {
    const r = await run("digest-spoof.xml", authScenario(`sip:carol@${SIP_DOMAIN}`, "bob-secret", 403));
    expect({ exit: r.exitCode, why: r.exitCode === 0 ? "" : describeSipp(r) }).toEqual({ exit: 0, why: "" });
  });
});
