// JID reading with the RFC 7622 checks @xmpp/jid skips: it splits any string and never rejects.
// Rules recalled from RFC 7622 §3 (not all read from the stored text): each part 1..1023 octets,
// localpart must not contain " & ' / : < > @ or whitespace (§3.3.1, UsernameCaseMapped profile),
// an "@" or "/" present means its part must be non-empty.
import jidPkg from "@xmpp/jid";
import type { JID } from "@xmpp/jid";

export type { JID };

export type JidReadError = "empty" | "empty-localpart" | "empty-domain" | "empty-resource" | "too-long" | "bad-localpart" | "bad-domain";

export type JidReadResult =
  | { readonly ok: true; readonly jid: JID }
  | { readonly ok: false; readonly reason: JidReadError };

const MAX_PART_OCTETS = 1023;
const FORBIDDEN_LOCAL = /["&'/:<>@\s]/u;
// Domainparts are IDNs or IP literals; anything with these characters cannot be either.
const FORBIDDEN_DOMAIN = /[\s"&'/:<>@\\,;]/u;

const octets = (s: string): number => Buffer.byteLength(s, "utf8");

export function readJid(text: string): JidReadResult {
  if (text.length === 0) return { ok: false, reason: "empty" };
  // RFC 7622 §3.1: the first "/" starts the resourcepart; the "@" before it ends the localpart.
  const slash = text.indexOf("/");
  const bareText = slash === -1 ? text : text.slice(0, slash);
  const resource = slash === -1 ? undefined : text.slice(slash + 1);
  const at = bareText.indexOf("@");
  const local = at === -1 ? undefined : bareText.slice(0, at);
  const domain = at === -1 ? bareText : bareText.slice(at + 1);

  if (local !== undefined && local.length === 0) return { ok: false, reason: "empty-localpart" };
  if (domain.length === 0 || domain === ".") return { ok: false, reason: "empty-domain" };
  if (resource !== undefined && resource.length === 0) return { ok: false, reason: "empty-resource" };
  if ((local && octets(local) > MAX_PART_OCTETS) || octets(domain) > MAX_PART_OCTETS || (resource && octets(resource) > MAX_PART_OCTETS)) {
    return { ok: false, reason: "too-long" };
  }
  if (local && FORBIDDEN_LOCAL.test(local)) return { ok: false, reason: "bad-localpart" };
  // RFC 7622 §3.2: a trailing dot is stripped before comparison; empty labels are never valid.
  const labels = domain.replace(/\.$/u, "").split(".");
  if (FORBIDDEN_DOMAIN.test(domain) || labels.some((l) => l.length === 0)) return { ok: false, reason: "bad-domain" };
  return { ok: true, jid: jidPkg(local ?? null, domain.replace(/\.$/u, ""), resource ?? null) };
}

/** Domain of a JID string without a full parse (hot path: routing outbound stanzas by `from`). */
export function domainOf(text: string): string {
  const slash = text.indexOf("/");
  const bare = slash === -1 ? text : text.slice(0, slash);
  return bare.slice(bare.indexOf("@") + 1).toLowerCase();
}
