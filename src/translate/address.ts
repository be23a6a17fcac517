// SIP URI ⇄ JID (RFC 7247 address mapping; XEP-0106; RFC 7622; RFC 5627 GRUU ⇄ resource).
// SIP→XMPP: percent-decode → UsernameCaseMapped → XEP-0106 escape. XMPP→SIP: prepare → unescape →
// percent-encode (XEP-0106 §4.1 rule 2: unescape only after the profile is applied).
import type { AddressPlan, DomainName, Jid, SipAddress, SipScheme } from "../domain/address.js";
import { failWith, ok } from "../domain/errors.js";
import type { Result } from "../domain/errors.js";
import { toDomainName, toULabel } from "./address-domain.js";
import { escapeLocalpart, FORBIDDEN_IN_LOCALPART, hasEdgeSpace, unescapeLocalpart } from "./address-escape.js";
import { prepareLocalpart, prepareResource } from "./address-precis.js";
import { formatSipUri, parseSipUri } from "./address-uri.js";
import type { ParsedSipUri } from "./address-uri.js";

export interface JidParts {
  readonly local?: string;
  readonly domain: string;
  readonly resource?: string;
}

/** RFC 7622 §3.1: resource after the first '/', localpart before the first '@' ahead of it. */
export function parseJid(s: string): Result<JidParts> {
  const slash = s.indexOf("/");
  const bare = slash >= 0 ? s.slice(0, slash) : s;
  const at = bare.indexOf("@");
  const domain = at >= 0 ? bare.slice(at + 1) : bare;
  if (domain.length === 0) return failWith("malformedAddress", "JID has no domainpart");
  if (at === 0) return failWith("malformedAddress", "JID has an empty localpart");
  if (slash >= 0 && slash === s.length - 1) return failWith("malformedAddress", "JID has an empty resourcepart");
  const parts: { local?: string; domain: string; resource?: string } = { domain };
  if (at > 0) parts.local = bare.slice(0, at);
  if (slash >= 0) parts.resource = s.slice(slash + 1);
  return ok(parts);
}

export function formatJid(jid: JidParts): string {
  const local = jid.local === undefined ? "" : `${jid.local}@`;
  const resource = jid.resource === undefined ? "" : `/${jid.resource}`;
  return `${local}${jid.domain}${resource}`;
}

const ESCAPABLE_SPACE: ReadonlySet<string> = new Set([" "]);

/** A SIP user (or "user@domain" in transport style) → escaped, prepared JID localpart. */
function toLocalpart(source: string): Result<string> {
  if (source.length === 0) return failWith("incompleteAddress", "SIP URI has no user part");
  const prepared = prepareLocalpart(source, ESCAPABLE_SPACE);
  if (!prepared.ok) return prepared;
  const escaped = escapeLocalpart(prepared.value);
  if (hasEdgeSpace(escaped)) return failWith("malformedAddress", "user part starts or ends with a space (XEP-0106 §4.1 rule 6)");
  // Escaping can create a sequence that NFC or case mapping would alter (e.g. "\3e" + U+0301): the
  // localpart must be stable under the profile, or a server would rewrite it into another address.
  const stable = prepareLocalpart(escaped);
  if (!stable.ok) return stable;
  if (stable.value !== escaped) return failWith("malformedAddress", "user part is not stable under RFC 7622 preparation");
  return ok(escaped);
}

/** A JID localpart → the unescaped SIP-side string (user, or "user@domain" in transport style). */
function fromLocalpart(local: string | undefined): Result<string> {
  if (local === undefined || local.length === 0) return failWith("incompleteAddress", "JID has no localpart");
  const prepared = prepareLocalpart(local);
  if (!prepared.ok) return prepared;
  if (FORBIDDEN_IN_LOCALPART.test(prepared.value)) return failWith("malformedAddress", "localpart contains a character RFC 7622 §3.3.1 forbids");
  if (hasEdgeSpace(prepared.value)) return failWith("malformedAddress", "localpart starts or ends with \\20 (XEP-0106 §4.1 rule 6)");
  const unescaped = unescapeLocalpart(prepared.value);
  // Only canonically escaped localparts are carried: "foo\bar" and "foo\5cbar" would both become
  // sip:foo%5Cbar, and the reply would reach only one of them.
  if (escapeLocalpart(unescaped) !== prepared.value) {
    return failWith("malformedAddress", "localpart is not in canonical XEP-0106 form (a bare '\\' must be written \\5c)");
  }
  return ok(unescaped);
}

function toResource(gr: string | undefined): Result<string | undefined> {
  // A bare ";gr" (temporary GRUU, RFC 5627 §3.2) names no stable instance: it maps to the bare JID.
  if (gr === undefined || gr.length === 0) return ok(undefined);
  return prepareResource(gr);
}

