// The one place that connects the running gateway to its metrics: the SIP stack's wire observer,
// scrape-time samplers (transactions, subscriptions, queue depth) and the job queue's observer.
// XMPP stanza and component-link counters are updated by xmpp-side.ts, relays and translation
// errors by the two ingress modules, where the outcome is decided.
import type { GatewayMetrics } from "../observability/metrics.js";
import type { JobQueue, QueueObserver } from "../queue/queue.js";
import type { SipMessage } from "../sip/message/types.js";
import type { SipEndpoint } from "../sip/endpoint.js";

/** RFC 3261 §8.2.6.2 / §17: a response carries its request's method only in CSeq ("4711 MESSAGE"). */
export function methodOfResponse(msg: SipMessage): string {
  const cseq = msg.headers.get("cseq") ?? "";
  const space = cseq.lastIndexOf(" ");
  return space < 0 ? "other" : cseq.slice(space + 1).trim().toUpperCase();
}

export interface MetricsWiringTargets {
  readonly sip: SipEndpoint;
  /** Component domains: their link gauge exists (at 0) before the first connect. */
  readonly componentDomains: readonly string[];
}

export function wireMetrics(metrics: GatewayMetrics, t: MetricsWiringTargets): void {
  for (const d of t.componentDomains) metrics.componentLink(d, false);
  metrics.linkHolder(false);
  t.sip.stack.observe?.((direction, msg) => {
    if (msg.kind === "request") metrics.sipRequest(direction, msg.method);
    else metrics.sipResponse(direction, methodOfResponse(msg), msg.status);
  });
  metrics.sampleTransactions(() => t.sip.stack.stats().transactions);
  metrics.sampleSubscriptions(() => {
    const c = t.sip.counts();
    // The notifier holds SIP watchers of XMPP users (presence flows XMPP → SIP), the subscriber the reverse.
    return { "xmpp-to-sip": c.notifier, "sip-to-xmpp": c.subscriber };
  });
}

/** Queue metrics: latency from the observer of the process that ran the job, depth from the backend. */
export function queueObserverFor(metrics: GatewayMetrics): QueueObserver {
  return {
    completed: (name, timing) => metrics.jobLatency(name, (timing.waitMs + timing.runMs) / 1000),
  };
}

export function wireQueueMetrics(metrics: GatewayMetrics, queue: JobQueue): void {
  metrics.sampleQueueDepth(async () => (await queue.stats()).map((s) => ({ queue: s.name, waiting: s.waiting })));
}
