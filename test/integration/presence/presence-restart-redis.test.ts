// Presence durability with the Redis store (docs/state.md): a graceful gateway restart keeps every SIP
// dialog (the stopping process detaches instead of terminating, the next one restores from Redis).
// Real Redis, Prosody, XMPP clients and SIPp (a SIP watcher UAC and a SIP presentity's notifier UAS).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import pino from "pino";
import { createGateway, type Gateway } from "../../../src/main.js";
import { xml, type Element } from "../../../src/xmpp/xml.js";
import { startDeployment, SIP_DOMAIN, XMPP_DOMAIN, type Deployment } from "../../support/gateway-harness.js";
import { freePort, tempDir, waitFor } from "../../support/peers/process.js";
import { startRedis, type RedisPeer } from "../../support/peers/redis.js";
import { describeSipp, scenario, startSipp } from "../../support/peers/sipp.js";
import type { TestXmppClient } from "../../support/xmpp-client.js";

const BOB_JID = `bob@${SIP_DOMAIN}`;
const CAROL_JID = `carol@${SIP_DOMAIN}`;
const ALICE = `alice@${XMPP_DOMAIN}`;
const isPresence = (type: string | undefined, from: string) => (el: Element) =>
  el.name === "presence" && el.attrs.type === type && String(el.attrs.from).split("/")[0] === from;

/** CSeq numbers and Call-IDs of the NOTIFYs SIPp received, from its -trace_msg file. */
function notifiesIn(messageFile: string): { readonly cseq: number; readonly callId: string; readonly state: string }[] {
  const text = readFileSync(messageFile, "utf8");
  return text.split(/-{20,}/).filter((m) => /received/.test(m) && /^\s*NOTIFY /m.test(m)).map((m) => ({
    cseq: Number(/^CSeq:\s*(\d+)/im.exec(m)?.[1] ?? NaN),
    callId: /^Call-ID:\s*(\S+)/im.exec(m)?.[1] ?? "",
    state: /^Subscription-State:\s*([a-z]+)/im.exec(m)?.[1] ?? "",
  }));
}

describe("presence across a gateway restart with the Redis store", () => {
  let redis: RedisPeer;
  let d: Deployment;
  let second: Gateway | undefined;
  let alice: TestXmppClient;
  let uasPort: number;

  beforeAll(async () => {
    redis = await startRedis();
    uasPort = await freePort();
    d = await startDeployment({
      users: ["alice"],
      sipRoute: `sip:127.0.0.1:${uasPort}`,
      config: (base) => ({ ...base, presence: { notifyMinIntervalSeconds: 1 }, store: { kind: "redis", redisUrl: redis.url } }),
    });
    alice = await d.client("alice");
  }, 40_000);
  afterAll(async () => {
    await second?.stop();
    await d?.stop();
    await redis?.stop();
  });

  it("a SIP watcher's dialog continues (next CSeq, same dialog), an XMPP watcher's SUBSCRIBE is refreshed by the new process, alice is not re-asked", async () => {
    const traceDir = tempDir("sipp-trace");
    const messages = join(traceDir, "messages.log");
    const watcher = await startSipp({
      scenario: scenario("presence-restart-sip-watcher-uac.xml"), remote: `127.0.0.1:${d.sipPort}`, transport: "u1", calls: 1, timeoutS: 45,
      extraArgs: ["-trace_msg", "-message_file", messages],
    });
    const notifier = await startSipp({ scenario: scenario("presence-restart-xmpp-watcher-uas.xml"), transport: "u1", localPort: uasPort, calls: 1, timeoutS: 45 });

    // Before: bob watches alice (approved), alice watches carol (active, available).
    await alice.waitForStanza(isPresence("subscribe", BOB_JID), 10_000);
    await alice.send(xml("presence", { to: BOB_JID, type: "subscribed" }));
    await alice.send(xml("presence", { to: CAROL_JID, type: "subscribe" }));
    await alice.waitForStanza(isPresence("subscribed", CAROL_JID), 10_000);
    await alice.waitForStanza(isPresence(undefined, CAROL_JID), 10_000);
    const store = d.gateway.presence!.store;
    await waitFor("bob's dialog active", async () => (await store.listByPresentity("sipWatcher", ALICE)).some((s) => s.state === "active"), { timeoutMs: 10_000 });
    const [sipRec] = await store.listAll("sipWatcher");
    const [xmppRec] = await store.listAll("xmppWatcher");

    // Graceful stop: with a Redis store the endpoint detaches (no final NOTIFY, no unsubscribe).
    await d.gateway.stop();
    const stanzasBefore = alice.stanzas.length;
    second = createGateway(d.config, pino({ level: "silent" }));
    await second.start();
    const g = second;
    await waitFor("second gateway's component link", () => g.xmpp.ready, { timeoutMs: 15_000 });
    expect(await g.presence!.store.listAll("sipWatcher")).toEqual([expect.objectContaining({ id: sipRec?.id, state: "active" })]);

    // carol's notifier gets the refresh SUBSCRIBE (CSeq 2, same dialog) from the new process and answers
    // with away; that NOTIFY reaching alice proves the restored subscriber dialog is live.
    const carolAway = await alice.waitForStanza((el) => isPresence(undefined, CAROL_JID)(el) && el.getChildText("show") === "away", 15_000);
    expect(carolAway.getChildText("status")).toBe("after the restart");
    const [xmppAfter] = await g.presence!.store.listAll("xmppWatcher");
    expect({ id: xmppAfter?.id, callId: xmppAfter?.dialog?.id.callId }).toEqual({ id: xmppRec?.id, callId: xmppRec?.dialog?.id.callId });

    // alice changes presence: the new process NOTIFYs bob on the old dialog.
    await new Promise((r) => setTimeout(r, 1200));
    await alice.send(xml("presence", {}, xml("show", {}, "away"), xml("status", {}, "back soon")));
    const w = await watcher.result();
    expect({ exit: w.exitCode, why: w.exitCode === 0 ? "" : describeSipp(w) }).toEqual({ exit: 0, why: "" });
    const notifies = notifiesIn(messages);
    expect(notifies.map((n) => n.state)).toEqual(expect.arrayContaining(["pending", "active", "terminated"]));
    expect(new Set(notifies.map((n) => n.callId)).size).toBe(1);
    // RFC 3261 §12.2.1.1: the CSeq of in-dialog requests increases by one; the restart must not reset it.
    expect(notifies.map((n, i) => n.cseq - (notifies[0]?.cseq ?? 0) - i)).toEqual(notifies.map(() => 0));
    expect(notifies.at(-1)?.state).toBe("terminated");

    // Nothing was re-asked of alice: no second subscribe from bob, no subscribe/subscribed noise from carol.
    const after = alice.stanzas.slice(stanzasBefore);
    expect(after.filter((el) => el.name === "presence" && ["subscribe", "subscribed", "unsubscribed"].includes(String(el.attrs.type)))).toEqual([]);

    await alice.send(xml("presence", { to: CAROL_JID, type: "unsubscribe" }));
    const n = await notifier.result();
    expect({ exit: n.exitCode, why: n.exitCode === 0 ? "" : describeSipp(n) }).toEqual({ exit: 0, why: "" });
  }, 90_000);
});
