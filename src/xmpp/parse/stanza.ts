// First look at every inbound stanza: kind, addresses, id, type — and the shape checks whose failure
// has a defined error reply (RFC 6120 §8.1, §8.2.3, §8.3.3). Later stages receive only valid records.
import type { Element } from "../xml.js";
import type { StanzaErrorSpec } from "../build/stanza-error-types.js";
import { readJid, type JID } from "./jid.js";

export type StanzaKind = "message" | "presence" | "iq";

// RFC 6120 §8.2.3 (iq), RFC 6121 §5.2.2 (message) and §4.7.1 (presence): the allowed 'type' values.
const TYPES: Readonly<Record<StanzaKind, ReadonlySet<string>>> = {
  iq: new Set(["get", "set", "result", "error"]),
  message: new Set(["normal", "chat", "groupchat", "headline", "error"]),
  presence: new Set(["unavailable", "subscribe", "subscribed", "unsubscribe", "unsubscribed", "probe", "error"]),
};

export interface InboundStanza {
  readonly kind: StanzaKind;
  readonly from: JID;
  readonly to: JID;
  readonly id: string | undefined;
  /** Absent type means "normal" for message and "available" for presence (RFC 6121). */
  readonly type: string | undefined;
  readonly element: Element;
}

export type StanzaReadResult =
  | { readonly ok: true; readonly stanza: InboundStanza }
  | {
      readonly ok: false;
      readonly error: StanzaErrorSpec;
      /** False when the sender cannot be addressed or the stanza is itself an error (§8.3.1). */
      readonly replyable: boolean;
      readonly reason: string;
    };

const fail = (condition: "bad-request" | "jid-malformed", reason: string, replyable: boolean): StanzaReadResult => ({
  ok: false,
  error: { type: "modify", condition, text: reason },
  replyable,
  reason,
});

export function readStanza(element: Element): StanzaReadResult {
  const name = element.name;
  if (name !== "message" && name !== "presence" && name !== "iq") {
    return fail("bad-request", `not a stanza: <${name}>`, false);
  }
  const attrs = element.attrs as Record<string, unknown>;
  const type = typeof attrs.type === "string" ? attrs.type : undefined;
  // RFC 6120 §8.2.3/§8.3.1: iq results and any error are never answered, even when malformed.
  const answerable = type !== "error" && !(name === "iq" && type === "result");
  const fromText = typeof attrs.from === "string" ? attrs.from : undefined;
  const toText = typeof attrs.to === "string" ? attrs.to : undefined;

  // The server stamps 'from' on everything it routes to a component; without a valid one there is no
  // address to send an error to, so those are only logged.
  if (fromText === undefined) return fail("bad-request", "missing from", false);
  const from = readJid(fromText);
  if (!from.ok) return fail("jid-malformed", `invalid from (${from.reason})`, false);
  if (toText === undefined) return fail("bad-request", "missing to", answerable);
  const to = readJid(toText);
  if (!to.ok) return fail("jid-malformed", `invalid to (${to.reason})`, answerable);

  if (type !== undefined && !TYPES[name].has(type)) return fail("bad-request", `invalid ${name} type "${type}"`, answerable);
  const id = typeof attrs.id === "string" ? attrs.id : undefined;
  if (name === "iq") {
    // RFC 6120 §8.1.3: 'id' and 'type' are REQUIRED on iq; §8.2.3: get/set carry exactly one payload.
    if (type === undefined) return fail("bad-request", "iq without type", true);
    if (id === undefined) return fail("bad-request", "iq without id", answerable);
    if ((type === "get" || type === "set") && element.getChildElements().length !== 1) {
      return fail("bad-request", `iq ${type} must have exactly one child element`, true);
    }
  }
  return { ok: true, stanza: { kind: name, from: from.jid, to: to.jid, id, type, element } };
}
