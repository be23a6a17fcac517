// Composition root: builds the adapters from a validated Config, wires the ingress handlers, and owns
// the lifecycle (start in dependency order; stop: src/lifecycle/shutdown.ts; replicas: link-holder.ts).
import type { Logger } from "pino";
import { addressPlanConfig, type Config } from "./config/schema.js";
import { createMetrics, type GatewayMetrics } from "./observability/metrics.js";
import { createReadiness, startHttp, type HttpServer, type Readiness } from "./observability/health.js";
import type { Registration, SipEndpoint } from "./sip/endpoint.js";
import type { SipListening } from "./sip/stack.js";
import { compileAddressPlan } from "./translate/address-plan.js";
import { compileSipTrust } from "./translate/identity.js";
import { createStanzaDispatcher } from "./xmpp/ingress/dispatch.js";
import { readPackageVersion } from "./xmpp/ingress/iq-config.js";
import { createSipSide } from "./gateway/sip-side.js";
import { createSipAuthenticator } from "./gateway/sip-authenticator.js";
import { createImRelay } from "./gateway/im-relay.js";
import { createXmppSide, type XmppSide } from "./gateway/xmpp-side.js";
import { createPresenceGateway, type PresenceGateway } from "./gateway/presence/presence-gateway.js";
import { createMemoryStore } from "./store/memory-store.js";
import { createRedisStore } from "./store/redis-store.js";
import type { Store } from "./store/store.js";
import { createMemoryQueue } from "./queue/memory-queue.js";
import { createBullmqQueue } from "./queue/bullmq-queue.js";
import type { JobQueue } from "./queue/queue.js";
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { queueObserverFor, wireMetrics, wireQueueMetrics } from "./gateway/metrics-wiring.js";
import { createAdmission } from "./lifecycle/admission.js";
import { createLinkHolder, linkLeaseName, type LinkHolder } from "./lifecycle/link-holder.js";
import { shutDown } from "./lifecycle/shutdown.js";

export interface Gateway {
  readonly sip: SipEndpoint;
  readonly xmpp: XmppSide;
  readonly metrics: GatewayMetrics;
  readonly readiness: Readiness;
  /** Presence interworking (set once start() has opened the store). */
  readonly presence: PresenceGateway | undefined;
  /** Bound SIP sockets (ports resolved when configured as 0). */
  sipListening(): readonly SipListening[];
  /** Bound port of the HTTP server (metrics, health). */
  readonly httpPort: number;
  /** The upstream registration (sip.register), once started. */
  readonly registration: Registration | undefined;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Lifecycle knobs that are not deployment configuration (tests shorten them). */
export interface GatewayOptions {
  /** SIGTERM: new SIP requests get 503 for this long before the sockets close (default ¼ of the grace, ≤ 2 s). */
  readonly refuseWindowMs?: number;
  /** Redis store: TTL of the XMPP link-holder lease (default 5000 ms; failover takes about this long). */
  readonly linkLeaseTtlMs?: number;
  /** The lease was taken by another replica: the links cannot be reopened here (default: stop()). */
  readonly onLinkLost?: () => void;
}

/** Thrown for configuration the schema accepts but the address layer cannot compile (a domain name, a CIDR). */
export class GatewayConfigError extends Error {}

// XEP-0030 features the gateway implements today; each one is backed by code and tests.
const GATEWAY_FEATURES = ["jid\\20escaping"];
const USER_FEATURES = ["http://jabber.org/protocol/chatstates", "urn:xmpp:receipts", "http://jabber.org/protocol/xhtml-im"];


/** `{ key: value }` when value is defined, else `{}` (exactOptionalPropertyTypes-friendly spreading). */
const optional = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };

