// Presence through the whole gateway (RFC 8048, RFC 6665, RFC 6121 §3): real Prosody with real XMPP
// clients on one side, SIPp as SIP watcher (UAC) or SIP presentity's notifier (UAS) on the other.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { xml, type Element } from "../../../src/xmpp/xml.js";
import { startDeployment, SIP_DOMAIN, XMPP_DOMAIN, type Deployment } from "../../support/gateway-harness.js";
import { describeSipp, scenario, startSipp } from "../../support/peers/sipp.js";
import { freePort, waitFor } from "../../support/peers/process.js";
import type { TestXmppClient } from "../../support/xmpp-client.js";

const BOB_JID = `bob@${SIP_DOMAIN}`;
const CAROL_JID = `carol@${SIP_DOMAIN}`;
const isPresence = (type: string | undefined, from: string) => (el: Element) =>
  el.name === "presence" && el.attrs.type === type && String(el.attrs.from).split("/")[0] === from;

describe("presence through Prosody", () => {
  let d: Deployment;
  let alice: TestXmppClient;
  let uasPort: number;

  beforeAll(async () => {
    uasPort = await freePort();
    d = await startDeployment({
      users: ["alice"],
      sipRoute: `sip:127.0.0.1:${uasPort}`,
      config: (base) => ({ ...base, presence: { notifyMinIntervalSeconds: 1 } }),
    });
    alice = await d.client("alice");
  }, 30_000);
  afterAll(async () => {
    await d?.stop();
  });

  it("SIP watcher: pending until alice approves, active with PIDF, away + note cross, revocation → rejected", async () => {
    const sipp = await startSipp({ scenario: scenario("presence-sip-watcher-uac.xml"), remote: `127.0.0.1:${d.sipPort}`, transport: "u1", calls: 1, timeoutS: 30 });
    // The gateway asks alice on bob's behalf (RFC 8048: SUBSCRIBE → subscribe).
    await alice.waitForStanza(isPresence("subscribe", BOB_JID), 10_000);
    const store = d.gateway.presence?.sipWatchers;
    expect(store?.live).toBe(1);
    await alice.send(xml("presence", { to: BOB_JID, type: "subscribed" }));
    const presence = d.gateway.presence;
    if (presence === undefined) throw new Error("presence not wired");
    // Wait until the approval has been turned into the active NOTIFY, then past the coalescing interval.
    await waitFor("watcher active", async () => (await storeOf(d).listByPresentity("sipWatcher", `alice@${XMPP_DOMAIN}`)).some((s) => s.state === "active"), { timeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 1500));
    await alice.send(xml("presence", {}, xml("show", {}, "away"), xml("status", {}, "gone fishing")));
    await new Promise((r) => setTimeout(r, 1500));
    await alice.send(xml("presence", { to: BOB_JID, type: "unsubscribed" }));
    const r = await sipp.result();
    expect({ exit: r.exitCode, why: r.exitCode === 0 ? "" : describeSipp(r) }).toEqual({ exit: 0, why: "" });
    await waitFor("watcher removed", async () => (await storeOf(d).listAll("sipWatcher")).length === 0, { timeoutMs: 5000 });
  }, 60_000);

  it("XMPP watcher: subscribe → SUBSCRIBE; NOTIFY pending says nothing, active → subscribed + dnd presence; unsubscribe → Expires: 0", async () => {
    const sipp = await startSipp({ scenario: scenario("presence-xmpp-watcher-uas.xml"), transport: "u1", localPort: uasPort, calls: 1, timeoutS: 30 });
    await alice.send(xml("presence", { to: CAROL_JID, type: "subscribe" }));
    await alice.waitForStanza(isPresence("subscribed", CAROL_JID), 15_000);
    const p = await alice.waitForStanza((el) => el.name === "presence" && el.attrs.type === undefined && String(el.attrs.from).startsWith(`${CAROL_JID}/`), 10_000);
    expect(p.getChildText("show")).toBe("dnd");
    expect(p.getChildText("status")).toBe("in a meeting");
    // Nothing was said to alice while the NOTIFY was pending: subscribed came after the active one only.
    const subscribedAt = alice.stanzas.findIndex(isPresence("subscribed", CAROL_JID));
    expect(alice.stanzas.slice(0, subscribedAt).some(isPresence("unsubscribed", CAROL_JID))).toBe(false);
    // A probe from alice is answered from stored state.
    const before = alice.stanzas.length;
    await d.gateway.presence?.xmppWatchers.onProbe(alice.jid, alice.bareJid, `sip:carol@${SIP_DOMAIN}`);
    await waitFor("probe answered", () => alice.stanzas.slice(before).some((el) => el.name === "presence" && el.getChildText("show") === "dnd"), { timeoutMs: 5000 });
    await alice.send(xml("presence", { to: CAROL_JID, type: "unsubscribe" }));
    const r = await sipp.result();
    expect({ exit: r.exitCode, why: r.exitCode === 0 ? "" : describeSipp(r) }).toEqual({ exit: 0, why: "" });
    expect(await storeOf(d).listAll("xmppWatcher")).toEqual([]);
  }, 60_000);
});

function storeOf(d: Deployment) {
  const p = d.gateway.presence;
  if (p === undefined) throw new Error("presence not wired");
  return p.store;
}
