// An XMPP watcher's subscription ended with reason=probation;retry-after=1 (RFC 6665 §4.1.3): the
// gateway tells alice nothing and re-SUBSCRIBEs when the delayed subscribe.burst job comes due — with the
// in-process queue, and with BullMQ on a real Redis (store and queue both there, as in production).
// Real Prosody and XMPP client; SIPp as carol's notifier, twice.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { xml, type Element } from "../../../src/xmpp/xml.js";
import { startDeployment, SIP_DOMAIN, type Deployment } from "../../support/gateway-harness.js";
import { freePort } from "../../support/peers/process.js";
import { describeSipp, startSipp } from "../../support/peers/sipp.js";
import { scenario } from "../../support/peers/sipp.js";
import type { TestXmppClient } from "../../support/xmpp-client.js";
import { startRedis, type RedisPeer } from "../../support/peers/redis.js";
import { spawnSync } from "node:child_process";

const CAROL_JID = `carol@${SIP_DOMAIN}`;
const isPresence = (type: string | undefined) => (el: Element) =>
  el.name === "presence" && el.attrs.type === type && String(el.attrs.from).split("/")[0] === CAROL_JID;

describe.each(["memory", "bullmq"] as const)("XMPP watcher re-SUBSCRIBE through the %s job queue", (kind) => {
  let d: Deployment;
  let alice: TestXmppClient;
  let uasPort: number;
  let redis: RedisPeer | undefined;

  beforeAll(async () => {
    uasPort = await freePort();
    if (kind === "bullmq") redis = await startRedis();
    const url = redis?.url;
    d = await startDeployment({
      users: ["alice"],
      sipRoute: `sip:127.0.0.1:${uasPort}`,
      ...(url === undefined ? {} : { config: (base) => ({ ...base, store: { kind: "redis" as const, redisUrl: url }, queue: { kind: "bullmq" as const } }) }),
    });
    alice = await d.client("alice");
  }, 30_000);
  afterAll(async () => {
    await d?.stop();
    await redis?.stop();
  });

  it("probation, retry-after=1 → nothing to alice → re-SUBSCRIBE about 1 s later → subscribed + presence", async () => {
    const refusing = await startSipp({ scenario: scenario("presence-retry-uas.xml"), transport: "u1", localPort: uasPort, calls: 1, timeoutS: 15 });
    await alice.send(xml("presence", { to: CAROL_JID, type: "subscribe" }));
    const r1 = await refusing.result();
    await refusing.stop();
    expect({ exit: r1.exitCode, why: r1.exitCode === 0 ? "" : describeSipp(r1) }).toEqual({ exit: 0, why: "" });
    const refusedAt = Date.now();
    // The port is free again before the job is due (retry-after=1): the accepting notifier takes over.
    const accepting = await startSipp({ scenario: scenario("presence-retry-accept-uas.xml"), transport: "u1", localPort: uasPort, calls: 1, timeoutS: 20 });
    const rec = (await d.gateway.presence!.store.listAll("xmppWatcher"))[0];
    expect(rec?.retryAfterAt).toBeGreaterThan(0);
    await alice.waitForStanza(isPresence("subscribed"), 10_000);
    const p = await alice.waitForStanza(isPresence(undefined), 5000);
    expect(p.getChildText("status")).toBe("second try");
    // Not before Retry-After (the job's delay), allowing for scheduling noise on a shared machine.
    expect(Date.now() - refusedAt).toBeGreaterThanOrEqual(500);
    expect(alice.stanzas.some(isPresence("unsubscribed"))).toBe(false);
    if (redis !== undefined) {
      // The retry really went through BullMQ: its keys are in this Redis.
      const keys = spawnSync("redis-cli", ["-p", String(redis.port), "--scan", "--pattern", "stoxq:subscribe.burst:*"], { encoding: "utf8" }).stdout;
      expect(keys).toMatch(/stoxq:subscribe\.burst:/);
    }
    await alice.send(xml("presence", { to: CAROL_JID, type: "unsubscribe" }));
    const r2 = await accepting.result();
    expect({ exit: r2.exitCode, why: r2.exitCode === 0 ? "" : describeSipp(r2) }).toEqual({ exit: 0, why: "" });
  }, 60_000);
});
