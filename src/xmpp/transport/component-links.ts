// XEP-0114 binds one domain per stream, so a gateway serving several XMPP domains holds one link per
// domain. This module owns the set: it routes each outbound stanza by its from-domain and folds the
// per-link states into one for readiness (ready only when every domain is online).
import type { Logger } from "pino";
import type { Element } from "../xml.js";
import { domainOf } from "../parse/jid.js";
import { createEmitter, type TypedEvents } from "./typed-events.js";
import { stanzaFrom, type OutboundStanza } from "./serialized-stanza.js";
import {
  createComponentLink, IqRequestError,
  type ComponentLink, type ComponentLinkOptions, type LinkError, type LinkState, type SendResult,
} from "./component.js";

export interface ComponentLinksOptions extends Omit<ComponentLinkOptions, "domain" | "secret"> {
  readonly domains: readonly { readonly domain: string; readonly secret: string }[];
}

export type ComponentLinksEvents = {
  readonly state: [domain: string, next: LinkState, previous: LinkState];
  readonly online: [domain: string, info: { readonly reconnected: boolean }];
  readonly reconnected: [domain: string];
  readonly offline: [domain: string, info: { readonly reason: string }];
  readonly stanza: [stanza: Element, domain: string];
  readonly error: [domain: string, error: LinkError];
};

export interface ComponentLinks extends TypedEvents<ComponentLinksEvents> {
  readonly links: ReadonlyMap<string, ComponentLink>;
  /** "online" only when all links are; otherwise the least healthy state (auth-failed first). */
  readonly state: LinkState;
  readonly ready: boolean;
  start(): void;
  stop(opts?: { readonly deadlineMs?: number }): Promise<{ readonly dropped: number }>;
  /** Routes by the stanza's `from` domain; a stanza without `from` is refused (no link to pick). */
  send(stanza: OutboundStanza): SendResult;
  request(iq: Element, timeoutMs: number): Promise<Element>;
  /** The barrier of one domain's link (see ComponentLink.barrier). */
  barrier(domain: string, timeoutMs: number): Promise<void>;
}

// Worst first: the aggregate is the first of these any link is in.
const SEVERITY: readonly LinkState[] = ["auth-failed", "offline", "connecting", "stopped", "online"];

export function createComponentLinks(opts: ComponentLinksOptions, logger: Logger): ComponentLinks {
  if (opts.domains.length === 0) throw new Error("createComponentLinks: at least one domain is required");
  const events = createEmitter<ComponentLinksEvents>((err) => logger.error({ err }, "links event listener threw"));
  const links = new Map<string, ComponentLink>();
  for (const { domain, secret } of opts.domains) {
    const key = domain.toLowerCase();
    if (links.has(key)) throw new Error(`createComponentLinks: domain ${key} configured twice`);
    const link = createComponentLink({ ...opts, domain: key, secret }, logger);
    link.on("state", (next, prev) => events.emit("state", key, next, prev));
    link.on("online", (info) => events.emit("online", key, info));
    link.on("reconnected", () => events.emit("reconnected", key));
    link.on("offline", (info) => events.emit("offline", key, info));
    link.on("stanza", (el) => events.emit("stanza", el, key));
    link.on("error", (err) => events.emit("error", key, err));
    links.set(key, link);
  }
  const linkFor = (stanza: OutboundStanza): ComponentLink | undefined => {
    const from = stanzaFrom(stanza);
    return from === undefined ? undefined : links.get(domainOf(from));
  };
  const aggregate = (): LinkState => {
    let worst = SEVERITY.length - 1;
    for (const link of links.values()) worst = Math.min(worst, SEVERITY.indexOf(link.state));
    return SEVERITY[worst]!;
  };
  return {
    links,
    get state() { return aggregate(); },
    get ready() { return aggregate() === "online"; },
    on: events.on,
    once: events.once,
    start() { for (const link of links.values()) link.start(); },
    async stop(stopOpts) {
      const results = await Promise.all([...links.values()].map((l) => l.stop(stopOpts)));
      return { dropped: results.reduce((n, r) => n + r.dropped, 0) };
    },
    send(stanza) {
      return linkFor(stanza)?.send(stanza) ?? { kind: "rejected", reason: "invalid-from" };
    },
    barrier(domain, timeoutMs) {
      return links.get(domain.toLowerCase())?.barrier(timeoutMs) ?? Promise.reject(new IqRequestError("not-sent"));
    },
    request(iq, timeoutMs) {
      return linkFor(iq)?.request(iq, timeoutMs) ?? Promise.reject(new IqRequestError("not-sent"));
    },
  };
}
