// Builds the project's Dockerfile, unchanged, with a real Docker daemon (test/support/docker.ts) and
// checks what an operator relies on: non-root user, sane size, the production dist and dependencies
// load the example configs, and the image's own HEALTHCHECK command passes against a live /healthz.
import { describe, it, expect, beforeAll, afterAll } from "@jest/globals";
import { rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { ensureDocker, type Docker } from "../../support/docker.js";
import { freePort, tempDir, waitFor } from "../../support/peers/process.js";
import { startProsody, type ProsodyPeer } from "../../support/peers/prosody.js";
import { startRedis, type RedisPeer } from "../../support/peers/redis.js";
import { runSipp, describeSipp } from "../../support/peers/sipp.js";
import { messageUac, scenarioFile } from "../../support/sipp-im-scenarios.js";
import { connectTestClient, type TestXmppClient } from "../../support/xmpp-client.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const IMAGE = "stox:test";
let docker: Docker;
const containers: string[] = [];

beforeAll(async () => {
  docker = await ensureDocker();
  const started = Date.now();
  await docker.must(["build", "--network", "host", "-t", IMAGE, root], { timeoutMs: 900_000 });
  console.log(`docker build ${IMAGE}: ${Math.round((Date.now() - started) / 1000)} s`);
}, 1_800_000);

afterAll(async () => {
  for (const id of containers) await docker.run(["rm", "-f", id]);
});

describe("container image", () => {
  it("runs as a non-root user", async () => {
    const uid = (await docker.must(["run", "--rm", "--network", "host", "--entrypoint", "id", IMAGE, "-u"])).trim();
    expect(uid).toMatch(/^\d+$/);
    expect(uid).not.toBe("0");
  }, 60_000);

  it("has a sane size, the entrypoint, and a HEALTHCHECK on /healthz", async () => {
    const inspect = JSON.parse(await docker.must(["image", "inspect", IMAGE])) as { Size: number; Config: { Entrypoint: string[]; Healthcheck?: { Test: string[] }; User: string } }[];
    const img = inspect[0]!;
    console.log(`image ${IMAGE}: ${(img.Size / 1e6).toFixed(1)} MB`);
    expect(img.Size).toBeLessThan(400e6);
    expect(img.Config.Entrypoint).toEqual(["node", "dist/src/cli.js"]);
    expect(img.Config.User).toBe("node");
    expect(img.Config.Healthcheck?.Test.join(" ")).toContain("/healthz");
  }, 60_000);

  it("ships dist/ and the production dependencies: the config loader accepts the examples and names bad keys", async () => {
    const script = "const { loadConfig, formatConfigErrors } = await import('/app/dist/src/config/load.js');"
      + "const r = loadConfig({ file: process.argv[1], env: process.env });"
      + "console.log(r.ok ? 'config ok' : formatConfigErrors(r.error)); process.exit(r.ok ? 0 : 1);";
    const run = (file: string, env: string[]) => docker.run(["run", "--rm", "--network", "host", ...env.flatMap((e) => ["-e", e]), "--entrypoint", "node", IMAGE, "--input-type=module", "-e", script, file]);
    for (const example of ["federation", "transport"]) {
      const r = await run(`/app/examples/${example}.yaml`, ["STOX_XMPP__COMPONENTS__0__SECRET=s3cret"]);
      expect(`${r.stdout}${r.stderr}`).toContain("config ok");
    }
    const bad = await run("/app/examples/federation.yaml", ["STOX_SIP__LIMITS__BURST=lots"]);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain("xmpp.components[0].secret: required");
    expect(bad.stdout).toContain("sip.limits.burst: Expected number, received string (from STOX_SIP__LIMITS__BURST)");
  }, 60_000);

  it("answers --help and checks a config through the entrypoint (exit 2 naming the key)", async () => {
    const help = await docker.run(["run", "--rm", "--network", "host", IMAGE, "--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("usage: stox");
    const good = await docker.run(["run", "--rm", "--network", "host", "-e", "STOX_XMPP__COMPONENTS__0__SECRET=x", IMAGE, "--config", "/app/examples/transport.yaml", "--check-config"]);
    expect(`${good.status} ${good.stdout}`).toBe("0 configuration is valid\n");
    const bad = await docker.run(["run", "--rm", "--network", "host", IMAGE, "--config", "/app/examples/transport.yaml", "--check-config"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("xmpp.components[0].secret: required");
  }, 60_000);

  it("the image's HEALTHCHECK command passes against the real /healthz served from dist/", async () => {
    const port = await freePort();
    const server = "const { startHttp, createReadiness } = await import('/app/dist/src/observability/health.js');"
      + "const { createMetrics } = await import('/app/dist/src/observability/metrics.js');"
      + "await startHttp({ host: '127.0.0.1', port: Number(process.env.STOX_HTTP__PORT) }, { registry: createMetrics().registry, readiness: createReadiness() });";
    const id = (await docker.must(["run", "-d", "--network", "host", "-e", `STOX_HTTP__PORT=${port}`, "--entrypoint", "node", IMAGE, "--input-type=module", "-e", server])).trim();
    containers.push(id);
    await waitFor("metrics server in the container", async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok === true, { timeoutMs: 30_000, intervalMs: 200 });
    const inspect = JSON.parse(await docker.must(["image", "inspect", IMAGE])) as { Config: { Healthcheck: { Test: string[] } } }[];
    const [kind, ...cmd] = inspect[0]!.Config.Healthcheck.Test;
    expect(kind).toBe("CMD");
    const probe = await docker.run(["exec", id, ...cmd]);
    expect(probe.status).toBe(0);
    await docker.must(["rm", "-f", id]);
    // With nothing listening the same command must fail, or the check proves nothing.
    const [node, ...nodeArgs] = cmd;
    const dead = await docker.run(["run", "--rm", "--network", "host", "-e", `STOX_HTTP__PORT=${port}`, "--entrypoint", node!, IMAGE, ...nodeArgs]);
    expect(dead.status).toBe(1);
  }, 60_000);
});

// The whole gateway in its container (--network host) against a throwaway Prosody and Redis (state
// store and BullMQ queue, as in production): a SIP MESSAGE from SIPp reaches a real XMPP client, and
// SIGTERM stops the container within the grace period.
describe("the gateway in its container", () => {
  const SECRET = "container-component-secret";
  let prosody: ProsodyPeer;
  let redis: RedisPeer;
  let alice: TestXmppClient;
  let dir: string;
  let id = "";
  let sipPort: number;
  let httpPort: number;

  beforeAll(async () => {
    prosody = await startProsody({ host: "xmpp.example", components: [{ domain: "sip.example", secret: SECRET }], users: [{ user: "alice", password: "alice-pw" }] });
    redis = await startRedis();
    [sipPort, httpPort] = [await freePort(), await freePort()];
    dir = tempDir("container");
    const config = {
      xmpp: { components: [{ domain: "sip.example", host: "127.0.0.1", port: prosody.componentPort, secretFile: "/run/secrets/stox/component-secret" }], localDomains: ["xmpp.example"] },
      sip: {
        domains: ["sip.example"],
        listen: [{ transport: "udp", host: "127.0.0.1", port: sipPort }, { transport: "tcp", host: "127.0.0.1", port: sipPort }],
        trust: { proxies: ["127.0.0.1/32"] },
        limits: { ratePerSourcePerSecond: 0 },
      },
      store: { kind: "redis", redisUrl: redis.url },
      queue: { kind: "bullmq" },
      http: { host: "127.0.0.1", port: httpPort },
      shutdown: { graceSeconds: 5 },
    };
    writeFileSync(join(dir, "stox.yaml"), stringify(config), { mode: 0o644 });
    writeFileSync(join(dir, "component-secret"), `${SECRET}\n`, { mode: 0o644 });
    id = (await docker.must(["run", "-d", "--init", "--network", "host",
      "-v", `${join(dir, "stox.yaml")}:/etc/stox/stox.yaml:ro`,
      "-v", `${join(dir, "component-secret")}:/run/secrets/stox/component-secret:ro`,
      IMAGE])).trim();
    containers.push(id);
    const ready = async () => (await fetch(`http://127.0.0.1:${httpPort}/readyz`).catch(() => undefined))?.status === 200;
    await waitFor("gateway /readyz in the container", ready, { timeoutMs: 30_000, intervalMs: 250 }).catch(async (e: Error) => {
      throw new Error(`${e.message}\n--- container log ---\n${(await docker.run(["logs", id])).stderr.slice(-4000)}`);
    });
    alice = await connectTestClient({ port: prosody.c2sPort, domain: "xmpp.example", username: "alice", password: "alice-pw" });
  }, 60_000);

  afterAll(async () => {
    await alice?.stop();
    await prosody?.stop();
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("relays a SIP MESSAGE to the XMPP user and answers 200", async () => {
    const r = await runSipp({
      scenario: scenarioFile("container-message.xml", messageUac({ from: "sip:bob@sip.example", to: "sip:alice@xmpp.example", contentType: "text/plain;charset=UTF-8", body: "hello from the container", expectStatus: 200 })),
      remote: `127.0.0.1:${sipPort}`, transport: "u1", calls: 1, rate: 10, timeoutS: 20,
    });
    expect({ exit: r.exitCode, why: r.exitCode === 0 ? "" : describeSipp(r) }).toEqual({ exit: 0, why: "" });
    const m = await alice.waitForStanza((el) => el.name === "message" && el.getChildText("body")?.trim() === "hello from the container", 5000).catch(async (e: Error) => {
      throw new Error(`${e.message}\n${alice.stanzas.map(String).join("\n")}\n--- container log ---\n${(await docker.run(["logs", id])).stdout.slice(-3000)}`);
    });
    expect(String(m.attrs.from)).toMatch(/^bob@sip\.example/);
    const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    expect(metrics).toContain('stox_xmpp_component_up{domain="sip.example"} 1');
    // With the Redis store the container holds the XMPP link through its lease, and its state is in Redis.
    expect(metrics).toContain("stox_xmpp_link_holder 1");
  }, 60_000);

  it("stops on SIGTERM within the grace period with exit code 0", async () => {
    const started = Date.now();
    await docker.must(["kill", "--signal", "SIGTERM", id]);
    const code = (await docker.must(["wait", id], { timeoutMs: 30_000 })).trim();
    const seconds = (Date.now() - started) / 1000;
    console.log(`container stopped ${seconds.toFixed(1)} s after SIGTERM (grace 5 s)`);
    expect(code).toBe("0");
    expect(seconds).toBeLessThan(5 + 5);
  }, 60_000);
});
