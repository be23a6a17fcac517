// Presence with the Redis store when Redis is not there: at startup the gateway refuses to start with
// a clear error; killed mid-run, SIP watchers get 503 (transient, docs/state.md) and presence works
// again once Redis is back, with the subscriptions stored before the outage intact (AOF).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { xml, type Element } from "../../../src/xmpp/xml.js";
import { startDeployment, SIP_DOMAIN, type Deployment } from "../../support/gateway-harness.js";
import { freePort, tempDir } from "../../support/peers/process.js";
import { startRedis, type RedisPeer } from "../../support/peers/redis.js";
import { describeSipp, runSipp, scenario } from "../../support/peers/sipp.js";
import type { TestXmppClient } from "../../support/xmpp-client.js";

const isSubscribeFrom = (user: string) => (el: Element) =>
  el.name === "presence" && el.attrs.type === "subscribe" && String(el.attrs.from) === `${user}@${SIP_DOMAIN}`;

describe("presence and a Redis outage", () => {
  it("Redis unavailable at start: start() fails naming the store", async () => {
    const deadPort = await freePort();
    await expect(startDeployment({ config: (base) => ({ ...base, store: { kind: "redis", redisUrl: `redis://127.0.0.1:${deadPort}` } }) }))
      .rejects.toThrow(/store unavailable/);
  }, 30_000);

  describe("Redis killed mid-run", () => {
    let redis: RedisPeer;
    let d: Deployment;
    let alice: TestXmppClient;

    beforeAll(async () => {
      redis = await startRedis({ persistent: true });
      d = await startDeployment({ users: ["alice"], config: (base) => ({ ...base, store: { kind: "redis", redisUrl: redis.url } }) });
      alice = await d.client("alice");
    }, 40_000);
    afterAll(async () => {
      await d?.stop();
      await redis?.stop();
    });

    /** One SUBSCRIBE from `user`; "503" or "200" by what the gateway answered. */
    async function subscribeOnce(user: string): Promise<"503" | "200"> {
      const messages = join(tempDir("sipp-trace"), "messages.log");
      const r = await runSipp({
        scenario: scenario("presence-subscribe-once-uac.xml"), remote: `127.0.0.1:${d.sipPort}`, transport: "u1", calls: 1, timeoutS: 15,
        service: user, extraArgs: ["-trace_msg", "-message_file", messages],
      });
      expect({ exit: r.exitCode, why: r.exitCode === 0 ? "" : describeSipp(r) }).toEqual({ exit: 0, why: "" });
      return /^SIP\/2\.0 503/m.test(readFileSync(messages, "utf8")) ? "503" : "200";
    }

    it("SUBSCRIBEs get 503 while Redis is down, and work again when it is back; stored subscriptions survive", async () => {
      expect(await subscribeOnce("bob")).toBe("200");
      await alice.waitForStanza(isSubscribeFrom("bob"), 10_000);

      await redis.kill();
      expect(await subscribeOnce("carol")).toBe("503");
      // alice's presence while Redis is down: not cached, logged; the gateway must keep running.
      await alice.send(xml("presence", {}, xml("show", {}, "dnd")));
      expect(alice.stanzas.some(isSubscribeFrom("carol"))).toBe(false);

      await redis.restart();
      // ioredis reconnects with a back-off of at most 2 s (src/store/redis-store.ts).
      let answer: "503" | "200" = "503";
      for (let i = 0; i < 10 && answer === "503"; i++) {
        answer = await subscribeOnce("dave");
        if (answer === "503") await new Promise((r) => setTimeout(r, 500));
      }
      expect(answer).toBe("200");
      await alice.waitForStanza(isSubscribeFrom("dave"), 10_000);
      const watchers = (await d.gateway.presence!.store.listAll("sipWatcher")).map((s) => s.watcher).sort();
      expect(watchers).toEqual([`sip:bob@${SIP_DOMAIN}`, `sip:dave@${SIP_DOMAIN}`]);
    }, 90_000);
  });
});
