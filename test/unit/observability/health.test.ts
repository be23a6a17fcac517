import { describe, it, expect, afterAll } from "@jest/globals";
import { createReadiness, startHttp, type HttpServer } from "../../../src/observability/health.js";
import { createMetrics } from "../../../src/observability/metrics.js";

const servers: HttpServer[] = [];
afterAll(async () => { await Promise.all(servers.map((s) => s.close())); });

async function get(port: number, path: string): Promise<{ status: number; type: string; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, type: res.headers.get("content-type") ?? "", body: await res.text() };
}

describe("startHttp", () => {
  it("serves /healthz, /metrics and a /readyz that follows the registered checks", async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    metrics.componentLink("sip.example", true);
    const readiness = createReadiness({ timeoutMs: 200 });
    const srv = await startHttp({ host: "127.0.0.1", port: 0 }, { registry: metrics.registry, readiness });
    servers.push(srv);

    expect((await get(srv.port, "/healthz")).status).toBe(200);
    const m = await get(srv.port, "/metrics");
    expect(m.type).toContain("text/plain");
    expect(m.body).toContain('stox_xmpp_component_up{domain="sip.example"} 1');

    // Nothing registered yet: the process is starting, not ready.
    expect((await get(srv.port, "/readyz")).status).toBe(503);

    let linkOnline = false;
    readiness.register("xmpp:sip.example", () => linkOnline);
    readiness.register("sip:udp", () => true);
    readiness.register("store", async () => true);
    const down = await get(srv.port, "/readyz");
    expect(down.status).toBe(503);
    expect(JSON.parse(down.body)).toMatchObject({ ready: false, checks: { "xmpp:sip.example": "failing", "sip:udp": "ok", store: "ok" } });

    linkOnline = true;
    const up = await get(srv.port, "/readyz");
    expect(up.status).toBe(200);
    expect(JSON.parse(up.body)).toMatchObject({ status: "ready", ready: true });

    readiness.drain();
    expect(JSON.parse((await get(srv.port, "/readyz")).body)).toMatchObject({ ready: false, draining: true });
    expect((await get(srv.port, "/nope")).status).toBe(404);
  });

  it("reports a hanging or throwing check as timeout/error instead of hanging the probe", async () => {
    const readiness = createReadiness({ timeoutMs: 50 });
    readiness.register("hang", () => new Promise<boolean>(() => undefined));
    readiness.register("throw", () => { throw new Error("redis down"); });
    const report = await readiness.evaluate();
    expect(report).toEqual({ ready: false, draining: false, checks: { hang: "timeout", throw: "error" } });
  });

  it("closes promptly even with a keep-alive client connected", async () => {
    const srv = await startHttp({ host: "127.0.0.1", port: 0 }, { registry: createMetrics({ defaultMetrics: false }).registry, readiness: createReadiness() });
    await get(srv.port, "/healthz");
    await srv.close();
    await expect(fetch(`http://127.0.0.1:${srv.port}/healthz`)).rejects.toThrow();
  });
});
