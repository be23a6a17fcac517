// The gateway's configuration: ONE zod schema gives the TypeScript types, the defaults, the doc strings,
// the environment variable names (src/config/env.ts), docs/config.md, the sample file and the Helm
// chart's values.schema.json (scripts/render-config-docs.ts). Nothing reads config ad hoc elsewhere.
import { z } from "zod";
import type { AddressPlanConfig } from "../domain/address.js";
import { domain, port, host, secret } from "./fields.js";
import { sipSchema } from "./schema-sip.js";
import { xmppSchema } from "./schema-xmpp.js";

const mappingSchema = z.discriminatedUnion("style", [
  z
    .object({
      style: z.literal("same-domain").describe("The component domain is the SIP domain: XMPP users write to bob@sip.example."),
      sipDomain: domain("Domain that is both a SIP domain and a component domain."),
    })
    .strict(),
  z
    .object({
      style: z.literal("transport").describe("One component domain carries many SIP domains with XEP-0106-escaped JIDs: bob\\40sip.example@sip.gw.example."),
      componentDomain: domain("Component domain of the transport."),
      sipDomains: z.array(domain("SIP domain")).min(1).describe("SIP domains reached through this transport."),
    })
    .strict(),
]);

const addressingSchema = z
  .object({
    mappings: z
      .array(mappingSchema)
      .describe("How component domains stand for SIP domains. Empty: every component domain that is also a SIP domain is same-domain.")
      .default([]),
  })
  .strict()
  .describe("SIP URI ⇄ JID addressing (RFC 7247 §4, §5).")
  .default({});

const redisUrl = z.string().regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL");

const sections = {
  xmpp: xmppSchema,
  sip: sipSchema,
  addressing: addressingSchema,
  im: z
    .object({
      cpimOutbound: z.boolean().describe("Wrap outbound SIP MESSAGE bodies in message/cpim (RFC 3862).").default(false),
      thread: z.enum(["drop", "header"]).describe("XMPP <thread/> on outbound MESSAGEs: drop it, or carry it in a header.").default("drop"),
      maxBodyBytes: z.number().int().min(1).describe("Largest IM body relayed; larger ones are refused (413 / policy-violation).").default(32_768),
      holdMs: z.number().int().min(0).max(30_000).describe("A SIP MESSAGE is answered 200 once the XMPP server has processed its stanza without bouncing it (a ping barrier on the component stream, docs/architecture.md); this extra wait also catches errors sent later by the recipient's client. Keep it well below sip.timers.t1Ms so UDP clients do not retransmit.").default(0),
      maxWaitMs: z.number().int().min(100).describe("Longest a SIP MESSAGE waits for the XMPP link to come back before it is answered 503 (capped at 32·T1, half of Timer F).").default(8000),
      ratePerUserPerSecond: z.number().min(0).describe("Messages per second per sending user, each direction (token bucket; 0 disables). Excess: SIP 503 + Retry-After / XMPP wait policy-violation.").default(20),
      burstPerUser: z.number().int().min(1).describe("Token bucket size per sending user.").default(40),
    })
    .strict()
    .describe("Instant messaging (RFC 7572).")
    .default({}),
  presence: z
    .object({
      notifyMinIntervalSeconds: z.number().min(0).describe("Coalesce NOTIFYs per dialog to at most one per interval (RFC 6665 notifier rate control; section recalled).").default(5),
      defaultExpires: z.number().int().min(1).describe("SUBSCRIBE Expires when the request has none (RFC 3856 §6.4 default, recalled: 3600).").default(3600),
      minExpires: z.number().int().min(1).describe("Shorter SUBSCRIBE Expires are refused with 423 (423 Interval Too Brief, RFC 6665 §4.2.1.1 recalled).").default(60),
      maxExpires: z.number().int().min(1).describe("Longer SUBSCRIBE Expires are reduced to this.").default(86_400),
      maxSubscriptionsPerUser: z.number().int().min(1).describe("Active subscriptions per user.").default(1000),
      maxSubscriptionsPerDomain: z.number().int().min(1).describe("Active subscriptions per remote domain.").default(100_000),
      subscribeRatePerSecond: z.number().int().min(1).max(100_000)
        .describe("Initial SUBSCRIBEs the gateway sends per second, all replicas together: new XMPP subscriptions, retries and re-SUBSCRIBEs after a restart share this limit (a roster import or login storm is paced; the XMPP user sees the contact pending meanwhile). Refreshes within an existing dialog are not paced.")
        .default(200),
      reannounceRatePerSecond: z.number().int().min(1).max(100_000)
        .describe("Presence stanzas per second when re-announcing cached presence (and re-probing XMPP users) after a component reconnect or a restart.")
        .default(200),
    })
    .strict()
    .describe("Presence (RFC 7248/8048, RFC 3856).")
    .default({}),
  store: z
    .object({
      kind: z.enum(["memory", "redis"]).describe("memory: single process, lost on restart; redis: shared and durable.").default("memory"),
      redisUrl: redisUrl.describe("Redis URL when kind is redis; keep the password out of it and use redisPassword.").optional(),
      redisPassword: secret("Redis AUTH password (overrides one in the URL).").optional(),
    })
    .strict()
    .describe("State store (dialogs, watchers, presence cache).")
    .default({}),
  queue: z
    .object({
      kind: z.enum(["memory", "bullmq"]).describe("memory: in-process; bullmq: Redis-backed, survives restarts.").default("memory"),
      redisUrl: redisUrl.describe("Redis URL when kind is bullmq (defaults to store.redisUrl).").optional(),
      redisPassword: secret("Redis AUTH password for the queue (defaults to store.redisPassword).").optional(),
      concurrency: z.number().int().min(1).describe("Jobs processed in parallel per worker.").default(8),
    })
    .strict()
    .describe("Job queue (fan-out, refreshes, rate-limited subscribes).")
    .default({}),
  http: z
    .object({
      host: host("Address of the metrics/health server.").default("0.0.0.0"),
      port: port("Port of /metrics, /healthz, /readyz.").default(9090),
    })
    .strict()
    .describe("Metrics and health HTTP server.")
    .default({}),
  log: z
    .object({
      level: z.enum(["fatal", "error", "warn", "info", "debug", "trace"]).describe("pino log level.").default("info"),
      bodies: z.boolean().describe("Log message bodies (IM text, PIDF). Off by default: bodies are personal data.").default(false),
    })
    .strict()
    .describe("Logging.")
    .default({}),
  shutdown: z
    .object({
      graceSeconds: z.number().min(0).describe("On SIGTERM: stop accepting, drain in-flight work for at most this long.").default(20),
    })
    .strict()
    .describe("Graceful shutdown.")
    .default({}),
};

