// A whole deployment on loopback for end-to-end tests: a throwaway Prosody serving xmpp.example with the
// gateway attached as component sip.example ("same-domain" style), the gateway in-process on free SIP
// ports, and XMPP test users. The SIP side is whatever the test starts (SIPp, baresip, sip.js).
import pino from "pino";
import { configSchema, type Config, type ConfigInput } from "../../src/config/schema.js";
import { createGateway, type Gateway, type GatewayOptions } from "../../src/main.js";
import { freePort, waitFor } from "./peers/process.js";
import { startProsody, type ProsodyPeer } from "./peers/prosody.js";
import { startEjabberd } from "./peers/ejabberd.js";
import { connectTestClient, type TestXmppClient } from "./xmpp-client.js";

export const SIP_DOMAIN = "sip.example";
export const XMPP_DOMAIN = "xmpp.example";
const SECRET = "component-secret-for-tests";

/** What the tests need of either XMPP server. */
export interface XmppServerPeer {
  readonly c2sPort: number;
  readonly componentPort: number;
  stop(opts?: { readonly keep?: boolean }): Promise<void>;
}

export interface Deployment {
  readonly server: XmppServerPeer;
  /** The Prosody of a Prosody deployment (restart tests); throws for ejabberd. */
  readonly prosody: ProsodyPeer;
  readonly gateway: Gateway;
  readonly config: Config;
  /** The gateway's SIP port (UDP and TCP). */
  readonly sipPort: number;
  client(user: string, opts?: { resource?: string }): Promise<TestXmppClient>;
  stop(): Promise<void>;
}

export interface DeploymentOptions {
  /** Default prosody; ejabberd takes 3–4 s to start, so use it once per suite. */
  readonly server?: "prosody" | "ejabberd";
  readonly users?: readonly string[];
  /** Where the gateway sends requests for sip.example (e.g. a SIPp UAS): "sip:127.0.0.1:PORT;transport=tcp". */
  readonly sipRoute?: string;
  /**
   * "transport" style (XEP-0106): one component domain carries these SIP domains, SIP users appear as
   * bob\40sip.example@<componentDomain>. Default: same-domain, component sip.example.
   */
  readonly transport?: { readonly componentDomain: string; readonly sipDomains: readonly string[] };
  /** Deep overrides merged into the generated config input. */
  readonly config?: (base: ConfigInput) => ConfigInput;
  readonly logLevel?: pino.Level | "silent";
  /** A logger of the test's own (to assert on log lines); overrides logLevel. */
  readonly logger?: pino.Logger;
  /** Lifecycle options; the SIGTERM refuse window defaults to 0 here so teardown stays fast. */
  readonly gateway?: GatewayOptions;
}

export async function startDeployment(opts: DeploymentOptions = {}): Promise<Deployment> {
  const users = opts.users ?? ["alice"];
  const componentDomain = opts.transport?.componentDomain ?? SIP_DOMAIN;
  const sipDomains = opts.transport?.sipDomains ?? [SIP_DOMAIN];
  const serverOpts = {
    host: XMPP_DOMAIN,
    components: [{ domain: componentDomain, secret: SECRET }],
    users: users.map((u) => ({ user: u, password: `${u}-pw` })),
  };
  const prosody = opts.server === "ejabberd" ? undefined : await startProsody(serverOpts);
  const server: XmppServerPeer = prosody ?? (await startEjabberd(serverOpts));
  const sipPort = await freePort();
  const httpPort = await freePort();
  const base: ConfigInput = {
    xmpp: {
      components: [{ domain: componentDomain, host: "127.0.0.1", port: server.componentPort, secret: SECRET, keepaliveSeconds: 30, reconnect: { minMs: 100, maxMs: 1000 } }],
      localDomains: [XMPP_DOMAIN],
    },
    sip: {
      domains: [...sipDomains],
      listen: [
        { transport: "udp", host: "127.0.0.1", port: sipPort },
        { transport: "tcp", host: "127.0.0.1", port: sipPort },
      ],
      routes: opts.sipRoute ? sipDomains.map((domain) => ({ domain, uri: opts.sipRoute! })) : [],
      trust: { proxies: ["127.0.0.1/32"] },
      limits: { ratePerSourcePerSecond: 0 },
    },
    ...(opts.transport ? { addressing: { mappings: [{ style: "transport" as const, componentDomain, sipDomains: [...sipDomains] }] } } : {}),
    http: { host: "127.0.0.1", port: httpPort },
    log: { level: "warn" },
  };
  const config = configSchema.parse(opts.config ? opts.config(base) : base) as Config;
  const logger = opts.logger ?? pino({ level: opts.logLevel ?? (process.env.STOX_TEST_LOG as pino.Level | undefined) ?? "silent" });
  let gateway: Gateway | undefined;
  try {
    gateway = createGateway(config, logger, { refuseWindowMs: 0, ...opts.gateway });
    await gateway.start();
    const g = gateway;
    await waitFor("component link online", () => g.xmpp.ready, { timeoutMs: 10_000 });
  } catch (err) {
    await gateway?.stop().catch(() => undefined);
    await server.stop({ keep: true });
    throw err;
  }
  const clients: TestXmppClient[] = [];
  return {
    server, gateway, config, sipPort,
    get prosody(): ProsodyPeer {
      if (prosody === undefined) throw new Error("this deployment runs ejabberd, not Prosody");
      return prosody;
    },
    async client(user, o = {}) {
      const c = await connectTestClient({ port: server.c2sPort, domain: XMPP_DOMAIN, username: user, password: `${user}-pw`, ...(o.resource ? { resource: o.resource } : {}) });
      clients.push(c);
      return c;
    },
    async stop() {
      await Promise.allSettled(clients.map((c) => c.stop()));
      await gateway.stop();
      await server.stop();
    },
  };
}
