// A stanza whose XML text is already written. The SIP MESSAGE hot path builds its <message/> text
// directly (src/xmpp/message/serialize.ts) instead of an element tree serialized a moment later:
// measured in docs/benchmarks.md ("Where stox's time goes"). The link only needs the `from` (to pick
// the stream and to refuse what the server would punish with invalid-from, XEP-0114 §3) and the text.
import type { Element } from "../xml.js";

export interface SerializedStanza {
  readonly serialized: true;
  readonly name: "message" | "presence" | "iq";
  /** Exactly the `from` attribute written in `xml`. */
  readonly from: string;
  readonly xml: string;
}

/** What the component link accepts: a built element, or text written by a serializer of ours. */
export type OutboundStanza = Element | SerializedStanza;

export function isSerialized(s: OutboundStanza): s is SerializedStanza {
  return (s as Partial<SerializedStanza>).serialized === true;
}

export function stanzaFrom(s: OutboundStanza): string | undefined {
  return isSerialized(s) ? s.from : (s.attrs.from as string | undefined);
}
