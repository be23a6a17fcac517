// RFC 3263 §4: a SIP URI → the ordered list of (transport, IP, port) to try. Static per-domain routes
// and an outbound proxy from configuration take precedence over DNS (RFC 3261 §8.1.2 lets a UAC be
// configured with an outbound proxy; the request then keeps its Request-URI and gains a Route).
import { Resolver } from "node:dns/promises";
import { isIP } from "node:net";
import type { SipTransportName, SipUri } from "../message/types.js";
import type { SipTarget } from "../transport/types.js";
import { orderSrv, type SrvRecord } from "./srv-order.js";

/** The subset of node:dns/promises Resolver used here; tests inject a fake. */
export interface DnsLookup {
  resolveNaptr(name: string): Promise<ReadonlyArray<{ flags: string; service: string; regexp: string; replacement: string; order: number; preference: number }>>;
  resolveSrv(name: string): Promise<readonly SrvRecord[]>;
  resolve4(name: string): Promise<readonly string[]>;
  resolve6(name: string): Promise<readonly string[]>;
}

export interface SipResolverOptions {
  readonly dns?: DnsLookup;
  /** Transports this node can send on, in preference order when DNS does not decide. */
  readonly transports?: readonly SipTransportName[];
  /** Every request goes here first (RFC 3261 §8.1.2), given as a SIP URI, e.g. "sip:proxy.example;transport=tcp". */
  readonly outboundProxy?: SipUri;
  /** Per destination domain (lowercase) a next-hop URI; checked before the outbound proxy. */
  readonly staticRoutes?: ReadonlyMap<string, SipUri>;
  /** Whole-resolution cache lifetime (node's resolver has no cache); 0 disables. */
  readonly cacheTtlMs?: number;
  readonly random?: () => number;
  readonly now?: () => number;
}

export interface SipResolver {
  /** Where to send a request for `uri`, in order; empty when nothing resolves (the UAC answers 503). */
  resolve(uri: SipUri): Promise<SipTarget[]>;
  /**
   * `resolve`'s answer when it is known without a lookup (cached and fresh), else undefined: lets a
   * request to a known destination go out without waiting a turn. Optional for other resolvers.
   */
  resolveCached?(uri: SipUri): SipTarget[] | undefined;
  /** The next hop the request must name in a Route header (static route or outbound proxy), if any. */
  nextHop(uri: SipUri): SipUri | undefined;
}

const NAPTR_SERVICE: Readonly<Record<string, SipTransportName>> = {
  "SIP+D2U": "UDP", "SIP+D2T": "TCP", "SIPS+D2T": "TLS", "SIP+D2W": "WS", "SIPS+D2W": "WSS",
};
const SRV_PREFIX: Readonly<Record<SipTransportName, string>> = {
  UDP: "_sip._udp.", TCP: "_sip._tcp.", TLS: "_sips._tcp.", WS: "_sip._ws.", WSS: "_sips._ws.",
};
const SECURE = new Set<SipTransportName>(["TLS", "WSS"]);

export function defaultPort(transport: SipTransportName): number {
  return transport === "TLS" ? 5061 : transport === "WS" ? 80 : transport === "WSS" ? 443 : 5060;
}

function transportParam(uri: SipUri, sips: boolean): SipTransportName | undefined {
  const t = uri.params.get("transport")?.toUpperCase();
  if (!t) return undefined;
  // RFC 3261 §19.1.2 / §26.2: sips with transport=tcp means TLS; RFC 7118 §5.2 for ws/wss.
  if (t === "TCP") return sips ? "TLS" : "TCP";
  if (t === "WS") return sips ? "WSS" : "WS";
  return t === "UDP" || t === "TLS" || t === "WSS" ? t : undefined;
}

