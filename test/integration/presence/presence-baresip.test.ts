// Presence with a real SIP phone: baresip 1.0 (presence module) as bob@sip.example, its outbound proxy
// the gateway. bob watches alice@xmpp.example (contact with presence=p2p), and alice watches bob, whose
// presence baresip itself serves (RFC 3856 PA in the UA). Prosody and real XMPP clients on the other side.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { xml, type Element } from "../../../src/xmpp/xml.js";
import { startDeployment, SIP_DOMAIN, XMPP_DOMAIN, type Deployment } from "../../support/gateway-harness.js";
import { startBaresip, type BaresipPeer } from "../../support/peers/baresip.js";
import { freePortWithTlsNeighbour, waitFor } from "../../support/peers/process.js";
import type { TestXmppClient } from "../../support/xmpp-client.js";

const BOB_JID = `bob@${SIP_DOMAIN}`;
const isPresence = (type: string | undefined, from: string) => (el: Element) =>
  el.name === "presence" && el.attrs.type === type && String(el.attrs.from).split("/")[0] === from;

describe("presence with baresip", () => {
  let d: Deployment;
  let bob: BaresipPeer;
  let alice: TestXmppClient;

  beforeAll(async () => {
    const baresipPort = await freePortWithTlsNeighbour();
    d = await startDeployment({
      users: ["alice"],
      // The gateway's requests for sip.example go to the phone itself (no registrar in this test).
      sipRoute: `sip:127.0.0.1:${baresipPort}`,
      config: (base) => ({ ...base, presence: { notifyMinIntervalSeconds: 1 } }),
    });
    alice = await d.client("alice");
    bob = await startBaresip({
      user: `sip:bob@${SIP_DOMAIN}`, exactAor: true, port: baresipPort, control: true, outboundProxy: `sip:127.0.0.1:${d.sipPort};lr`,
      presenceContacts: [{ name: "Alice", uri: `sip:alice@${XMPP_DOMAIN}` }], quitAfterS: 60,
    });
  }, 40_000);
  afterAll(async () => {
    await bob?.stop();
    await d?.stop();
  });

  // baresip's presence module maps PIDF to three states: basic open → Online, RPID away (or basic
  // closed) → Offline, busy → Busy. It logs a contact's change of state, except the first one (from
  // its initial Unknown), so the test looks for the changes after approval.
  const statusChanges = () => bob.log().replace(/\x1b\[[0-9;]*m/g, "").match(/<sip:alice@xmpp\.example> changed status from \w+ to \w+/g) ?? [];
  const pastCoalescing = () => new Promise((r) => setTimeout(r, 1200)); // presence.notifyMinIntervalSeconds: 1

  it("baresip watches alice: the gateway asks her, she approves, baresip logs her going away and coming back", async () => {
    await alice.waitForStanza(isPresence("subscribe", BOB_JID), 15_000);
    await alice.send(xml("presence", { to: BOB_JID, type: "subscribed" }));
    await waitFor("watcher active", async () => (await d.gateway.presence!.store.listAll("sipWatcher")).some((s) => s.state === "active"), { timeoutMs: 10_000 });
    await pastCoalescing();
    const before = statusChanges().length;
    await alice.send(xml("presence", {}, xml("show", {}, "away"), xml("status", {}, "gone fishing")));
    await waitFor("alice away in baresip", () => statusChanges().slice(before).includes("<sip:alice@xmpp.example> changed status from Online to Offline"), { timeoutMs: 15_000, peer: bob.process });
    // What made baresip say so: the NOTIFY with RPID away and alice's note (SIP trace, -s).
    expect(bob.log()).toMatch(/<rpid:away\/>[\s\S]*gone fishing/);
    await pastCoalescing();
    await alice.send(xml("presence", {}));
    await waitFor("alice back in baresip", () => statusChanges().at(-1) === "<sip:alice@xmpp.example> changed status from Offline to Online", { timeoutMs: 15_000, peer: bob.process });
  }, 60_000);

  it("alice watches bob: the gateway SUBSCRIBEs to baresip, which answers; bob going online and offline reaches alice", async () => {
    await alice.send(xml("presence", { to: BOB_JID, type: "subscribe" }));
    await alice.waitForStanza(isPresence("subscribed", BOB_JID), 15_000);
    const rec = (await d.gateway.presence!.store.listAll("xmppWatcher"))[0];
    expect({ authorization: rec?.authorization, target: rec?.dialog?.remoteTarget.includes(`127.0.0.1:${bob.port}`) }).toEqual({ authorization: "subscribed", target: true });
    // baresip's first NOTIFY says <basic>?</basic> (no status set yet): not PIDF, so alice hears nothing.
    expect(alice.stanzas.some(isPresence(undefined, BOB_JID))).toBe(false);
    await bob.command("presence_online");
    const online = await alice.waitForStanza(isPresence(undefined, BOB_JID), 10_000);
    expect(online.getChildText("show")).toBeNull(); // plain basic open: available, no <show/>
    const before = alice.stanzas.length;
    await bob.command("presence_offline");
    await waitFor("bob unavailable", () => alice.stanzas.slice(before).some(isPresence("unavailable", BOB_JID)), { timeoutMs: 10_000 });
  }, 60_000);
});
