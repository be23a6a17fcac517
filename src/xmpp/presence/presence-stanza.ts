// XMPP <presence/> ⇄ XmppPresenceState (RFC 6121 §4.7) with XEP-0115 caps and XEP-0203 delay. Pure.
// Subscription-type presences (§3) are classified here too, so the router sees one record per stanza.
import { isElement, xml, type Element } from "../xml.js";
import type { PresenceStatus, XmppPresenceState, XmppShow } from "../../domain/presence.js";

export const CAPS_NS = "http://jabber.org/protocol/caps";
export const DELAY_NS = "urn:xmpp:delay";
const SHOWS: ReadonlySet<string> = new Set<XmppShow>(["away", "chat", "dnd", "xa"]);

export type SubscriptionStanzaType = "subscribe" | "subscribed" | "unsubscribe" | "unsubscribed";

/** What one inbound presence stanza means, addresses left to the caller (it has the parsed JIDs). */
export type PresenceStanzaMeaning =
  | { readonly kind: "state"; readonly state: XmppPresenceState }
  | { readonly kind: "subscription"; readonly type: SubscriptionStanzaType }
  | { readonly kind: "probe" }
  | { readonly kind: "error" };

/** Children without a namespace or in the stanza namespace (xmpp.js detaches stanzas from the stream). */
function own(el: Element, name: string): Element[] {
  return el.children.filter((c): c is Element => {
    if (!isElement(c) || c.name !== name) return false;
    const ns = c.getNS();
    return ns === undefined || ns === "" || ns === "jabber:client" || ns === "jabber:component:accept";
  });
}

/** RFC 6121 §4.7.2.3: an integer −128..127; anything else is ignored rather than refused. */
function readPriority(el: Element): number | undefined {
  const p = own(el, "priority")[0];
  if (p === undefined) return undefined;
  const text = p.getText().trim();
  if (!/^[+-]?\d{1,3}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= -128 && n <= 127 ? n : undefined;
}

export function readPresenceState(el: Element, resource: string): XmppPresenceState {
  const inherited = typeof el.attrs["xml:lang"] === "string" ? el.attrs["xml:lang"] : undefined;
  const statuses: PresenceStatus[] = [];
  const langs = new Set<string>();
  for (const s of own(el, "status")) {
    const lang = (typeof s.attrs["xml:lang"] === "string" ? s.attrs["xml:lang"] : undefined) ?? inherited;
    // RFC 6121 §4.7.2.2: at most one <status/> per language; the first wins.
    if (langs.has(lang ?? "")) continue;
    langs.add(lang ?? "");
    const text = s.getText();
    if (text !== "") statuses.push(lang === undefined || lang === "" ? { text } : { text, lang });
  }
  const available = el.attrs.type !== "unavailable";
  const showText = own(el, "show")[0]?.getText().trim();
  const priority = readPriority(el);
  const c = el.getChild("c", CAPS_NS);
  const delay = el.getChild("delay", DELAY_NS);
  const node = c?.attrs.node, ver = c?.attrs.ver, hash = c?.attrs.hash;
  return {
    resource, available, statuses,
    // RFC 6121 §4.7.2.1: <show/> only qualifies an available presence.
    ...(available && showText !== undefined && SHOWS.has(showText) ? { show: showText as XmppShow } : {}),
    ...(priority !== undefined ? { priority } : {}),
    ...(typeof node === "string" && typeof ver === "string" ? { caps: { node, ver, hash: typeof hash === "string" ? hash : "sha-1" } } : {}),
    ...(typeof delay?.attrs.stamp === "string" ? { delay: delay.attrs.stamp } : {}),
  };
}

export function classifyPresence(el: Element, resource: string): PresenceStanzaMeaning {
  const type = typeof el.attrs.type === "string" ? el.attrs.type : undefined;
  switch (type) {
    case undefined: case "unavailable": return { kind: "state", state: readPresenceState(el, resource) };
    case "subscribe": case "subscribed": case "unsubscribe": case "unsubscribed": return { kind: "subscription", type };
    case "probe": return { kind: "probe" };
    default: return { kind: "error" };
  }
}

/** A presence stanza for one state. Caps are not re-advertised: the gateway does not answer their disco#info. */
export function buildPresenceStanza(from: string, to: string, s: XmppPresenceState): Element {
  const el = xml("presence", { from, to, ...(s.available ? {} : { type: "unavailable" }) });
  if (s.available && s.show !== undefined) el.append(xml("show", {}, s.show));
  for (const st of s.statuses) el.append(xml("status", st.lang !== undefined ? { "xml:lang": st.lang } : {}, st.text));
  if (s.priority !== undefined) el.append(xml("priority", {}, String(s.priority)));
  if (s.delay !== undefined) el.append(xml("delay", { xmlns: DELAY_NS, from: from.split("/")[0] ?? from, stamp: s.delay }));
  return el;
}

/** RFC 6121 §3 subscription stanzas and §4.3 probes; `id` keeps them traceable in server logs. */
export function buildSubscriptionStanza(from: string, to: string, type: SubscriptionStanzaType | "probe", id?: string): Element {
  return xml("presence", { from, to, type, ...(id !== undefined ? { id } : {}) });
}