/** The config object before cross-field checks: what the docs, env names and JSON Schema walk. */
export const configObjectSchema = z.object(sections).strict();

export const configSchema = configObjectSchema.superRefine((c, ctx) => {
  const components = new Set<string>();
  c.xmpp.components.forEach((comp, i) => {
    if (components.has(comp.domain)) ctx.addIssue({ code: "custom", path: ["xmpp", "components", i, "domain"], message: `duplicate component domain ${comp.domain}` });
    components.add(comp.domain);
  });
  const sipDomains = new Set(c.sip.domains);
  // Every SIP domain must appear under exactly one component domain (src/domain/address.ts AddressPlanConfig).
  const covered = new Map<string, number>();
  c.addressing.mappings.forEach((m, i) => {
    const comp = m.style === "same-domain" ? m.sipDomain : m.componentDomain;
    if (!components.has(comp)) ctx.addIssue({ code: "custom", path: ["addressing", "mappings", i], message: `${comp} is not a configured component domain (xmpp.components[].domain)` });
    const sips = m.style === "same-domain" ? [m.sipDomain] : m.sipDomains;
    for (const d of sips) {
      if (!sipDomains.has(d)) ctx.addIssue({ code: "custom", path: ["addressing", "mappings", i], message: `${d} is not in sip.domains` });
      covered.set(d, (covered.get(d) ?? 0) + 1);
    }
  });
  if (c.addressing.mappings.length === 0) for (const d of components) if (sipDomains.has(d)) covered.set(d, 1);
  for (const d of c.sip.domains) {
    const n = covered.get(d) ?? 0;
    if (n !== 1) ctx.addIssue({ code: "custom", path: ["addressing", "mappings"], message: n === 0 ? `SIP domain ${d} has no component domain: add a same-domain or transport mapping` : `SIP domain ${d} is mapped ${n} times` });
  }
  c.sip.listen.forEach((l, i) => {
    if ((l.transport === "tls" || l.transport === "wss") && !c.sip.tls) ctx.addIssue({ code: "custom", path: ["sip", "listen", i, "transport"], message: `${l.transport} needs sip.tls (certFile, keyFile)` });
  });
  if (c.sip.trust.digest && c.sip.trust.users.length === 0) ctx.addIssue({ code: "custom", path: ["sip", "trust", "users"], message: "trust.digest needs at least one user" });
  if (c.store.kind === "redis" && !c.store.redisUrl) ctx.addIssue({ code: "custom", path: ["store", "redisUrl"], message: "required when store.kind is redis" });
  if (c.queue.kind === "bullmq" && !c.queue.redisUrl && !c.store.redisUrl) ctx.addIssue({ code: "custom", path: ["queue", "redisUrl"], message: "required when queue.kind is bullmq (or set store.redisUrl)" });
  if (c.presence.minExpires > c.presence.maxExpires) ctx.addIssue({ code: "custom", path: ["presence", "minExpires"], message: "must not exceed presence.maxExpires" });
  c.xmpp.components.forEach((comp, i) => {
    if (comp.reconnect.minMs > comp.reconnect.maxMs) ctx.addIssue({ code: "custom", path: ["xmpp", "components", i, "reconnect", "minMs"], message: "must not exceed reconnect.maxMs" });
  });
});

type DeepReadonly<T> = T extends (infer E)[] ? readonly DeepReadonly<E>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;

/** The validated, defaulted, frozen configuration every module receives (or a section of it). */
export type Config = DeepReadonly<z.output<typeof configSchema>>;
/** What a config file may contain (defaults optional). */
export type ConfigInput = z.input<typeof configSchema>;
export type XmppComponentConfig = Config["xmpp"]["components"][number];
export type SipConfig = Config["sip"];
export type SipListenConfig = Config["sip"]["listen"][number];
export type AddressMapping = Config["addressing"]["mappings"][number];
export type LogConfig = Config["log"];
export type HttpConfig = Config["http"];

/** The addressing mappings in effect: the configured list, or same-domain for every component domain that is a SIP domain. */
export function effectiveMappings(c: Config): readonly AddressMapping[] {
  if (c.addressing.mappings.length > 0) return c.addressing.mappings;
  const sip = new Set(c.sip.domains);
  return c.xmpp.components.filter((x) => sip.has(x.domain)).map((x) => ({ style: "same-domain" as const, sipDomain: x.domain }));
}

/** The input of compileAddressPlan (src/translate/address-plan.ts). */
export function addressPlanConfig(c: Config): AddressPlanConfig {
  return { sipDomains: c.sip.domains, xmppDomains: c.xmpp.localDomains, mappings: effectiveMappings(c) };
}
