// A presence benchmark deployment: a throwaway Prosody (xmpp.example, the gateway as component
// sip.example) and the gateway in this process, so that the benchmark can force a GC and read the
// heap (--expose-gc) and watch the gateway's SIP wire (stack.observe). Same settings as
// test/support/gateway-harness.ts, plus what the harness cannot pass: Prosody storage lines and a
// Redis store URL. The bench process also hosts the XMPP test clients: its CPU is gateway + clients.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pino from "pino";
import { configSchema, type Config, type ConfigInput } from "../../src/config/schema.js";
import { createGateway, type Gateway } from "../../src/main.js";
import { freePort, waitFor } from "../../test/support/peers/process.js";
import { startProsody, type ProsodyPeer } from "../../test/support/peers/prosody.js";
import { connectTestClient, type TestXmppClient } from "../../test/support/xmpp-client.js";

export const SIP_DOMAIN = "sip.example";
export const XMPP_DOMAIN = "xmpp.example";
const SECRET = "presence-bench-secret";

/** Prosody roster storage driver: "internal" (files) or "memory". */
export type ProsodyRoster = "internal" | "memory";

export interface PresenceDeploymentOptions {
  readonly users: readonly string[];
  /** Where requests for sip.example go (a SIPp UAS), e.g. "sip:127.0.0.1:PORT". */
  readonly sipRoute?: string;
  /** RFC 3856 §6.10 coalescing interval; 0 for throughput runs. */
  readonly notifyMinIntervalSeconds: number;
  /** A Redis URL: `store: { kind: redis }`; default the memory store. */
  readonly redisUrl?: string;
  /**
   * Prosody keeps a roster as one record per user: with the default "internal" (file) storage every
   * roster change rewrites the whole file, so N contacts cost O(N²). "memory" takes that cost out of
   * the measurement (say so in the figures); "internal" keeps it.
   */
  readonly prosodyRoster: ProsodyRoster;
  readonly config?: (base: ConfigInput) => ConfigInput;
}

export interface PresenceDeployment {
  readonly prosody: ProsodyPeer;
  readonly gateway: Gateway;
  readonly config: Config;
  readonly sipPort: number;
  /** A logged-in user that keeps no stanza log (benchmarks receive thousands). */
  client(user: string): Promise<TestXmppClient>;
  /**
   * Writes `user`'s roster with `contacts` already approved (subscription "from": they see her
   * presence), before she logs in. Internal storage only. Her server then answers a contact's
   * `subscribe` with `subscribed` itself (RFC 6121 §3.1.3), without asking her or changing the roster.
   */
  preapprove(user: string, contacts: readonly string[]): void;
  stop(): Promise<void>;
}

export async function startPresenceDeployment(o: PresenceDeploymentOptions): Promise<PresenceDeployment> {
  const prosody = await startProsody({
    host: XMPP_DOMAIN,
    components: [{ domain: SIP_DOMAIN, secret: SECRET }],
    users: o.users.map((u) => ({ user: u, password: `${u}-pw` })),
    // The harness writes `storage = "internal"`; a second assignment replaces it (Prosody warns "Duplicate option").
    extraGlobal: o.prosodyRoster === "internal" ? "" : `default_storage = "internal"\nstorage = { roster = ${JSON.stringify(o.prosodyRoster)} }`,
  });
  const sipPort = await freePort();
  const base: ConfigInput = {
    xmpp: {
      components: [{ domain: SIP_DOMAIN, host: "127.0.0.1", port: prosody.componentPort, secret: SECRET, keepaliveSeconds: 30, reconnect: { minMs: 100, maxMs: 1000 } }],
      localDomains: [XMPP_DOMAIN],
    },
    sip: {
      domains: [SIP_DOMAIN],
      listen: [{ transport: "udp", host: "127.0.0.1", port: sipPort }, { transport: "tcp", host: "127.0.0.1", port: sipPort }],
      routes: o.sipRoute ? [{ domain: SIP_DOMAIN, uri: o.sipRoute }] : [],
      trust: { proxies: ["127.0.0.1/32"] },
      // One SIPp source carries every watcher here; in a deployment a proxy would (flood limits off).
      limits: { ratePerSourcePerSecond: 0 },
    },
    presence: { notifyMinIntervalSeconds: o.notifyMinIntervalSeconds },
    ...(o.redisUrl ? { store: { kind: "redis" as const, redisUrl: o.redisUrl } } : {}),
    http: { host: "127.0.0.1", port: await freePort() },
    log: { level: "warn" },
  };
  const config = configSchema.parse(o.config ? o.config(base) : base) as Config;
  const gateway = createGateway(config, pino({ level: "warn" }), { refuseWindowMs: 0 });
  try {
    await gateway.start();
    await waitFor("component link online", () => gateway.xmpp.ready, { timeoutMs: 10_000 });
  } catch (err) {
    await gateway.stop().catch(() => undefined);
    await prosody.stop({ keep: true });
    throw err;
  }
  const clients: TestXmppClient[] = [];
  return {
    prosody, gateway, config, sipPort,
    async client(user) {
      const c = await connectTestClient({ port: prosody.c2sPort, domain: XMPP_DOMAIN, username: user, password: `${user}-pw`, record: false });
      clients.push(c);
      return c;
    },
    preapprove(user, contacts) {
      if (o.prosodyRoster !== "internal") throw new Error("preapprove needs the internal (file) roster storage");
      // Prosody 0.12 internal storage: data/<host, "." escaped as %2e>/roster/<user>.dat, a Lua table with
      // one entry per contact JID and the roster metadata under the key `false`.
      const dir = join(prosody.dir, "data", XMPP_DOMAIN.replace(/\./g, "%2e"), "roster");
      mkdirSync(dir, { recursive: true });
      const items = contacts.map((c) => `[${JSON.stringify(c)}] = { subscription = "from"; groups = {}; };`).join("\n");
      writeFileSync(join(dir, `${user}.dat`), `return {\n[false] = { version = 1; pending = {}; };\n${items}\n};\n`);
    },
    async stop() {
      await Promise.allSettled(clients.map((c) => c.stop()));
      await gateway.stop();
      await prosody.stop();
    },
  };
}
