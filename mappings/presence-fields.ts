// Field-level presence mapping rows (RFC 8048 notification mapping). Data only.
// Section numbers of RFC 8048 are recalled (its body was not readable here); the priority note is
// quoted from memory of RFC 7248/8048 §5.2 and flagged as such in docs/presence-mapping.md.

export interface FieldRow {
  readonly xmpp: string;
  readonly pidf: string;
  readonly rule: string;
  readonly ref: string;
}

export const presenceFieldRows = [
  { xmpp: "<presence/> (no type)", pidf: "<basic>open</basic>", rule: "both ways", ref: "RFC 8048 §5.2/§5.3" },
  { xmpp: 'type="unavailable"', pidf: "<basic>closed</basic>", rule: "both ways", ref: "RFC 8048 §5.2/§5.3" },
  { xmpp: "resource", pidf: "tuple id + contact ;gr=", rule: "one tuple per resource", ref: "RFC 8048 §5.2; RFC 5627 gr" },
  { xmpp: "<status xml:lang>", pidf: "<note xml:lang>", rule: "both ways, one per language", ref: "RFC 8048 §5.2/§5.3" },
  { xmpp: "<show/>", pidf: "RPID <activities>", rule: "see mappings/presence-show.ts", ref: "gateway choice" },
  { xmpp: "<priority/>", pidf: "contact priority", rule: "off by default; opt-in scaling", ref: "RFC 8048 §5.2 note (recalled)" },
  { xmpp: "XEP-0203 <delay stamp>", pidf: "<timestamp>", rule: "both ways", ref: "RFC 3863 §4.1.7; XEP-0203" },
  { xmpp: "XEP-0115 <c/> + disco features", pidf: "RFC 5196 <servcaps>", rule: "XMPP → SIP only", ref: "mappings/presence-caps.ts" },
  { xmpp: "vcard-temp:x:update <photo>", pidf: "CIPID <icon>", rule: "not mapped (hash ≠ URI)", ref: "XEP-0153; RFC 4482 §2.4" },
] as const satisfies readonly FieldRow[];

/** RFC 6121 §4.7.2.3 priority range. */
export const XMPP_PRIORITY_MAX = 127;

/**
 * RFC 8048 §5.2 note (recalled): negative XMPP priorities MUST NOT be mapped; if non-negative ones are,
 * 0 → 0 and 127 → 1 with intermediate values kept distinct (three decimals, RFC 3863 qvalue).
 */
export function xmppPriorityToQvalue(priority: number): number | undefined {
  if (!Number.isInteger(priority) || priority < 0) return undefined;
  return Math.round((Math.min(priority, XMPP_PRIORITY_MAX) / XMPP_PRIORITY_MAX) * 1000) / 1000;
}

/** Inverse of xmppPriorityToQvalue (exact for every value it produces). */
export function qvalueToXmppPriority(q: number): number {
  return Math.round(Math.max(0, Math.min(1, q)) * XMPP_PRIORITY_MAX);
}
