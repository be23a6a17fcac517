// Hostile XMPP input through a real Prosody to the gateway's component: every stanza gets its
// RFC 6120 §8.3 error (or is refused by Prosody itself, said so where it happens) and the gateway keeps
// relaying a normal chat message to a SIP peer (a SIPp UAS) afterwards.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import pino from "pino";
import { xml, type Element } from "../../../src/xmpp/xml.js";
import { startDeployment, SIP_DOMAIN, type Deployment } from "../../support/gateway-harness.js";
import { startSipp } from "../../support/peers/sipp.js";
import { freePort } from "../../support/peers/process.js";
import { messageUas, scenarioFile } from "../../support/sipp-im-scenarios.js";
import type { TestXmppClient } from "../../support/xmpp-client.js";

const STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas";
const condition = (el: Element): string | undefined =>
  el.getChild("error")?.children.find((c): c is Element => typeof c !== "string" && c.attrs.xmlns === STANZAS && c.name !== "text")?.name;

describe("hostile XMPP input", () => {
  let d: Deployment;
  let alice: TestXmppClient;
  let uasPort: number;
  const errors: unknown[] = [];
  let n = 0;

  async function errorFor(stanza: Element, timeoutMs = 5000): Promise<{ type: string | undefined; condition: string | undefined; from: string | undefined }> {
    const id = `hx-${++n}`;
    stanza.attrs.id = id;
    await alice.send(stanza);
    const e = await alice.waitForStanza((el) => el.attrs.id === id && el.attrs.type === "error", timeoutMs);
    return { type: e.getChild("error")?.attrs.type as string | undefined, condition: condition(e), from: e.attrs.from as string | undefined };
  }

  /** A normal message still reaches the SIP side and is accepted. */
  async function stillServes(): Promise<void> {
    const uas = await startSipp({ scenario: scenarioFile("uas.xml", messageUas({ status: 200, reason: "OK" })), localPort: uasPort, calls: 1, timeoutS: 15 });
    await alice.send(xml("message", { to: `bob@${SIP_DOMAIN}`, type: "chat", id: `ok-${++n}` }, xml("body", {}, "still alive")));
    expect((await uas.result()).exitCode).toBe(0);
    await uas.stop();
  }

  beforeAll(async () => {
    uasPort = await freePort();
    const logger = pino({ level: "error" }, { write: (s: string) => void errors.push(JSON.parse(s)) });
    d = await startDeployment({ users: ["alice"], sipRoute: `sip:127.0.0.1:${uasPort}`, logger });
    alice = await d.client("alice");
  }, 30_000);
  afterAll(async () => {
    await d?.stop();
  });

  it("IQ of an unknown namespace → service-unavailable, to the component and to a SIP user", async () => {
    for (const to of [SIP_DOMAIN, `bob@${SIP_DOMAIN}`]) {
      const r = await alice.iq(xml("iq", { to, type: "get" }, xml("frobnicate", { xmlns: "urn:example:unknown" })));
      expect([to, r.attrs.type, condition(r)]).toEqual([to, "error", "service-unavailable"]);
    }
    await stillServes();
  });

  it("message to the bare component domain (no SIP user part) → jid-malformed", async () => {
    expect(await errorFor(xml("message", { to: SIP_DOMAIN, type: "chat" }, xml("body", {}, "x")))).toMatchObject({ type: "modify", condition: "jid-malformed" });
  });

  it("message to a SIP user nobody answers for → remote-server-timeout (SIP 408 after Timer F, RFC 7247 §7.2)", async () => {
    // The UDP route goes to uasPort with nothing listening between the SIPp runs: the MESSAGE times out.
    const r = await errorFor(xml("message", { to: `nobody@${SIP_DOMAIN}`, type: "chat" }, xml("body", {}, "x")), 40_000);
    expect(r).toEqual({ type: "wait", condition: "remote-server-timeout", from: `nobody@${SIP_DOMAIN}` });
    await stillServes();
  }, 60_000);

  it("a 100 KB body → policy-violation (im.maxBodyBytes), nothing sent to SIP", async () => {
    expect(await errorFor(xml("message", { to: `bob@${SIP_DOMAIN}`, type: "chat" }, xml("body", {}, "z".repeat(100_000))))).toEqual({ type: "modify", condition: "policy-violation", from: `bob@${SIP_DOMAIN}` });
    await stillServes();
  });

  it("presence with garbage children neither crashes nor stops the gateway", async () => {
    await alice.send(xml("presence", { to: `bob@${SIP_DOMAIN}` },
      xml("show", {}, "not-a-show-value"), xml("priority", {}, "99999999999"), xml("status", {}, "\u202e rtl"),
      xml("x", { xmlns: "urn:example:junk" }, xml("y", {}, xml("z", {}))), xml("c", { xmlns: "http://jabber.org/protocol/caps", hash: "md5", node: "", ver: "" })));
    await alice.send(xml("presence", { to: `bob@${SIP_DOMAIN}`, type: "frobnicate" }));
    await stillServes();
    expect(errors).toEqual([]);
  });
});
