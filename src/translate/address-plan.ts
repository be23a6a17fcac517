// Compiles the deployment's address plan (from config) into canonical look-up maps, refusing plans
// in which one domain would be reachable two ways.
import type { AddressPlan, AddressPlanConfig, ComponentRoute, DomainName } from "../domain/address.js";
import { failWith, ok } from "../domain/errors.js";
import type { Result } from "../domain/errors.js";
import { toDomainName } from "./address-domain.js";

function canonicalAll(names: readonly string[], what: string): Result<DomainName[]> {
  const out: DomainName[] = [];
  for (const n of names) {
    const d = toDomainName(n);
    if (!d.ok) return failWith("malformedAddress", `${what}: invalid domain "${n}"`);
    out.push(d.value);
  }
  return ok(out);
}

export function compileAddressPlan(config: AddressPlanConfig): Result<AddressPlan> {
  const sip = canonicalAll(config.sipDomains, "sipDomains");
  if (!sip.ok) return sip;
  const xmpp = canonicalAll(config.xmppDomains, "xmppDomains");
  if (!xmpp.ok) return xmpp;
  const sipDomains = new Set(sip.value);
  const xmppDomains = new Set(xmpp.value);
  for (const d of xmppDomains) {
    if (sipDomains.has(d)) return failWith("malformedAddress", `domain "${d}" is listed as both a SIP and an XMPP domain`);
  }

  const routeBySipDomain = new Map<DomainName, ComponentRoute>();
  const componentDomains = new Map<DomainName, { style: ComponentRoute["style"]; sipDomains: Set<DomainName> }>();
  for (const m of config.mappings) {
    const comp = toDomainName(m.style === "same-domain" ? m.sipDomain : m.componentDomain);
    if (!comp.ok) return failWith("malformedAddress", `mappings: invalid component domain`);
    if (componentDomains.has(comp.value)) return failWith("malformedAddress", `component domain "${comp.value}" is mapped twice`);
    if (xmppDomains.has(comp.value)) return failWith("malformedAddress", `component domain "${comp.value}" is also a local XMPP domain`);
    const carried = canonicalAll(m.style === "same-domain" ? [m.sipDomain] : m.sipDomains, "mappings");
    if (!carried.ok) return carried;
    if (m.style === "transport" && sipDomains.has(comp.value)) {
      return failWith("malformedAddress", `transport component domain "${comp.value}" must not be a SIP domain`);
    }
    const route: ComponentRoute = { style: m.style, componentDomain: comp.value };
    for (const d of carried.value) {
      if (!sipDomains.has(d)) return failWith("unknownDomain", `mapping names "${d}", which is not in sipDomains`);
      if (routeBySipDomain.has(d)) return failWith("malformedAddress", `SIP domain "${d}" is carried by two mappings`);
      routeBySipDomain.set(d, route);
    }
    componentDomains.set(comp.value, { style: m.style, sipDomains: new Set(carried.value) });
  }
  for (const d of sipDomains) {
    if (!routeBySipDomain.has(d)) return failWith("unroutable", `SIP domain "${d}" has no component mapping`);
  }
  return ok({ sipDomains, xmppDomains, routeBySipDomain, componentDomains });
}
