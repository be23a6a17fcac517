// Presence with Kamailio 5.6 as the SIP domain's presence server (RFC 3856 PA, RFC 3903 PUBLISH): SIP
// users publish to and subscribe through Kamailio, which relays the XMPP domain to the gateway; the
// gateway's own SUBSCRIBEs go to Kamailio (sip.routes). Prosody and real XMPP clients on the other side.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { xml, type Element } from "../../../src/xmpp/xml.js";
import { startDeployment, SIP_DOMAIN, XMPP_DOMAIN, type Deployment } from "../../support/gateway-harness.js";
import { startKamailio, type KamailioPeer } from "../../support/peers/kamailio.js";
import { describeSipp, runSipp, scenario, startSipp } from "../../support/peers/sipp.js";
import { freePort, waitFor } from "../../support/peers/process.js";
import type { TestXmppClient } from "../../support/xmpp-client.js";

const BOB_JID = `bob@${SIP_DOMAIN}`;
const CAROL_JID = `carol@${SIP_DOMAIN}`;
const isPresence = (type: string | undefined, from: string) => (el: Element) =>
  el.name === "presence" && el.attrs.type === type && String(el.attrs.from).split("/")[0] === from;

describe("presence through Kamailio as the SIP domain's presence server", () => {
  let d: Deployment;
  let kamailio: KamailioPeer;
  let alice: TestXmppClient;

  beforeAll(async () => {
    const kamailioPort = await freePort();
    d = await startDeployment({
      users: ["alice"],
      sipRoute: `sip:127.0.0.1:${kamailioPort}`,
      config: (base) => ({ ...base, presence: { notifyMinIntervalSeconds: 1 } }),
    });
    kamailio = await startKamailio({ domain: SIP_DOMAIN, gatewayDomain: XMPP_DOMAIN, gateway: `127.0.0.1:${d.sipPort}`, port: kamailioPort });
    alice = await d.client("alice");
  }, 40_000);
  afterAll(async () => {
    await d?.stop();
    await kamailio?.stop();
  });

  const failWith = (what: string) => (err: unknown) => {
    throw new Error(`${what}: ${String(err)}\n--- kamailio ---\n${kamailio.log().slice(-3000)}`);
  };

  it("carol PUBLISHes away + note to Kamailio; alice subscribes through the gateway and sees away + the note", async () => {
    const pub = await runSipp({ scenario: scenario("presence-publish-uac.xml"), remote: `127.0.0.1:${kamailio.port}`, transport: "u1", calls: 1, timeoutS: 15 });
    expect({ exit: pub.exitCode, why: pub.exitCode === 0 ? "" : describeSipp(pub) }).toEqual({ exit: 0, why: "" });

    await alice.send(xml("presence", { to: CAROL_JID, type: "subscribe" }));
    // force_active: Kamailio's first NOTIFY is active, so the gateway says subscribed, then her state.
    await alice.waitForStanza(isPresence("subscribed", CAROL_JID), 15_000).catch(failWith("no subscribed"));
    const p = await alice.waitForStanza((el) => isPresence(undefined, CAROL_JID)(el) && el.getChildText("show") !== null, 10_000).catch(failWith("no presence"));
    expect({ show: p.getChildText("show"), status: p.getChildText("status") }).toEqual({ show: "away", status: "back after lunch" });
    // The SIP dialog is the gateway's, toward Kamailio: stored with the presence server's tags.
    const rec = (await d.gateway.presence!.store.listAll("xmppWatcher"))[0];
    expect(rec?.authorization).toBe("subscribed");
    expect(rec?.dialog?.remoteTarget).toContain(`127.0.0.1:${kamailio.port}`);

    // A probe with nothing cached (the cache dropped here by hand) is answered by a one-shot fetch
    // (SUBSCRIBE Expires: 0, RFC 6665 §4.4.3): Kamailio's terminated NOTIFY carries carol's document.
    const presentity = `sip:carol@${SIP_DOMAIN}`;
    await d.gateway.presence!.store.deletePresence(presentity);
    const before = alice.stanzas.length;
    await d.gateway.presence!.xmppWatchers.onProbe(alice.jid, alice.bareJid, presentity);
    await waitFor("probe answered", () => alice.stanzas.length > before, { timeoutMs: 5000 });
    await new Promise((r) => setTimeout(r, 300)); // one stanza per resource: let any others arrive
    const fetched = alice.stanzas.slice(before).filter((el) => isPresence(undefined, CAROL_JID)(el));
    expect(fetched.map((el) => [el.getChildText("show"), el.getChildText("status")])).toEqual([["away", "back after lunch"]]);
    expect((await d.gateway.presence!.store.getPresence(presentity))?.states.map((s) => s.show)).toEqual(["away"]);

    await alice.send(xml("presence", { to: CAROL_JID, type: "unsubscribe" }));
    await waitFor("XMPP watcher removed", async () => (await d.gateway.presence!.store.listAll("xmppWatcher")).length === 0, { timeoutMs: 5000 });
  }, 60_000);

  it("bob subscribes to alice at Kamailio, which relays to the gateway; after alice approves he gets her away + note", async () => {
    // The same conversation as the direct test (pending → active → away → rejected), every request and
    // NOTIFY crossing Kamailio (Record-Route on the initial SUBSCRIBE puts it in the dialog's route set).
    const sipp = await startSipp({ scenario: scenario("presence-sip-watcher-uac.xml"), remote: `127.0.0.1:${kamailio.port}`, transport: "u1", calls: 1, timeoutS: 30 });
    await alice.waitForStanza(isPresence("subscribe", BOB_JID), 10_000).catch(failWith("no subscribe"));
    await alice.send(xml("presence", { to: BOB_JID, type: "subscribed" }));
    const store = d.gateway.presence!.store;
    await waitFor("watcher active", async () => (await store.listByPresentity("sipWatcher", `alice@${XMPP_DOMAIN}`)).some((s) => s.state === "active"), { timeoutMs: 10_000 });
    const rec = (await store.listAll("sipWatcher"))[0];
    expect(rec?.dialog.routeSet.join(",")).toContain(`127.0.0.1:${kamailio.port}`);
    await new Promise((r) => setTimeout(r, 1200));
    await alice.send(xml("presence", {}, xml("show", {}, "away"), xml("status", {}, "gone fishing")));
    await new Promise((r) => setTimeout(r, 1500));
    await alice.send(xml("presence", { to: BOB_JID, type: "unsubscribed" }));
    const r = await sipp.result();
    expect({ exit: r.exitCode, why: r.exitCode === 0 ? "" : `${describeSipp(r)}\n--- kamailio ---\n${kamailio.log().slice(-3000)}` }).toEqual({ exit: 0, why: "" });
    await waitFor("watcher removed", async () => (await store.listAll("sipWatcher")).length === 0, { timeoutMs: 5000 });
  }, 60_000);
});
