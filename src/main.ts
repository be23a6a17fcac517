// Composition root: builds the adapters from a validated Config, wires the ingress handlers, and owns
// the lifecycle (start in dependency order; on stop: not ready → drain SIP → stop XMPP → close HTTP).
import type { Logger } from "pino";
import { addressPlanConfig, type Config } from "./config/schema.js";
import { createMetrics, type GatewayMetrics } from "./observability/metrics.js";
import { createReadiness, startHttp, type HttpServer, type Readiness } from "./observability/health.js";
import type { SipEndpoint } from "./sip/endpoint.js";
import type { SipListening } from "./sip/stack.js";
import { compileAddressPlan } from "./translate/address-plan.js";
import { compileSipTrust } from "./translate/identity.js";
import { createStanzaDispatcher } from "./xmpp/ingress/dispatch.js";
import { readPackageVersion } from "./xmpp/ingress/iq-config.js";
import { readStanzaError } from "./xmpp/parse/stanza-error.js";
import { createRateLimiter } from "./sip/transport/rate-limit.js";
import { createSipSide } from "./gateway/sip-side.js";
import { createXmppSide, type XmppSide } from "./gateway/xmpp-side.js";
import { createSipMessageIngress } from "./gateway/sip-message-ingress.js";
import { createXmppMessageIngress } from "./gateway/xmpp-message-ingress.js";
import { createPresenceGateway, type PresenceGateway } from "./gateway/presence/presence-gateway.js";
import { createMemoryStore } from "./store/memory-store.js";
import { createRedisStore } from "./store/redis-store.js";
import type { Store } from "./store/store.js";

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
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Thrown for configuration the schema accepts but the address layer cannot compile (a domain name, a CIDR). */
export class GatewayConfigError extends Error {}

// XEP-0030 features the gateway implements today; each one is backed by code and tests.
const GATEWAY_FEATURES = ["jid\\20escaping"];
const USER_FEATURES = ["http://jabber.org/protocol/chatstates", "urn:xmpp:receipts", "http://jabber.org/protocol/xhtml-im"];


/** `{ key: value }` when value is defined, else `{}` (exactOptionalPropertyTypes-friendly spreading). */
const optional = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };

export function createGateway(config: Config, logger: Logger): Gateway {
  const plan = compileAddressPlan(addressPlanConfig(config));
  if (!plan.ok) throw new GatewayConfigError(`addressing: ${plan.error.detail ?? plan.error.code}`);
  const trust = compileSipTrust(config.sip.trust.proxies);
  if (!trust.ok) throw new GatewayConfigError(`sip.trust.proxies: ${trust.error.detail ?? trust.error.code}`);

  const metrics = createMetrics();
  const readiness = createReadiness();
  const sip = createSipSide(config, logger);
  // Timer F is 64·T1: a MESSAGE waiting for the link must be answered well before the client gives up.
  const maxWaitMs = Math.min(config.im.maxWaitMs, 32 * config.sip.timers.t1Ms);
  const xmpp = createXmppSide(config, { holdMs: config.im.holdMs, maxWaitMs }, metrics, logger);
  const userRate = () => config.im.ratePerUserPerSecond > 0
    ? createRateLimiter({ ratePerSecond: config.im.ratePerUserPerSecond, burst: config.im.burstPerUser })
    : undefined;

  const sipMessage = createSipMessageIngress({
    plan: plan.value, trust: trust.value, maxBodyBytes: config.im.maxBodyBytes,
    ...optional("userRate", userRate()),
    trackerFor: (d) => xmpp.trackerFor(d),
    sendNow: (s) => {
      const r = xmpp.send(s);
      return r.kind === "rejected" ? "rejected" : r.kind;
    },
    metrics, logger,
  });
  sip.onMessage(sipMessage);

  const xmppMessage = createXmppMessageIngress({
    plan: plan.value,
    maxBodyBytes: config.im.maxBodyBytes,
    ...optional("userRate", userRate()),
    chatToSip: { cpim: config.im.cpimOutbound, includeThread: config.im.thread },
    sendMessage: (from, to, body, contentType, headers) => sip.sendMessage(from, to, body, contentType, { headers }),
    sendStanza: (s) => {
      const r = xmpp.send(s);
      if (r.kind === "rejected") logger.warn({ reason: r.reason, to: s.attrs.to }, "error stanza not sent");
    },
    bounce: (stanza) => {
      if (stanza.id === undefined) return false;
      return xmpp.trackerFor(stanza.to.getDomain())?.bounce(stanza.id, readStanzaError(stanza.element)) ?? false;
    },
    metrics, logger,
  });

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
  let presence: PresenceGateway | undefined;
  xmpp.onReconnected(() => presence?.onReconnected());
  const startPresence = async () => {
    store = config.store.kind === "redis" && config.store.redisUrl !== undefined
      ? await createRedisStore({ url: config.store.redisUrl, ...(config.store.redisPassword !== undefined ? { password: config.store.redisPassword } : {}), logger })
      : createMemoryStore();
    presence = createPresenceGateway({
      plan: plan.value, trust: trust.value, sip, store, logger,
      sendXmpp: (s) => {
        const r = xmpp.send(s);
        if (r.kind === "rejected") logger.warn({ reason: r.reason, to: s.attrs.to }, "presence stanza not sent");
      },
      config: { ...config.presence, subscribeExpires: config.presence.defaultExpires, reannounceRatePerSecond: 200 },
    });
  };

  readiness.register("xmpp", () => xmpp.ready);
  readiness.register("sip", () => sip.stack.listening().length === config.sip.listen.length);

  let http: HttpServer | undefined;
  return {
    sip, xmpp, metrics, readiness,
    get presence() {
      return presence;
    },
    sipListening: () => sip.stack.listening(),
    get httpPort() {
      return http?.port ?? 0;
    },
    async start() {
      await startPresence();
      await sip.start();
      xmpp.start();
      await presence?.restore();
      http = await startHttp(config.http, { registry: metrics.registry, readiness });
      logger.info({ sip: sip.stack.listening().map((l) => `${l.transport.toLowerCase()}:${l.host}:${l.port}`), components: xmpp.domains, http: http.port }, "gateway started");
    },
    async stop() {
      readiness.drain();
      const deadlineMs = config.shutdown.graceSeconds * 1000;
      // SIP first: new requests get 503, live transactions (MESSAGEs waiting on delivery) finish.
      await sip.close();
      presence?.stop();
      await xmpp.stop(Math.max(1000, deadlineMs / 2));
      await store?.close();
      await http?.close();
      logger.info("gateway stopped");
    },
  };
}
