// /healthz and /readyz as an orchestrator sees them while the real dependencies come and go:
// Prosody stopped and started again (the component link), redis-server killed and restarted (the
// store). Peers: Prosody, redis-server (both throwaway, on free loopback ports).
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { linkLeaseName } from "../../../src/lifecycle/link-holder.js";
import { startDeployment, SIP_DOMAIN, type Deployment } from "../../support/gateway-harness.js";
import { startRedis, type RedisPeer } from "../../support/peers/redis.js";
import { probe, type Probe } from "../../support/ops-http.js";

async function until(port: number, what: string, ok: (p: Probe) => boolean, timeoutMs = 15_000): Promise<Probe> {
  const deadline = Date.now() + timeoutMs;
  let last: Probe | undefined;
  while (Date.now() < deadline) {
    last = await probe(port, "/readyz");
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: /readyz stayed ${JSON.stringify(last)}`);
}

describe("health and readiness transitions", () => {
  let redis: RedisPeer;
  let d: Deployment;

  beforeAll(async () => {
    redis = await startRedis();
    d = await startDeployment({ config: (base) => ({ ...base, store: { kind: "redis", redisUrl: redis.url } }) });
  }, 30_000);
  afterAll(async () => {
    await d?.stop();
    await redis?.stop();
  });

  it("is live and ready with the link online, SIP bound and Redis answering", async () => {
    expect((await probe(d.gateway.httpPort, "/healthz")).status).toBe(200);
    const r = await until(d.gateway.httpPort, "start", (p) => p.status === 200);
    expect(r.body.checks).toEqual({ xmpp: "ok", sip: "ok", store: "ok" });
  });

  it("turns not ready with the xmpp check failing while Prosody is down, and ready again after", async () => {
    await d.prosody.stopServer();
    const down = await until(d.gateway.httpPort, "prosody stopped", (p) => p.status === 503);
    expect(down.body.checks).toMatchObject({ xmpp: "failing", sip: "ok", store: "ok" });
    expect((await probe(d.gateway.httpPort, "/healthz")).status).toBe(200);

    await d.prosody.startServer();
    const up = await until(d.gateway.httpPort, "prosody started", (p) => p.status === 200);
    expect(up.body.checks).toEqual({ xmpp: "ok", sip: "ok", store: "ok" });
  }, 40_000);

  it("turns not ready with the store check failing while Redis is down, and ready again after", async () => {
    await redis.kill();
    const down = await until(d.gateway.httpPort, "redis killed", (p) => p.status === 503);
    expect(down.body.checks?.store).not.toBe("ok");
    expect(down.body.checks).toMatchObject({ xmpp: "ok", sip: "ok" });
    expect((await probe(d.gateway.httpPort, "/healthz")).status).toBe(200);

    await redis.restart();
    const up = await until(d.gateway.httpPort, "redis restarted", (p) => p.status === 200);
    expect(up.body.checks).toEqual({ xmpp: "ok", sip: "ok", store: "ok" });
    // The restarted Redis lost the link lease (no persistence): at its next renewal the holder takes it
    // again instead of giving the link up, so the gateway keeps serving.
    const store = d.gateway.presence!.store;
    const name = linkLeaseName([SIP_DOMAIN]);
    const deadline = Date.now() + 6000;
    while ((await store.getLease(name)) === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await store.getLease(name)).toMatchObject({ owner: expect.stringContaining(`:${process.pid}:`) });
    expect(d.gateway.xmpp.ready).toBe(true);
    expect((await probe(d.gateway.httpPort, "/readyz")).status).toBe(200);
  }, 40_000);
});
