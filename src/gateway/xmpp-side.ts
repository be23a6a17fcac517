// The XMPP half of the composition: one XEP-0114 link per component domain (grouped per XMPP server
// endpoint), one delivery tracker per link, and the routing of outbound stanzas by from-domain.
import type { Logger } from "pino";
import type { Config } from "../config/schema.js";
import type { GatewayMetrics } from "../observability/metrics.js";
import { domainOf } from "../xmpp/parse/jid.js";
import type { StanzaErrorInfo } from "../xmpp/parse/stanza-error.js";
import { createComponentLinks, type ComponentLinks } from "../xmpp/transport/component-links.js";
import type { LinkState, SendResult } from "../xmpp/transport/component.js";
import type { Element } from "../xmpp/xml.js";
import { stanzaFrom, type OutboundStanza } from "../xmpp/transport/serialized-stanza.js";
import { createDeliveryTracker, type DeliveryTracker, type SendOutcome } from "./delivery-tracker.js";

export interface XmppSide {
  readonly domains: readonly string[];
  send(stanza: OutboundStanza): SendResult;
  trackerFor(domain: string): DeliveryTracker<OutboundStanza, StanzaErrorInfo> | undefined;
  onStanza(listener: (stanza: Element, domain: string) => void): void;
  /** Fired after every reconnect of a link (the server told nobody we were gone). */
  onReconnected(listener: (domain: string) => void): void;
  readonly ready: boolean;
  readonly state: LinkState;
  start(): void;
  stop(deadlineMs: number): Promise<void>;
}

export interface XmppSideOptions {
  /** Extra wait after the server vouched for a stanza (errors from the recipient's client). */
  readonly holdMs: number;
  /** Longest a SIP MESSAGE waits for the link (must stay below Timer F). */
  readonly maxWaitMs: number;
}

const outcomeOf = (r: SendResult): SendOutcome => (r.kind === "rejected" ? "rejected" : r.kind);

export function createXmppSide(config: Config, opts: XmppSideOptions, metrics: GatewayMetrics, logger: Logger): XmppSide {
  // XEP-0114 binds one domain per stream; components of the same server share one ComponentLinks.
  const groups = new Map<string, Config["xmpp"]["components"][number][]>();
  for (const c of config.xmpp.components) {
    const service = `xmpp://${c.host.includes(":") ? `[${c.host}]` : c.host}:${c.port}`;
    groups.set(service, [...(groups.get(service) ?? []), c]);
  }
  const linkSets: ComponentLinks[] = [];
  const byDomain = new Map<string, ComponentLinks>();
  for (const [service, comps] of groups) {
    const first = comps[0]!;
    const set = createComponentLinks({
      service,
      domains: comps.map((c) => ({ domain: c.domain, secret: c.secret })),
      reconnect: first.reconnect,
      keepalive: { intervalMs: first.keepaliveSeconds * 1000, timeoutMs: Math.min(first.keepaliveSeconds * 1000, 15_000) },
      buffer: { maxStanzas: first.bufferMaxStanzas, maxBytes: first.bufferMaxBytes },
      maxInboundStanzaBytes: first.maxStanzaBytes,
    }, logger);
    linkSets.push(set);
    for (const c of comps) byDomain.set(c.domain.toLowerCase(), set);
  }

  const send = (stanza: OutboundStanza): SendResult => {
    const from = stanzaFrom(stanza);
    const set = from === undefined ? undefined : byDomain.get(domainOf(from));
    if (set === undefined) return { kind: "rejected", reason: "invalid-from" };
    const r = set.send(stanza);
    metrics.xmppStanza("out", stanza.name === "iq" || stanza.name === "presence" ? stanza.name : "message");
    return r;
  };

  const trackers = new Map<string, DeliveryTracker<OutboundStanza, StanzaErrorInfo>>();
  for (const domain of byDomain.keys()) {
    const set = byDomain.get(domain)!;
    trackers.set(domain, createDeliveryTracker<OutboundStanza, StanzaErrorInfo>({
      send: (s) => outcomeOf(send(s)),
      barrier: () => set.barrier(domain, opts.maxWaitMs),
      holdMs: opts.holdMs,
      maxWaitMs: opts.maxWaitMs,
    }));
  }
  for (const set of linkSets) {
    set.on("online", (domain) => {
      metrics.componentLink(domain, true);
      trackers.get(domain)?.linkOnline();
    });
    set.on("offline", (domain) => {
      metrics.componentLink(domain, false);
      trackers.get(domain)?.linkOffline();
    });
    set.on("error", (domain, err) => logger.warn({ domain, kind: err.kind, condition: err.condition }, err.message));
    set.on("stanza", (el) => metrics.xmppStanza("in", el.name === "iq" || el.name === "presence" ? el.name : "message"));
  }

  return {
    domains: [...byDomain.keys()],
    send,
    trackerFor: (domain) => trackers.get(domain.toLowerCase()),
    onStanza: (listener) => linkSets.forEach((s) => s.on("stanza", listener)),
    onReconnected: (listener) => linkSets.forEach((s) => s.on("reconnected", listener)),
    get ready() {
      return linkSets.every((s) => s.ready);
    },
    get state() {
      return linkSets.find((s) => s.state !== "online")?.state ?? "online";
    },
    start: () => linkSets.forEach((s) => s.start()),
    async stop(deadlineMs) {
      for (const t of trackers.values()) t.abortAll();
      await Promise.all(linkSets.map((s) => s.stop({ deadlineMs })));
    },
  };
}
