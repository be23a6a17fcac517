// Who may speak through the gateway, and to whom (RFC 7247 Security Considerations: a gateway must
// not let one side forge the other side's origin, nor relay for domains it does not serve).
// The RFC text was not readable here; the rules follow the interworking notes (docs/addresses.md).
import { BlockList, isIP } from "node:net";
import type { AddressPlan, Jid, SipAddress } from "../domain/address.js";
import { failWith, ok } from "../domain/errors.js";
import type { Result } from "../domain/errors.js";
import { toDomainName } from "./address-domain.js";
import { jidToSipAddress, parseJid, parseSipAddress, sipUriToJid } from "./address.js";
import { parseSipUri } from "./address-uri.js";

/** Where a SIP request came from, as the transport and auth layers saw it. */
export interface SipSource {
  readonly ip: string;
  /** The identity a digest challenge proved (RFC 3261 §22), as a SIP URI; absent when not challenged. */
  readonly authenticatedAs?: string;
}

export interface SipTrust {
  readonly proxies: BlockList;
  /** Whether `ip` is a trusted proxy; memoised per address (BlockList.check is costly per request). */
  isTrusted(ip: string): boolean;
}

const TRUST_MEMO_MAX = 4096;

/** Compile the configured proxy CIDRs ("10.0.0.0/8", "2001:db8::/32", or a bare address). */
export function compileSipTrust(proxyCidrs: readonly string[]): Result<SipTrust> {
  const proxies = new BlockList();
  for (const c of proxyCidrs) {
    const [addr = "", prefix] = c.split("/");
    const family = isIP(addr);
    if (family === 0) return failWith("malformedAddress", `proxy CIDR "${c}" is not an IP network`);
    const type = family === 4 ? "ipv4" : "ipv6";
    if (prefix === undefined) proxies.addAddress(addr, type);
    else proxies.addSubnet(addr, Number(prefix), type);
  }
  const memo = new Map<string, boolean>();
  const isTrusted = (ip: string): boolean => {
    let v = memo.get(ip);
    if (v === undefined) {
      const family = isIP(ip);
      v = family !== 0 && proxies.check(ip, family === 4 ? "ipv4" : "ipv6");
      if (memo.size >= TRUST_MEMO_MAX) memo.clear();
      memo.set(ip, v);
    }
    return v;
  };
  return ok({ proxies, isTrusted });
}


/** What a From URI says on its own (no source involved): its user, its served host, and its JID. */
export interface SipOriginAddress {
  readonly user: string;
  readonly host: string;
  /** Kept as a Result: a JID failure is reported only once the source was admitted (checkSipOrigin order). */
  readonly jid: Result<Jid>;
}

/**
 * The source-independent half of checkSipOrigin: the From parsed, its domain a served SIP domain, its
 * JID. A pure function of the URI text and the plan, so a caller may memoise it per From.
 */
export function sipOriginAddress(fromUri: string, plan: AddressPlan): Result<SipOriginAddress> {
  // Parsed once: the same value gives the domain check, the identity check and the JID.
  const parsed = parseSipUri(fromUri);
  if (!parsed.ok) return parsed;
  const host = toDomainName(parsed.value.host);
  if (!host.ok) return host;
  if (!plan.sipDomains.has(host.value)) {
    return failWith("spoofedOrigin", `From domain "${host.value}" is not a served SIP domain`);
  }
  return ok({ user: parsed.value.user, host: host.value, jid: sipUriToJid(parsed.value, plan) });
}

/**
 * A SIP request may only enter when its From is in a served SIP domain and it came through a trusted
 * proxy or proved that very identity with digest auth. Anything else is spoofedOrigin (403).
 * Each check returns the address to use on the other side (here: the sender's JID).
 */
export function checkSipOrigin(fromUri: string, source: SipSource, plan: AddressPlan, trust: SipTrust): Result<Jid> {
  return admitSipOrigin(sipOriginAddress(fromUri, plan), source, trust);
}

/** checkSipOrigin on an already computed sipOriginAddress. */
export function admitSipOrigin(origin: Result<SipOriginAddress>, source: SipSource, trust: SipTrust): Result<Jid> {
  if (!origin.ok) return origin;
  if (trust.isTrusted(source.ip)) return origin.value.jid;
  if (source.authenticatedAs !== undefined) {
    const proven = parseSipAddress(source.authenticatedAs);
    // RFC 3261 §19.1.4: user parts compare case-sensitively after unescaping, hosts case-insensitively.
    if (proven.ok && proven.value.user === origin.value.user && proven.value.host === origin.value.host) return origin.value.jid;
    return failWith("spoofedOrigin", "From differs from the digest-authenticated identity");
  }
  return failWith("spoofedOrigin", `source ${source.ip} is not a trusted proxy and did not authenticate`);
}

/** An XMPP stanza may only enter when its from is in a local XMPP domain (else spoofedOrigin, 403). Returns the SIP From. */
export function checkXmppOrigin(fromJid: string, plan: AddressPlan): Result<SipAddress> {
  const parts = parseJid(fromJid);
  if (!parts.ok) return parts;
  const domain = toDomainName(parts.value.domain);
  if (!domain.ok) return domain;
  if (!plan.xmppDomains.has(domain.value)) {
    return failWith("spoofedOrigin", `from domain "${domain.value}" is not a local XMPP domain`);
  }
  return jidToSipAddress(parts.value, plan);
}

/**
 * Target of a SIP request: must be a user of a local XMPP domain. A target in a served SIP domain is
 * unroutable (SIP-to-SIP never crosses the gateway: that would loop); any other domain is unknown.
 */
export function checkSipDestination(requestUri: string, plan: AddressPlan): Result<Jid> {
  const target = parseSipAddress(requestUri);
  if (!target.ok) return target;
  if (plan.sipDomains.has(target.value.host)) return failWith("unroutable", `"${target.value.host}" is a SIP domain: not routed through the gateway`);
  if (!plan.xmppDomains.has(target.value.host)) return failWith("unknownDomain", `"${target.value.host}" is not a local XMPP domain`);
  return sipUriToJid(requestUri, plan);
}

/**
 * Target of an XMPP stanza: must be a SIP user under one of the component domains. A local XMPP
 * domain is unroutable (the XMPP server delivers those itself); any other domain is unknown.
 */
export function checkXmppDestination(toJid: string, plan: AddressPlan): Result<SipAddress> {
  const parts = parseJid(toJid);
  if (!parts.ok) return parts;
  const domain = toDomainName(parts.value.domain);
  if (!domain.ok) return domain;
  if (plan.xmppDomains.has(domain.value)) return failWith("unroutable", `"${domain.value}" is a local XMPP domain`);
  return jidToSipAddress(parts.value, plan);
}