export function createSipResolver(opts: SipResolverOptions = {}): SipResolver {
  const dns: DnsLookup = opts.dns ?? new Resolver();
  const supported = opts.transports ?? ["UDP", "TCP", "TLS"];
  const random = opts.random ?? Math.random;
  const now = opts.now ?? Date.now;
  const ttl = opts.cacheTtlMs ?? 30_000;
  const cache = new Map<string, { at: number; targets: SipTarget[] }>();

  const quiet = async <T>(p: Promise<readonly T[]>): Promise<readonly T[]> => {
    try { return await p; } catch { return []; } // NXDOMAIN/NODATA/SERVFAIL all mean "no records here"
  };
  const addresses = async (host: string): Promise<string[]> => {
    if (isIP(host)) return [host];
    const [v4, v6] = await Promise.all([quiet(dns.resolve4(host)), quiet(dns.resolve6(host))]);
    return [...v4, ...v6];
  };
  const fromHost = async (transport: SipTransportName, host: string, port: number): Promise<SipTarget[]> =>
    (await addresses(host)).map((address) => ({ transport, host: address, port }));
  const fromSrv = async (transport: SipTransportName, name: string): Promise<SipTarget[]> => {
    const out: SipTarget[] = [];
    for (const r of orderSrv(await quiet(dns.resolveSrv(name)), random)) out.push(...await fromHost(transport, r.name, r.port));
    return out;
  };

  async function locate(uri: SipUri): Promise<SipTarget[]> {
    const sips = uri.scheme === "sips";
    const usable = supported.filter((t) => !sips || SECURE.has(t));
    // §4.1: TARGET is maddr when present, else the host part.
    const target = uri.params.get("maddr") ?? uri.host;
    const numeric = isIP(target) !== 0;
    const explicit = transportParam(uri, sips);
    if (explicit && !usable.includes(explicit)) return [];
    const fallback: SipTransportName = sips ? "TLS" : "UDP";
    // §4.1/§4.2: numeric IP or explicit port → no NAPTR/SRV; UDP for sip, TLS for sips.
    if (numeric || uri.port !== undefined) {
      const transport = explicit ?? fallback;
      return fromHost(transport, target, uri.port ?? defaultPort(transport));
    }
    if (explicit) {
      const viaSrv = await fromSrv(explicit, SRV_PREFIX[explicit] + target);
      return viaSrv.length ? viaSrv : fromHost(explicit, target, defaultPort(explicit));
    }
    // §4.1: NAPTR, keeping services we support (only secure ones for sips), by order then preference.
    const naptr = (await quiet(dns.resolveNaptr(target)))
      .filter((r) => r.flags.toLowerCase() === "s" && NAPTR_SERVICE[r.service.toUpperCase()] !== undefined)
      .map((r) => ({ ...r, transport: NAPTR_SERVICE[r.service.toUpperCase()]! }))
      .filter((r) => usable.includes(r.transport))
      .sort((a, b) => a.order - b.order || a.preference - b.preference);
    const out: SipTarget[] = [];
    for (const r of naptr) out.push(...await fromSrv(r.transport, r.replacement));
    if (out.length) return out;
    // §4.1: no NAPTR → SRV for each supported transport, in our preference order.
    for (const t of usable) out.push(...await fromSrv(t, SRV_PREFIX[t] + target));
    if (out.length) return out;
    // §4.2: no SRV either → A/AAAA with the default port.
    return fromHost(fallback, target, defaultPort(fallback));
  }

  const nextHop = (uri: SipUri) => opts.staticRoutes?.get(uri.host.toLowerCase()) ?? opts.outboundProxy;

  const keyOf = (hop: SipUri): string =>
    `${hop.scheme}:${hop.host}:${hop.port ?? ""}:${hop.params.get("transport") ?? ""}:${hop.params.get("maddr") ?? ""}`;
  const cached = (key: string): SipTarget[] | undefined => {
    const hit = cache.get(key);
    return hit && now() - hit.at < ttl ? hit.targets.slice() : undefined;
  };

  return {
    nextHop,
    resolveCached: (uri) => cached(keyOf(nextHop(uri) ?? uri)),
    async resolve(uri) {
      const hop = nextHop(uri) ?? uri;
      const key = keyOf(hop);
      const hit = cached(key);
      if (hit !== undefined) return hit;
      const targets = await locate(hop);
      if (ttl > 0 && targets.length) {
        if (cache.size > 10_000) cache.clear(); // bounded: next-hop domains are few; a flood of names must not grow it
        cache.set(key, { at: now(), targets });
      }
      return targets.slice();
    },
  };
}
