// The XMPP server restarts (xmpp-stack.md: it neither caches component presence nor re-probes after
// the link comes back). An XMPP watcher of a SIP presentity logs in again and gets the SIP user's
// presence from the gateway's stored state; the SIP side is not asked again.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { xml, type Element } from "../../../src/xmpp/xml.js";
import { startDeployment, SIP_DOMAIN, type Deployment } from "../../support/gateway-harness.js";
import { describeSipp, scenario, startSipp } from "../../support/peers/sipp.js";
import { freePort, waitFor } from "../../support/peers/process.js";

const CAROL = `carol@${SIP_DOMAIN}`;
const carolPresence = (el: Element) => el.name === "presence" && el.attrs.type === undefined && String(el.attrs.from).startsWith(`${CAROL}/`);

describe("presence across a Prosody restart", () => {
  let d: Deployment;
  let uasPort: number;
  beforeAll(async () => {
    uasPort = await freePort();
    d = await startDeployment({ users: ["alice"], sipRoute: `sip:127.0.0.1:${uasPort}` });
  }, 30_000);
  afterAll(async () => {
    await d?.stop();
  });

  it("answers alice's presence again from stored state after the restart, without re-SUBSCRIBEing", async () => {
    const carol = await startSipp({ scenario: scenario("presence-steady-notifier-uas.xml"), transport: "u1", localPort: uasPort, calls: 1, timeoutS: 40 });
    const before = await d.client("alice", { resource: "before" });
    await before.send(xml("presence", { to: CAROL, type: "subscribe" }));
    await before.waitForStanza((el) => el.name === "presence" && el.attrs.type === "subscribed" && el.attrs.from === CAROL, 10_000);
    const first = await before.waitForStanza(carolPresence, 10_000);
    expect(first.getChildText("status")).toBe("at the lab");

    await d.prosody.stopServer();
    await d.prosody.startServer();
    await waitFor("component link back online", () => d.gateway.xmpp.ready, { timeoutMs: 10_000 });

    // At login Prosody probes carol on alice's behalf; the gateway answers from what carol's NOTIFY said.
    const after = await d.client("alice", { resource: "after" });
    const again = await after.waitForStanza(carolPresence, 10_000);
    expect(again.getChildText("status")).toBe("at the lab");

    // carol's notifier saw exactly one SUBSCRIBE (a second one within its 12 s pause fails the call).
    const r = await carol.result();
    await carol.stop();
    expect({ exit: r.exitCode, why: r.exitCode === 0 ? "" : describeSipp(r) }).toEqual({ exit: 0, why: "" });
  }, 60_000);
});
