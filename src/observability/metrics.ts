// Every Prometheus metric of the gateway, defined once with its name, help and labels, behind a typed
// accessor record so callers never pass metric names or free-form label strings. Label values are
// bounded here (unknown SIP methods → "other") to keep series cardinality fixed.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export type Direction = "in" | "out";
export type RelayDirection = "sip-to-xmpp" | "xmpp-to-sip";
export type StanzaKind = "message" | "presence" | "iq";
export type RelayOutcome = "delivered" | "failed" | "rejected" | "dropped" | "buffered";
/** Read at scrape time (prom-client `collect`), so hot paths never touch these gauges. */
export type Sampler<T> = () => T;

const SIP_METHODS = new Set(["INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER", "SUBSCRIBE", "NOTIFY", "PUBLISH", "MESSAGE", "INFO", "UPDATE", "PRACK", "REFER"]);
const method = (m: string): string => (SIP_METHODS.has(m) ? m : "other");
// Conditions are RFC 6120 §8.3.3 names or gateway error codes: letters and hyphens only.
const condition = (c: string): string => (/^[A-Za-z-]{1,40}$/.test(c) ? c : "other");
const statusCode = (s: number): string => (Number.isInteger(s) && s >= 100 && s <= 699 ? String(s) : "other");

export const METRIC_NAMES = {
  sipRequests: "stox_sip_requests_total",
  sipResponses: "stox_sip_responses_total",
  sipTransactions: "stox_sip_transactions_in_flight",
  xmppStanzas: "stox_xmpp_stanzas_total",
  translationErrors: "stox_translation_errors_total",
  subscriptions: "stox_subscriptions_active",
  queueDepth: "stox_queue_depth",
  jobLatency: "stox_queue_job_latency_seconds",
  componentUp: "stox_xmpp_component_up",
  linkHolder: "stox_xmpp_link_holder",
  relayed: "stox_messages_relayed_total",
} as const;

export interface GatewayMetrics {
  readonly registry: Registry;
  sipRequest(direction: Direction, sipMethod: string): void;
  sipResponse(direction: Direction, sipMethod: string, status: number): void;
  /** Live RFC 3261 transactions, read from the stack on every scrape. */
  sampleTransactions(read: Sampler<number>): void;
  xmppStanza(direction: Direction, kind: StanzaKind): void;
  /** A translation failed and was answered with this mapped condition (XMPP condition or gateway code). */
  translationError(mappedCondition: string): void;
  /**
   * Presence subscriptions held, by the direction presence flows: SIP watchers of XMPP users are
   * "xmpp-to-sip", XMPP watchers of SIP users "sip-to-xmpp". Read on every scrape.
   */
  sampleSubscriptions(read: Sampler<Readonly<Record<RelayDirection, number>>>): void;
  /** Waiting jobs per queue, read on every scrape (may be async: Redis round trip). */
  sampleQueueDepth(read: Sampler<Promise<readonly { readonly queue: string; readonly waiting: number }[]>>): void;
  /** Seconds from enqueue to completion of one job. */
  jobLatency(queue: string, seconds: number): void;
  componentLink(domain: string, online: boolean): void;
  /** 1 while this process holds the link-holder lease (scale-out: one XMPP link per component domain). */
  linkHolder(holding: boolean): void;
  messageRelayed(direction: RelayDirection, outcome: RelayOutcome): void;
}

export interface MetricsOptions {
  /** prom-client's process metrics (event-loop lag, heap, GC, fds); on by default. */
  readonly defaultMetrics?: boolean;
}

/**
 * A counter whose increments are tallied here and added to the prom-client counter when it collects
 * (on every scrape or read through the registry). prom-client hashes and validates the label object
 * on every inc(); at thousands of SIP messages per second, four or five of those per message were a
 * measurable share of the gateway's CPU (docs/benchmarks.md, "IM through the gateway", run 4). The
 * label values of these counters come from bounded sets, so the tallies stay few.
 */
function tallied<N extends string>(config: { name: string; help: string; labelNames: readonly N[]; registers: Registry[] }): (key: string, labels: () => Record<N, string>) => void {
  const tallies = new Map<string, { readonly labels: Record<N, string>; n: number }>();
  new Counter<N>({
    ...config,
    collect() {
      for (const t of tallies.values()) {
        if (t.n === 0) continue;
        this.inc(t.labels, t.n);
        t.n = 0;
      }
    },
  });
  return (key, labels) => {
    const t = tallies.get(key);
    if (t !== undefined) t.n++;
    else tallies.set(key, { labels: labels(), n: 1 });
  };
}

