// Directed presence (RFC 6121 §4.6) versus broadcast copies (§4.2.2) on the XMPP → SIP side: a
// presence alice directs to a SIP user who watches nothing of hers here must not become what her SIP
// watchers are told. The real presence gateway and notifier over the fake transaction layer of the
// dialog tests, the real memory store.
import { describe, expect, it } from "@jest/globals";
import { createMemoryStore } from "../../../../src/store/memory-store.js";
import type { Store } from "../../../../src/store/store.js";
import { createPresenceGateway } from "../../../../src/gateway/presence/presence-gateway.js";
import { readStanza } from "../../../../src/xmpp/parse/stanza.js";
import { xml } from "../../../../src/xmpp/xml.js";
import { ALICE, notifierDeps, watcherDialog, watcherRecord } from "./notifier-fixture.js";

async function watcher(store: Store, user: string): Promise<void> {
  await store.putSubscription(watcherRecord(`id-${user}`, user, watcherDialog(user, `-${user}`, 1)));
}

async function gateway(store: Store) {
  const { f, deps } = notifierDeps(store);
  const g = createPresenceGateway(deps);
  await g.restore();
  /** alice's presence as the server delivers it to `to` (a broadcast copy or directed presence). */
  const presence = async (to: string, status: string) => {
    const r = readStanza(xml("presence", { from: `${ALICE}/pc`, to: `${to}@sip.example` }, xml("show", {}, "dnd"), xml("status", {}, status)));
    if (!r.ok) throw new Error("stanza");
    g.onXmppPresence(r.stanza);
    await g.idle();
    for (let i = 0; i < 5; i++) await new Promise((res) => setImmediate(res));
  };
  const notified = () => f.sent.filter((s) => s.request.method === "NOTIFY").map((s) => [s.request.uri.split("@")[0], new TextDecoder().decode(s.request.body).match(/<note[^>]*>([^<]*)</)?.[1]]);
  return { g, presence, notified };
}

describe("XMPP presence → SIP watchers: directed presence stays with its addressee", () => {
  it("presence directed to a SIP user who is no watcher is not NOTIFYed to bob; a broadcast copy to bob is", async () => {
    const store = createMemoryStore();
    await watcher(store, "bob");
    const { g, presence, notified } = await gateway(store);
    // The live index the presence path asks first (no store read): bob watches alice, carol does not.
    expect([g.sipWatchers.watches("sip:bob@sip.example", ALICE), g.sipWatchers.watches("sip:carol@sip.example", ALICE)]).toEqual([true, false]);
    await presence("carol", "only for carol");
    expect(notified()).toEqual([]);
    expect(await store.getPresence(ALICE)).toBeUndefined();
    await presence("bob", "for everyone");
    expect(notified()).toEqual([["sip:bob", "for everyone"]]);
    g.stop();
  });

  it("a broadcast whose first copy goes to a contact without a dialog (offline SIP user) still reaches the watchers", async () => {
    const store = createMemoryStore();
    await watcher(store, "bob");
    await watcher(store, "dave");
    const { g, presence, notified } = await gateway(store);
    // The server's copies in roster order: erin (no subscription here), then bob, then dave.
    for (const to of ["erin", "bob", "dave"]) await presence(to, "lunch");
    expect(notified().sort()).toEqual([["sip:bob", "lunch"], ["sip:dave", "lunch"]]);
    expect((await store.getPresence(ALICE))?.states.map((s) => s.statuses[0]?.text)).toEqual(["lunch"]);
    g.stop();
  });

  it("with no SIP watcher at all, any copy keeps the cache current for the next subscriber", async () => {
    const store = createMemoryStore();
    const { g, presence } = await gateway(store);
    await presence("carol", "around");
    expect((await store.getPresence(ALICE))?.states.map((s) => s.statuses[0]?.text)).toEqual(["around"]);
    g.stop();
  });
});
