// Scale-out: two gateway processes (src/cli.ts, each with its own config file) share one Redis store
// and one Prosody. Prosody takes one component connection per domain, so only the holder of the
// link lease connects; the standby answers SIP with 503 + Retry-After. SIPp sends to both; the holder
// is killed with SIGKILL mid-traffic; the standby must take the link over within the lease TTL (plus
// one poll), and every MESSAGE either process answered 200 must have reached the XMPP user.
// Peers: Prosody, redis-server, SIPp (two UACs over UDP), a real XMPP client; gateways as real processes.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { startProsody, type ProsodyPeer } from "../../support/peers/prosody.js";
import { startRedis, type RedisPeer } from "../../support/peers/redis.js";
import { freePort, startProcess, tempDir, waitFor, type PeerProcess } from "../../support/peers/process.js";
import { startSipp, type SippPeer } from "../../support/peers/sipp.js";
import { messageUacAcceptOrRefuse, scenarioFile } from "../../support/sipp-im-scenarios.js";
import { probe, scrape, valueOf } from "../../support/ops-http.js";
import { connectTestClient, type TestXmppClient } from "../../support/xmpp-client.js";

const SIP_DOMAIN = "sip.example";
const XMPP_DOMAIN = "xmpp.example";
const SECRET = "failover-component-secret";
const LEASE_TTL_MS = 5000; // the gateway's default (src/main.ts)
const REPO = new URL("../../../", import.meta.url).pathname;

interface GatewayProcess {
  readonly name: string;
  readonly proc: PeerProcess;
  readonly sipPort: number;
  readonly httpPort: number;
}

async function startGatewayProcess(name: string, prosody: ProsodyPeer, redis: RedisPeer): Promise<GatewayProcess> {
  const dir = tempDir(`gw-${name}`);
  const sipPort = await freePort();
  const httpPort = await freePort();
  const config = {
    xmpp: {
      components: [{ domain: SIP_DOMAIN, host: "127.0.0.1", port: prosody.componentPort, secret: SECRET, keepaliveSeconds: 30, reconnect: { minMs: 100, maxMs: 1000 } }],
      localDomains: [XMPP_DOMAIN],
    },
    sip: {
      domains: [SIP_DOMAIN],
      listen: [{ transport: "udp", host: "127.0.0.1", port: sipPort }],
      trust: { proxies: ["127.0.0.1/32"] },
      limits: { ratePerSourcePerSecond: 0 },
    },
    store: { kind: "redis", redisUrl: redis.url },
    http: { host: "127.0.0.1", port: httpPort },
    log: { level: "info" },
  };
  const file = join(dir, "stox.json");
  writeFileSync(file, JSON.stringify(config));
  const proc = startProcess({ name: `stox-${name}`, cmd: "node", args: ["--import", join(REPO, "scripts/ts-register.mjs"), join(REPO, "src/cli.ts"), "--config", file], dir, cwd: REPO });
  await waitFor(`${name} /healthz`, async () => (await probe(httpPort, "/healthz").catch(() => undefined))?.status === 200, { peer: proc, timeoutMs: 20_000 });
  return { name, proc, sipPort, httpPort };
}

const holding = async (g: GatewayProcess) => valueOf(await scrape(g.httpPort), "stox_xmpp_link_holder") === 1;
const linkUp = async (g: GatewayProcess) => valueOf(await scrape(g.httpPort), "stox_xmpp_component_up", { domain: SIP_DOMAIN }) === 1;

// 200 or 503 end a call; no answer within 3 s ends it too (the killed process cannot answer).
const uac = (tag: string) => messageUacAcceptOrRefuse({
  from: `sip:bob@${SIP_DOMAIN}`, to: `sip:alice@${XMPP_DOMAIN}`, body: `${tag} [call_number]`, answerTimeoutMs: 3000,
});

/** Final statuses per SIPp call number from a -trace_msg log (SIPp Call-IDs are "<n>-<pid>@<ip>"). */
function finalsByCall(log: string): Map<number, Set<number>> {
  const out = new Map<number, Set<number>>();
  for (const chunk of log.split(/message received \[\d+\] bytes :/)) {
    const status = /^\s*SIP\/2\.0 (\d{3})/.exec(chunk);
    const callId = /^(?:Call-ID|i)\s*:\s*(\d+)-/im.exec(chunk);
    if (!status || !callId || Number(status[1]) < 200) continue;
    const n = Number(callId[1]);
    out.set(n, (out.get(n) ?? new Set()).add(Number(status[1])));
  }
  return out;
}

