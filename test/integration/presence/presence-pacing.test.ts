// A roster import seen on the SIP wire: 3 XMPP users each subscribe to 30 SIP contacts at once, with
// presence.subscribeRatePerSecond 10. Every initial SUBSCRIBE goes through the one rate limit, so the
// gateway's wire (stack.observe) shows at most 10 of them in any 1 s span, and every pair still ends
// authorized with its dialog and presence. Real Prosody and XMPP clients; SIPp is every contact's notifier.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { xml, type Element } from "../../../src/xmpp/xml.js";
import { startDeployment, SIP_DOMAIN, type Deployment } from "../../support/gateway-harness.js";
import { describeSipp, scenario, startSipp } from "../../support/peers/sipp.js";
import { freePort, waitFor } from "../../support/peers/process.js";
import type { TestXmppClient } from "../../support/xmpp-client.js";

import { performance } from "node:perf_hooks";

const USERS = ["u1", "u2", "u3"];
const CONTACTS = 30;
const RATE = 10;
const contactsOf = (u: string) => Array.from({ length: CONTACTS }, (_, k) => `${u}c${k}@${SIP_DOMAIN}`);
const fromContact = (type: string | undefined) => (el: Element) =>
  el.name === "presence" && el.attrs.type === type && String(el.attrs.from).split("/")[0]!.endsWith(`@${SIP_DOMAIN}`);

// Memory queue only: BullMQ's limiter (in Redis) is looser at windows of one job per 100 ms — 11 starts
// within 980 ms were seen — see docs/presence-flows.md "Known gaps".
describe("initial SUBSCRIBEs paced by presence.subscribeRatePerSecond (memory queue)", () => {
  let d: Deployment;
  let uasPort: number;
  beforeAll(async () => {
    uasPort = await freePort();
    d = await startDeployment({
      users: USERS,
      sipRoute: `sip:127.0.0.1:${uasPort}`,
      config: (base) => ({ ...base, presence: { subscribeRatePerSecond: RATE } }),
    });
  }, 30_000);
  afterAll(async () => {
    await d?.stop();
  });

  it(`3 users × ${CONTACTS} contacts at once: ≤ ${RATE} initial SUBSCRIBEs in every second, all pairs active`, async () => {
    const initial: number[] = [];
    // Initial = no To tag (RFC 3261 §8.1.1.2); "out" is each transaction's first send, not retransmissions.
    d.gateway.sip.stack.observe!((dir, m) => {
      if (dir === "out" && m.kind === "request" && m.method === "SUBSCRIBE" && !/;\s*tag=/i.test(m.headers.get("to") ?? "")) initial.push(performance.now());
    });
    const notifier = await startSipp({ scenario: scenario("presence-any-notifier-uas.xml"), transport: "u1", localPort: uasPort, calls: USERS.length * CONTACTS, timeoutS: 50 });
    const clients: TestXmppClient[] = await Promise.all(USERS.map((u) => d.client(u)));
    const t0 = performance.now();
    await Promise.all(clients.map((c, i) => Promise.all(contactsOf(USERS[i]!).map((to) => c.send(xml("presence", { to, type: "subscribe" }))))));

    await waitFor("every pair subscribed with presence", () =>
      clients.every((c) => c.stanzas.filter(fromContact("subscribed")).length === CONTACTS && c.stanzas.filter(fromContact(undefined)).length === CONTACTS),
    { timeoutMs: 40_000 });
    const r = await notifier.result();
    expect({ exit: r.exitCode, why: r.exitCode === 0 ? "" : describeSipp(r) }).toEqual({ exit: 0, why: "" });

    expect(initial.length).toBe(USERS.length * CONTACTS);
    // The limiter spaces job starts ≥ 100 ms apart; the datagram leaves a few ms after its job starts,
    // and that delay varies with the event loop's load (measured up to ±3 ms on this 2-core machine with a
    // benchmark running beside: consecutive sends 97…103 ms apart). So the wire is checked over every
    // span of 1 s less JITTER_MS; unpaced, all 90 would leave within about a second.
    const JITTER_MS = 20;
    const peak = Math.max(...initial.map((t) => initial.filter((u) => u >= t && u < t + 1000 - JITTER_MS).length));
    expect(peak).toBeLessThanOrEqual(RATE);
    // 90 at 10/s: the last one goes out ≥ 8.9 s after the first (unpaced, all 90 left within ~1 s).
    expect(initial[initial.length - 1]! - initial[0]!).toBeGreaterThanOrEqual(8900);
    expect(initial[0]! - t0).toBeLessThan(5000);
    for (const c of clients) expect(c.stanzas.some(fromContact("unsubscribed"))).toBe(false);
    const recs = await d.gateway.presence!.store.listAll("xmppWatcher");
    expect(recs.length).toBe(USERS.length * CONTACTS);
    expect(recs.filter((x) => x.authorization === "subscribed" && x.dialog !== undefined && x.retryAfterAt === undefined).length).toBe(USERS.length * CONTACTS);
  }, 60_000);
});
