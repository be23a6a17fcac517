// Answers every IQ addressed to the component's domains (RFC 6120 §8.2.3: a get/set MUST be answered;
// a result/error MUST NOT be). Pure: returns the reply for the caller to send.
// Identities: the gateway JID is category "gateway" type "sip" (XEP-0030 registry, used as XEP-0100
// gateways are discovered). User JIDs are SIP users behind the gateway, for which the component acts
// as their server: a bare JID answers like a hosted account ("account"/"registered", the registry's
// entry for a server answering for user@host); a full JID stands for one SIP device, "client"/"pc".
import { xml, type Element } from "../xml.js";
import { buildErrorStanza } from "../build/error.js";
import type { InboundStanza } from "../parse/stanza.js";
import type { IqAnswerConfig } from "./iq-config.js";

export const NS_DISCO_INFO = "http://jabber.org/protocol/disco#info";
export const NS_DISCO_ITEMS = "http://jabber.org/protocol/disco#items";
export const NS_PING = "urn:xmpp:ping";
export const NS_VERSION = "jabber:iq:version";

export type IqOutcome =
  | { readonly kind: "reply"; readonly stanza: Element; readonly answered: string }
  | { readonly kind: "ignored"; readonly reason: "response-without-request" | "not-our-domain" };

type Target = "gateway" | "bare-user" | "full-user";

export function answerIq(iq: InboundStanza, cfg: IqAnswerConfig): IqOutcome {
  // Replies to our own requests were consumed by the link; anything left has no pending request.
  if (iq.type === "result" || iq.type === "error") return { kind: "ignored", reason: "response-without-request" };
  if (!cfg.domains.has(iq.to.domain)) return { kind: "ignored", reason: "not-our-domain" };
  const target: Target = !iq.to.local ? "gateway" : iq.to.resource ? "full-user" : "bare-user";
  // readStanza guarantees exactly one child on get/set.
  const query = iq.element.getChildElements()[0]!;
  const ns = query.attrs.xmlns as string | undefined;
  const key = `${iq.type} ${ns ?? ""} ${query.name}`;

  const result = (payload?: Element): IqOutcome => ({ kind: "reply", stanza: buildResult(iq, payload), answered: key });
  const error = (condition: "service-unavailable" | "item-not-found"): IqOutcome => ({
    kind: "reply",
    stanza: buildErrorStanza(iq.element, { type: "cancel", condition }),
    answered: `${key} -> ${condition}`,
  });

  switch (key) {
    case `get ${NS_DISCO_INFO} query`: {
      const node = query.attrs.node as string | undefined;
      // XEP-0030 §3.2: an unknown node is item-not-found; our only nodes are XEP-0115 caps nodes.
      if (node !== undefined && !(cfg.capsNode && node.startsWith(`${cfg.capsNode}#`))) return error("item-not-found");
      return result(discoInfo(target, cfg, node));
    }
    case `get ${NS_DISCO_ITEMS} query`:
      if (query.attrs.node !== undefined) return error("item-not-found");
      return result(xml("query", { xmlns: NS_DISCO_ITEMS }));
    case `get ${NS_PING} ping`:
      // XEP-0199: the domain and bare JIDs are answered by their "server" (us); a full JID is a SIP
      // device we cannot ping end to end, so we do not pretend it answered.
      return target === "full-user" ? error("service-unavailable") : result();
    case `get ${NS_VERSION} query`:
      // XEP-0092 describes the software of the queried entity: for user JIDs that is the SIP UA, unknown.
      return target === "gateway" ? result(versionPayload(cfg)) : error("service-unavailable");
    default:
      // RFC 6120 §8.4: a namespace the entity does not understand gets service-unavailable.
      return error("service-unavailable");
  }
}

function buildResult(iq: InboundStanza, payload?: Element): Element {
  // Mirror the addresses exactly as received (the parsed JIDs are case-folded).
  const attrs: Record<string, string> = { type: "result", from: iq.element.attrs.to as string, to: iq.element.attrs.from as string };
  if (iq.id !== undefined) attrs.id = iq.id;
  return payload ? xml("iq", attrs, payload) : xml("iq", attrs);
}

function discoInfo(target: Target, cfg: IqAnswerConfig, node: string | undefined): Element {
  const identity =
    target === "gateway" ? xml("identity", { category: "gateway", type: "sip", name: cfg.identityName })
    : target === "bare-user" ? xml("identity", { category: "account", type: "registered" })
    : xml("identity", { category: "client", type: "pc" });
  const answered = target === "gateway" ? [NS_DISCO_INFO, NS_DISCO_ITEMS, NS_PING, NS_VERSION]
    : target === "bare-user" ? [NS_DISCO_INFO, NS_DISCO_ITEMS, NS_PING]
    : [NS_DISCO_INFO, NS_DISCO_ITEMS];
  const features = new Set([...answered, ...(target === "gateway" ? cfg.features : cfg.userFeatures)]);
  const query = xml("query", node === undefined ? { xmlns: NS_DISCO_INFO } : { xmlns: NS_DISCO_INFO, node }, identity);
  for (const v of features) query.append(xml("feature", { var: v }));
  return query;
}

function versionPayload(cfg: IqAnswerConfig): Element {
  const q = xml("query", { xmlns: NS_VERSION }, xml("name", {}, cfg.version.name), xml("version", {}, cfg.version.version));
  if (cfg.version.os !== undefined) q.append(xml("os", {}, cfg.version.os));
  return q;
}