export function createGateway(config: Config, logger: Logger, opts: GatewayOptions = {}): Gateway {
  const plan = compileAddressPlan(addressPlanConfig(config));
  if (!plan.ok) throw new GatewayConfigError(`addressing: ${plan.error.detail ?? plan.error.code}`);
  const trust = compileSipTrust(config.sip.trust.proxies);
  if (!trust.ok) throw new GatewayConfigError(`sip.trust.proxies: ${trust.error.detail ?? trust.error.code}`);

  const metrics = createMetrics();
  const readiness = createReadiness();
  const sip = createSipSide(config, logger);
  // Names the gateway answers to (digest-uri check): SIP domains plus bound and advertised addresses.
  let localHosts: ReadonlySet<string> = new Set(config.sip.domains);
  // Timer F is 64·T1: a MESSAGE waiting for the link must be answered well before the client gives up.
  const maxWaitMs = Math.min(config.im.maxWaitMs, 32 * config.sip.timers.t1Ms);
  const xmpp = createXmppSide(config, { holdMs: config.im.holdMs, maxWaitMs }, metrics, logger);

  // --- ops wiring (metrics, admission, link lease): src/gateway/metrics-wiring.ts, src/lifecycle/ ---
  wireMetrics(metrics, { sip, componentDomains: xmpp.domains });
  const leaseTtlMs = opts.linkLeaseTtlMs ?? 5000;
  const useLease = config.store.kind === "redis";
  const admission = createAdmission({ retryAfterSeconds: useLease ? Math.ceil(leaseTtlMs / 1000) : 5, initial: useLease ? "standby" : "serving" });
  sip.stack.setAdmission?.(admission.check);
  let holder: LinkHolder | undefined;
  // --- end ops wiring ---
  const authenticate = createSipAuthenticator(config.sip.trust, config.sip.domains, trust.value, () => localHosts);
  const xmppMessage = createImRelay({ config, plan: plan.value, trust: trust.value, authenticate, sip, xmpp, metrics, logger });

  const dispatch = createStanzaDispatcher({
    send: (s) => xmpp.send(s),
    iq: {
      domains: new Set(xmpp.domains),
      identityName: "stox SIP gateway",
      features: GATEWAY_FEATURES,
      userFeatures: USER_FEATURES,
      version: { name: "stox", version: readPackageVersion() },
    },
    onMessage: xmppMessage,
    onPresence: (stanza) => {
      if (presence !== undefined) return presence.onXmppPresence(stanza);
      logger.debug({ from: stanza.from.toString(), to: stanza.to.toString(), type: stanza.type ?? "available" }, "presence stanza before start");
    },
    logger,
  });
  xmpp.onStanza(dispatch);

  // Presence (src/gateway/presence/): built in start() because a Redis store connects asynchronously.
  let store: Store | undefined;
  let queue: JobQueue | undefined;
  let presence: PresenceGateway | undefined;
  xmpp.onReconnected(() => presence?.onReconnected());
  const startPresence = async () => {
    store = config.store.kind === "redis" && config.store.redisUrl !== undefined
      ? await createRedisStore({ url: config.store.redisUrl, ...(config.store.redisPassword !== undefined ? { password: config.store.redisPassword } : {}), logger })
      : createMemoryStore();
    // Config validation guarantees a Redis URL for bullmq (queue.redisUrl, else store.redisUrl).
    const queueUrl = config.queue.redisUrl ?? config.store.redisUrl;
    const queuePassword = config.queue.redisPassword ?? config.store.redisPassword;
    queue = config.queue.kind === "bullmq" && queueUrl !== undefined
      ? await createBullmqQueue({ url: queueUrl, ...optional("password", queuePassword), logger, observer: queueObserverFor(metrics) })
      : createMemoryQueue({ logger, observer: queueObserverFor(metrics) });
    wireQueueMetrics(metrics, queue);
    presence = createPresenceGateway({
      plan: plan.value, trust: trust.value, authenticate, sip, store, queue, logger,
      sendXmpp: (s) => {
        const r = xmpp.send(s);
        if (r.kind === "rejected") logger.warn({ reason: r.reason, to: s.attrs.to }, "presence stanza not sent");
      },
      config: { ...config.presence, subscribeExpires: config.presence.defaultExpires },
    });
  };

  // A standby replica (another one holds the link lease) is ready for its role: it answers SIP with
  // 503 + Retry-After so a dispatcher routes to the holder (docs/scaling.md).
  readiness.register("xmpp", () => (admission.state === "standby" ? true : xmpp.ready));
  readiness.register("sip", () => sip.stack.listening().length === config.sip.listen.length);

  let http: HttpServer | undefined;
  let stopping: Promise<void> | undefined;
  // Optional upstream registration (sip.register): the proxy learns where the gateway is.
  let registration: Registration | undefined;
  const registerUpstream = (): void => {
    const r = config.sip.register;
    if (r === undefined) return;
    registration = sip.register({ aor: r.aor, registrar: r.registrar, expires: r.expires });
    registration.onStatus((st) => {
      if (st.state === "registered") logger.info({ aor: r.aor, expires: st.expires }, "registered upstream");
      else if (st.state === "failed") logger.warn({ aor: r.aor, status: st.status, reason: st.reason }, "upstream registration failed");
    });
  };
  const connectXmpp = async (): Promise<void> => {
    xmpp.start();
    await presence?.restore();
  };
  const stop = (): Promise<void> => (stopping ??= shutDown({
    notReady: () => readiness.drain(),
    refuseNew: () => admission.set("draining"),
    refuseWindowMs: opts.refuseWindowMs ?? Math.min(2000, config.shutdown.graceSeconds * 250),
    idle: () => sip.stack.stats().transactions === 0,
    closeSip: async () => {
      // RFC 3261 §10.2.2: remove our binding so the proxy stops routing to a process that is gone.
      await registration?.unregister().catch((err: unknown) => logger.warn({ err }, "unregister failed"));
      // docs/presence-flows.md: with the Redis store a peer replica continues the SIP dialogs, so they
      // are left alone; with the memory store they die with us, so watchers get a final NOTIFY.
      await sip.close({ keepSubscriptions: config.store.kind === "redis" });
      presence?.stop();
    },
    stopXmpp: () => xmpp.stop(Math.max(1000, (config.shutdown.graceSeconds * 1000) / 2)),
    releaseLink: async () => {
      // Before the link goes to a standby that restores the dialogs: every CSeq is stored by now, so
      // they continue contiguously (docs/presence-flows.md, "Redis store: restart and outages").
      // Only while holding the lease: after onLost another replica may already run these dialogs.
      if (config.store.kind === "redis" && holder?.holding === true) await presence?.markCleanStop().catch((err: unknown) => logger.warn({ err }, "clean stop not marked"));
      await holder?.stop();
      metrics.linkHolder(false);
    },
    closeStore: async () => {
      await presence?.idle();
      await queue?.close({ graceful: true });
      await store?.close();
    },
    closeHttp: async () => { await http?.close(); },
  }, logger).then(() => logger.info("gateway stopped")));
  return {
    sip, xmpp, metrics, readiness,
    get presence() {
      return presence;
    },
    sipListening: () => sip.stack.listening(),
    get httpPort() {
      return http?.port ?? 0;
    },
    get registration() {
      return registration;
    },
    async start() {
      await startPresence();
      if (useLease && store !== undefined) {
        const s = store;
        readiness.register("store", async () => { await s.ping(); return true; });
      }
      await sip.start();
      localHosts = new Set([...config.sip.domains, ...sip.stack.listening().flatMap((l) => [l.host, l.advertisedHost])].map((h) => h.toLowerCase()));
      http = await startHttp(config.http, { registry: metrics.registry, readiness });
      registerUpstream();
      if (useLease && store !== undefined) {
        holder = createLinkHolder({
          store, name: linkLeaseName(xmpp.domains), owner: `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`, ttlMs: leaseTtlMs, logger,
          onAcquired: () => {
            metrics.linkHolder(true);
            admission.set("serving");
            connectXmpp().catch((err: unknown) => logger.error({ err }, "presence restore failed"));
          },
          onLost: () => {
            metrics.linkHolder(false);
            (opts.onLinkLost ?? (() => void stop()))();
          },
        });
        await holder.start();
      } else {
        await connectXmpp();
      }
      logger.info({ sip: sip.stack.listening().map((l) => `${l.transport.toLowerCase()}:${l.host}:${l.port}`), components: xmpp.domains, http: http.port }, "gateway started");
    },
    stop,
  };
}