export function createMetrics(opts: MetricsOptions = {}): GatewayMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: "stox_", eventLoopMonitoringPrecision: 20 });
  const registers = [registry];
  const sipRequests = tallied({ name: METRIC_NAMES.sipRequests, help: "SIP requests by direction and method.", labelNames: ["direction", "method"] as const, registers });
  const sipResponses = tallied({ name: METRIC_NAMES.sipResponses, help: "SIP final and provisional responses by direction, method and status code.", labelNames: ["direction", "method", "code"] as const, registers });
  let readTransactions: Sampler<number> | undefined;
  let readSubscriptions: Sampler<Readonly<Record<RelayDirection, number>>> | undefined;
  let readQueues: Sampler<Promise<readonly { readonly queue: string; readonly waiting: number }[]>> | undefined;
  new Gauge({
    name: METRIC_NAMES.sipTransactions, help: "SIP transactions not yet terminated (RFC 3261 §17, Completed state included).", registers,
    collect() { if (readTransactions) this.set(readTransactions()); },
  });
  const xmppStanzas = tallied({ name: METRIC_NAMES.xmppStanzas, help: "XMPP stanzas by direction and kind.", labelNames: ["direction", "kind"] as const, registers });
  const translationErrors = new Counter({ name: METRIC_NAMES.translationErrors, help: "Failed translations by the error condition they were mapped to.", labelNames: ["condition"] as const, registers });
  new Gauge({
    name: METRIC_NAMES.subscriptions, help: "Presence subscriptions held, by the direction presence flows.", labelNames: ["direction"] as const, registers,
    collect() {
      if (!readSubscriptions) return;
      const counts = readSubscriptions();
      this.set({ direction: "sip-to-xmpp" }, counts["sip-to-xmpp"]);
      this.set({ direction: "xmpp-to-sip" }, counts["xmpp-to-sip"]);
    },
  });
  new Gauge({
    name: METRIC_NAMES.queueDepth, help: "Jobs waiting per queue.", labelNames: ["queue"] as const, registers,
    async collect() {
      if (!readQueues) return;
      // A backend outage must not fail the whole scrape: the gauge keeps its last values.
      const rows = await readQueues().catch(() => []);
      for (const r of rows) this.set({ queue: r.queue }, r.waiting);
    },
  });
  const jobLatency = new Histogram({ name: METRIC_NAMES.jobLatency, help: "Seconds from enqueue to job completion.", labelNames: ["queue"] as const, buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120], registers });
  const componentUp = new Gauge({ name: METRIC_NAMES.componentUp, help: "1 while the XEP-0114 component link of a domain is online.", labelNames: ["domain"] as const, registers });
  const linkHolder = new Gauge({ name: METRIC_NAMES.linkHolder, help: "1 while this process holds the XMPP link-holder lease (docs/scaling.md).", registers });
  const relayed = tallied({ name: METRIC_NAMES.relayed, help: "Messages relayed across the gateway by direction and outcome.", labelNames: ["direction", "outcome"] as const, registers });
  return {
    registry,
    sipRequest: (direction, m) => {
      const mt = method(m);
      sipRequests(`${direction} ${mt}`, () => ({ direction, method: mt }));
    },
    sipResponse: (direction, m, status) => {
      const mt = method(m);
      const code = statusCode(status);
      sipResponses(`${direction} ${mt} ${code}`, () => ({ direction, method: mt, code }));
    },
    sampleTransactions: (read) => { readTransactions = read; },
    xmppStanza: (direction, kind) => xmppStanzas(`${direction} ${kind}`, () => ({ direction, kind })),
    translationError: (c) => translationErrors.inc({ condition: condition(c) }),
    sampleSubscriptions: (read) => { readSubscriptions = read; },
    sampleQueueDepth: (read) => { readQueues = read; },
    jobLatency: (queue, seconds) => jobLatency.observe({ queue }, seconds),
    componentLink: (domain, online) => componentUp.set({ domain }, online ? 1 : 0),
    linkHolder: (holding) => linkHolder.set(holding ? 1 : 0),
    messageRelayed: (direction, outcome) => relayed(`${direction} ${outcome}`, () => ({ direction, outcome })),
  };
}
