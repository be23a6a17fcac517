// Two XMPP users watch the same SIP user: the second one, authorized after the presentity's state is
// already cached from the first one's subscription, must still get that state (found by the
// login-storm benchmark: she used to get `subscribed` and no presence until the SIP user changed).
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { xml, type Element } from "../../../src/xmpp/xml.js";
import { startDeployment, SIP_DOMAIN, type Deployment } from "../../support/gateway-harness.js";
import { describeSipp, scenario, startSipp } from "../../support/peers/sipp.js";
import { freePort } from "../../support/peers/process.js";

const CAROL = `carol@${SIP_DOMAIN}`;
const carolPresence = (el: Element) => el.name === "presence" && el.attrs.type === undefined && String(el.attrs.from).startsWith(`${CAROL}/`);
const subscribed = (el: Element) => el.name === "presence" && el.attrs.type === "subscribed" && el.attrs.from === CAROL;

describe("a SIP contact shared by two XMPP users", () => {
  let d: Deployment;
  let uasPort: number;
  beforeAll(async () => {
    uasPort = await freePort();
    d = await startDeployment({ users: ["alice", "dave"], sipRoute: `sip:127.0.0.1:${uasPort}` });
  }, 30_000);
  afterAll(async () => {
    await d?.stop();
  });

  it("gives the second watcher the cached state when her subscription becomes active", async () => {
    // One notifier call per SUBSCRIBE: each watcher gets its own SIP dialog.
    const carol = await startSipp({ scenario: scenario("presence-steady-notifier-uas.xml"), transport: "u1", localPort: uasPort, calls: 2, timeoutS: 40 });
    const alice = await d.client("alice");
    await alice.send(xml("presence", { to: CAROL, type: "subscribe" }));
    await alice.waitForStanza(subscribed, 10_000);
    expect((await alice.waitForStanza(carolPresence, 10_000)).getChildText("status")).toBe("at the lab");

    const dave = await d.client("dave");
    await dave.send(xml("presence", { to: CAROL, type: "subscribe" }));
    await dave.waitForStanza(subscribed, 10_000);
    expect((await dave.waitForStanza(carolPresence, 10_000)).getChildText("status")).toBe("at the lab");

    const r = await carol.result();
    await carol.stop();
    expect({ exit: r.exitCode, why: r.exitCode === 0 ? "" : describeSipp(r) }).toEqual({ exit: 0, why: "" });
  }, 60_000);
});