function makeJid(local: string, domain: DomainName, resource: string | undefined): Jid {
  const jid: { local: string; domain: string; resource?: string } = { local, domain: toULabel(domain) };
  if (resource !== undefined) jid.resource = resource;
  return jid as Jid;
}

/** sip:/sips:/pres:/im: URI → JID. A `gr` parameter becomes the resource (RFC 5627 ⇄ RFC 7622 §3.4). */
export function sipUriToJid(uri: string | ParsedSipUri, plan: AddressPlan): Result<Jid> {
  const parsed = typeof uri === "string" ? parseSipUri(uri) : ok(uri);
  if (!parsed.ok) return parsed;
  const { user, host, gr } = parsed.value;
  const domain = toDomainName(host);
  if (!domain.ok) return domain;
  const resource = toResource(gr);
  if (!resource.ok) return resource;

  if (plan.xmppDomains.has(domain.value)) {
    const local = toLocalpart(user);
    return local.ok ? ok(makeJid(local.value, domain.value, resource.value)) : local;
  }
  const route = plan.routeBySipDomain.get(domain.value);
  if (route === undefined) return failWith("unknownDomain", `"${domain.value}" is neither a served SIP domain nor a local XMPP domain`);
  if (user.length === 0) return failWith("incompleteAddress", "SIP URI has no user part");
  const source = route.style === "same-domain" ? user : `${user}@${toULabel(domain.value)}`;
  const local = toLocalpart(source);
  return local.ok ? ok(makeJid(local.value, route.componentDomain, resource.value)) : local;
}

function makeSipAddress(scheme: SipScheme, user: string, host: DomainName, gr: string | undefined): SipAddress {
  const addr: { scheme: SipScheme; user: string; host: DomainName; gr?: string } = { scheme, user, host };
  if (gr !== undefined) addr.gr = gr;
  return addr as SipAddress;
}

/** JID → SIP address. A full JID's resource becomes `gr` (RFC 5627); a bare JID gives the AOR. */
export function jidToSipAddress(jid: string | JidParts, plan: AddressPlan, scheme: SipScheme = "sip"): Result<SipAddress> {
  const parts = typeof jid === "string" ? parseJid(jid) : ok(jid);
  if (!parts.ok) return parts;
  const domain = toDomainName(parts.value.domain);
  if (!domain.ok) return domain;
  const gr = parts.value.resource === undefined ? ok(undefined) : prepareResource(parts.value.resource);
  if (!gr.ok) return gr;
  const source = fromLocalpart(parts.value.local);

  if (plan.xmppDomains.has(domain.value)) {
    return source.ok ? ok(makeSipAddress(scheme, source.value, domain.value, gr.value)) : source;
  }
  const component = plan.componentDomains.get(domain.value);
  if (component === undefined) return failWith("unknownDomain", `"${domain.value}" is not a gateway component domain`);
  if (!source.ok) return source;
  if (component.style === "same-domain") return ok(makeSipAddress(scheme, source.value, domain.value, gr.value));

  // Transport style: the localpart carries "user@sipdomain"; the last '@' splits (users may hold '@').
  const at = source.value.lastIndexOf("@");
  if (at < 0) return failWith("incompleteAddress", "transport JID localpart carries no SIP domain");
  if (at === 0) return failWith("incompleteAddress", "transport JID localpart carries no SIP user");
  const sipDomain = toDomainName(source.value.slice(at + 1));
  if (!sipDomain.ok) return sipDomain;
  if (!component.sipDomains.has(sipDomain.value)) {
    return failWith("unknownDomain", `"${sipDomain.value}" is not carried by component "${domain.value}"`);
  }
  return ok(makeSipAddress(scheme, source.value.slice(0, at), sipDomain.value, gr.value));
}

/** Parse and canonicalise a SIP-side URI without mapping it (user decoded, host canonical). */
export function parseSipAddress(uri: string): Result<SipAddress> {
  const parsed = parseSipUri(uri);
  if (!parsed.ok) return parsed;
  const host = toDomainName(parsed.value.host);
  if (!host.ok) return host;
  return ok(makeSipAddress(parsed.value.scheme, parsed.value.user, host.value, parsed.value.gr));
}

export function formatSipAddress(addr: SipAddress): string {
  return formatSipUri(addr);
}

export function jidToSipUri(jid: string | JidParts, plan: AddressPlan, scheme: SipScheme = "sip"): Result<string> {
  const addr = jidToSipAddress(jid, plan, scheme);
  return addr.ok ? ok(formatSipUri(addr.value)) : addr;
}
