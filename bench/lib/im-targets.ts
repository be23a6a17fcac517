// The gateways under test, each attached to the same running Prosody as its own component domain:
// stox as a child process (`node src/cli.ts`, so its CPU and memory are its own and not the XMPP test
// client's, which lives in the bench process), and Kamailio's xmpp module through the anchors' up.sh.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, startProcess, tempDir, waitFor, type PeerProcess } from "../../test/support/peers/process.js";
import { groupPids, memoryOf, type Memory } from "./proc-stats.js";

export interface ImTarget {
  readonly name: "stox" | "kamailio";
  /** UDP and TCP port the gateway listens on for SIP. */
  readonly sipPort: number;
  /** SIP From URI of the benchmark's sender: inside the gateway's SIP domain. */
  readonly fromUri: string;
  /** Every process of the gateway (re-read: Kamailio may fork). */
  pids(): number[];
  /** The process that would saturate first, for the table (Kamailio: its busiest worker). */
  readonly description: string;
  memory(): Memory;
  stop(): Promise<void>;
}

export interface TargetEnv {
  readonly componentPort: number;
  /** User domain of the Prosody VirtualHost. */
  readonly xmppDomain: string;
  /** Component (= SIP) domain; Prosody must declare it with `secret`. */
  readonly domain: string;
  readonly secret: string;
}

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface StoxOptions {
  /** node --cpu-prof into this directory (written on the graceful stop). */
  readonly cpuProfDir?: string;
  /** More node flags for the gateway process (e.g. --trace-gc); its output stays in its log. */
  readonly nodeFlags?: readonly string[];
}

export async function startStox(env: TargetEnv, opts: StoxOptions = {}): Promise<ImTarget> {
  const dir = tempDir("bench-stox");
  const sipPort = await freePort();
  const httpPort = await freePort();
  // The same settings as test/support/gateway-harness.ts, with warn-level logs and both flood limits off:
  // one SIPp source and one sending user carry everything here, while in a deployment a proxy carries
  // many users, each far below im.ratePerUserPerSecond (20/s by default). Kamailio has no such limit.
  const config = {
    xmpp: {
      components: [{ domain: env.domain, host: "127.0.0.1", port: env.componentPort, secret: env.secret, keepaliveSeconds: 30, reconnect: { minMs: 100, maxMs: 1000 } }],
      localDomains: [env.xmppDomain],
    },
    sip: {
      domains: [env.domain],
      listen: [{ transport: "udp", host: "127.0.0.1", port: sipPort }, { transport: "tcp", host: "127.0.0.1", port: sipPort }],
      trust: { proxies: ["127.0.0.1/32"] },
      limits: { ratePerSourcePerSecond: 0 },
    },
    http: { host: "127.0.0.1", port: httpPort },
    im: { ratePerUserPerSecond: 0 },
    log: { level: "warn" },
  };
  const configFile = join(dir, "stox.json");
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const prof = opts.cpuProfDir ? ["--cpu-prof", "--cpu-prof-dir", opts.cpuProfDir] : [];
  const proc: PeerProcess = startProcess({
    name: "stox", cmd: process.execPath, dir, cwd: ROOT,
    args: [...prof, ...(opts.nodeFlags ?? []), "--import", join(ROOT, "scripts/ts-register.mjs"), join(ROOT, "src/cli.ts"), "--config", configFile],
  });
  const ready = async () => {
    try {
      return (await fetch(`http://127.0.0.1:${httpPort}/readyz`)).status === 200;
    } catch {
      return false;
    }
  };
  await waitFor("stox /readyz", ready, { timeoutMs: 30_000, intervalMs: 100, peer: proc });
  const pid = proc.child.pid!;
  return {
    name: "stox", sipPort, fromUri: `sip:bob@${env.domain}`, description: "node (1 event loop)",
    pids: () => groupPids(pid),
    memory: () => memoryOf(groupPids(pid)),
    // SIGTERM: a graceful stop, which also lets --cpu-prof write its profile.
    stop: () => proc.stop({ graceMs: 10_000, keep: opts.cpuProfDir !== undefined || opts.nodeFlags !== undefined }),
  };
}

const ANCHOR = "/work/shared/anchors/kamailio-xmpp";
const run = promisify(execFile);

/** Kamailio 5.6 + xmpp module (component mode) via up.sh; throws with up.sh's output when it cannot start. */
export async function startKamailio(env: TargetEnv): Promise<ImTarget> {
  const runDir = tempDir("bench-kamailio");
  const sipPort = await freePort();
  const unusedProxy = await freePort(); // SIP→XMPP only: nothing is sent to the outbound proxy
  try {
    // Asynchronously: the XMPP client in this process must keep reading its socket meanwhile.
    await run(join(ANCHOR, "up.sh"), [runDir], {
      encoding: "utf8", timeout: 60_000,
      env: {
        ...process.env, GW_SIP_PORT: String(sipPort), SIP_PROXY: `127.0.0.1:${unusedProxy}`,
        COMP_PORT: String(env.componentPort), COMP_SECRET: env.secret, SIP_DOMAIN: env.domain, XMPP_DOMAIN: env.xmppDomain,
      },
    });
  } catch (err) {
    const e = err as { code?: unknown; stderr?: string; stdout?: string };
    throw new Error(`kamailio-xmpp up.sh failed (exit ${String(e.code)}): ${e.stderr ?? ""}${e.stdout ?? ""}`);
  }
  const pgid = Number(readFileSync(join(runDir, "gw.pgid"), "utf8").trim());
  return {
    name: "kamailio", sipPort, fromUri: `sip:bob@${env.domain}`, description: "kamailio (4 UDP workers + xmpp process)",
    pids: () => groupPids(pgid),
    memory: () => memoryOf(groupPids(pgid)),
    async stop() {
      await run(join(ANCHOR, "down.sh"), [runDir], { encoding: "utf8", timeout: 30_000 }).catch(() => undefined);
    },
  };
}