describe("two gateway processes sharing Redis: link-holder failover", () => {
  let prosody: ProsodyPeer;
  let redis: RedisPeer;
  let a: GatewayProcess | undefined;
  let b: GatewayProcess | undefined;
  let alice: TestXmppClient;
  const sipps: SippPeer[] = [];

  beforeAll(async () => {
    prosody = await startProsody({ host: XMPP_DOMAIN, components: [{ domain: SIP_DOMAIN, secret: SECRET }], users: [{ user: "alice", password: "alice-pw" }] });
    redis = await startRedis();
    alice = await connectTestClient({ port: prosody.c2sPort, domain: XMPP_DOMAIN, username: "alice", password: "alice-pw" });
  }, 30_000);
  afterAll(async () => {
    await Promise.allSettled(sipps.map((s) => s.stop()));
    await alice?.stop();
    await Promise.allSettled([a?.proc.stop(), b?.proc.stop()]);
    await redis?.stop();
    await prosody?.stop();
  });

  it("the standby takes the link over within the lease TTL and no MESSAGE answered 200 is lost", async () => {
    a = await startGatewayProcess("a", prosody, redis);
    const ga = a;
    await waitFor("a holds the link", async () => (await holding(ga)) && (await linkUp(ga)), { peer: ga.proc, timeoutMs: 15_000 });
    b = await startGatewayProcess("b", prosody, redis);
    const gb = b;
    // The standby is ready for its role (it answers SIP), holds no lease and opened no link.
    await waitFor("b ready as standby", async () => (await probe(gb.httpPort, "/readyz")).status === 200, { peer: gb.proc });
    expect(await holding(gb)).toBe(false);
    expect(await linkUp(gb)).toBe(false);

    const dir = tempDir("sipp-failover");
    const logA = join(dir, "a.log");
    const logB = join(dir, "b.log");
    sipps.push(await startSipp({ scenario: scenarioFile("failover-a.xml", uac("to-a")), remote: `127.0.0.1:${ga.sipPort}`, calls: 30, rate: 10, timeoutS: 12, extraArgs: ["-trace_msg", "-message_file", logA] }));
    sipps.push(await startSipp({ scenario: scenarioFile("failover-b.xml", uac("to-b")), remote: `127.0.0.1:${gb.sipPort}`, calls: 120, rate: 10, timeoutS: 30, extraArgs: ["-trace_msg", "-message_file", logB] }));

    await new Promise((r) => setTimeout(r, 2000));
    const killedAt = Date.now();
    process.kill(-ga.proc.child.pid!, "SIGKILL");
    await ga.proc.exited;
    await waitFor("b holds the link and is online", async () => (await holding(gb)) && (await linkUp(gb)), { peer: gb.proc, timeoutMs: 20_000, intervalMs: 100 });
    const failoverMs = Date.now() - killedAt;
    // Expiry comes at most one TTL after the last renewal; the standby polls every TTL/3. 2 s of slack
    // for the handshake and a busy machine.
    expect(failoverMs).toBeLessThan(LEASE_TTL_MS * (4 / 3) + 2000);
    process.stdout.write(`failover: link online on the standby ${failoverMs} ms after SIGKILL of the holder\n`);

    await Promise.all(sipps.map((s) => s.result()));
    const toA = finalsByCall(readFileSync(logA, "utf8"));
    const toB = finalsByCall(readFileSync(logB, "utf8"));
    const okA = [...toA].filter(([, s]) => s.has(200)).map(([n]) => n);
    const okB = [...toB].filter(([, s]) => s.has(200)).map(([n]) => n);
    const refusedB = [...toB].filter(([, s]) => s.has(503)).map(([n]) => n);
    expect(okA.length).toBeGreaterThan(0);
    // B refused while standby and served after the takeover, never both for one MESSAGE; every MESSAGE
    // to B was answered (it never died).
    expect(refusedB.length).toBeGreaterThan(0);
    expect(okB.length).toBeGreaterThan(0);
    expect(Math.max(...refusedB)).toBeLessThan(Math.min(...okB));
    expect(okB.length + refusedB.length).toBe(120);
    expect(readFileSync(logB, "utf8")).toMatch(/SIP\/2\.0 503 Standby Replica\r?\n(?:[^\r\n]+\r?\n)*?Retry-After: 5\r?\n/i);

    const bodies = () => new Set(alice.stanzas.filter((el) => el.name === "message" && el.attrs.type !== "error").map((el) => el.getChildText("body")?.trimEnd()));
    const expected = [...okA.map((n) => `to-a ${n}`), ...okB.map((n) => `to-b ${n}`)];
    const deadline = Date.now() + 5000;
    while (expected.some((x) => !bodies().has(x)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const delivered = bodies();
    expect(expected.filter((x) => !delivered.has(x))).toEqual([]);
    expect(refusedB.filter((n) => delivered.has(`to-b ${n}`))).toEqual([]);
  }, 90_000);
});
