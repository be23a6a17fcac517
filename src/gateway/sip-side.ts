// The SIP half of the composition: the endpoint built from config (listeners, TLS material, limits,
// timers, outbound proxy and static routes, per-identity digest credentials).
import { readFileSync } from "node:fs";
import type { Logger } from "pino";
import type { Config } from "../config/schema.js";
import { createSipEndpoint, type SipEndpoint } from "../sip/endpoint.js";
import type { SipTransportName, SipUri } from "../sip/message/types.js";
import { parseUri } from "../sip/message/uri.js";
import type { SipListenSpec, SipTlsOptions } from "../sip/stack.js";
import type { CredentialLookup } from "../sip/auth/digest.js";

const TRANSPORT: Record<Config["sip"]["listen"][number]["transport"], SipTransportName> = {
  udp: "UDP", tcp: "TCP", tls: "TLS", ws: "WS", wss: "WSS",
};

function uriOrThrow(text: string, key: string): SipUri {
  const u = parseUri(text);
  // Config validation already checked the syntax (src/config/fields.ts); this guards the two parsers agreeing.
  if (u === null) throw new Error(`${key}: "${text}" is not a SIP URI`);
  return u;
}

function tlsOptions(tls: Config["sip"]["tls"]): SipTlsOptions | undefined {
  if (tls === undefined) return undefined;
  return {
    cert: readFileSync(tls.certFile),
    key: readFileSync(tls.keyFile),
    ...(tls.caFile !== undefined ? { ca: readFileSync(tls.caFile) } : {}),
  };
}

/**
 * Identity-specific credentials win over realm-wide ones (RFC 3261 §22.2: realm names the protection
 * space). The upstream registration's own credentials answer for its AOR in any realm.
 */
export function credentialLookup(creds: Config["sip"]["credentials"], register?: Config["sip"]["register"]): CredentialLookup {
  const byIdentity = new Map<string, { username: string; password: string }>();
  const byRealm = new Map<string, { username: string; password: string }>();
  for (const c of creds) {
    const v = { username: c.username, password: c.password };
    if (c.identity !== undefined) byIdentity.set(`${c.identity}\u0000${c.realm ?? ""}`, v);
    else if (c.realm !== undefined) byRealm.set(c.realm, v);
  }
  if (register !== undefined) byIdentity.set(`${register.aor}\u0000`, { username: register.username, password: register.password });
  return (identity, realm) => byIdentity.get(`${identity}\u0000${realm}`) ?? byIdentity.get(`${identity}\u0000`) ?? byRealm.get(realm);
}

export function createSipSide(config: Config, logger: Logger): SipEndpoint {
  const sip = config.sip;
  const tls = tlsOptions(sip.tls);
  const listen: SipListenSpec[] = sip.listen.map((l) => {
    const transport = TRANSPORT[l.transport];
    return {
      transport,
      host: l.host,
      port: l.port,
      ...(l.advertisedHost !== undefined ? { advertisedHost: l.advertisedHost } : {}),
      ...(l.advertisedPort !== undefined ? { advertisedPort: l.advertisedPort } : {}),
      ...((transport === "TLS" || transport === "WSS") && tls ? { tls } : {}),
      ...(transport === "UDP" ? { receiveBufferBytes: sip.udp.receiveBufferBytes, sendBufferBytes: sip.udp.sendBufferBytes } : {}),
    };
  });
  const staticRoutes = new Map(sip.routes.map((r) => [r.domain.toLowerCase(), uriOrThrow(r.uri, `sip.routes[${r.domain}]`)] as const));
  return createSipEndpoint({
    listen,
    stackOptions: {
      timers: { t1: sip.timers.t1Ms, t2: sip.timers.t2Ms, t4: sip.timers.t4Ms },
      limits: {
        maxMessageBytes: { UDP: sip.limits.maxMessageBytes, TCP: sip.limits.maxMessageBytes, TLS: sip.limits.maxMessageBytes, WS: sip.limits.maxMessageBytes, WSS: sip.limits.maxMessageBytes },
        ...(sip.limits.ratePerSourcePerSecond > 0 ? { rateLimit: { ratePerSecond: sip.limits.ratePerSourcePerSecond, burst: sip.limits.burst } } : {}),
        maxConnections: sip.limits.maxConnections,
      },
      userAgent: "stox",
    },
    resolver: {
      transports: [...new Set(listen.map((l) => l.transport))],
      ...(sip.outboundProxy !== undefined ? { outboundProxy: uriOrThrow(sip.outboundProxy, "sip.outboundProxy") } : {}),
      staticRoutes,
    },
    credentials: credentialLookup(sip.credentials, sip.register),
    subscriptions: {
      minExpires: config.presence.minExpires,
      maxExpires: config.presence.maxExpires,
      defaultExpires: config.presence.defaultExpires,
    },
  }, logger);
}
