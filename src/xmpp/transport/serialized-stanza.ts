// A stanza whose XML text is already written. The SIP MESSAGE hot path builds its <message/> text
// directly (src/xmpp/message/serialize.ts) instead of an element tree serialized a moment later:
// measured in docs/benchmarks.md ("Where stox's time goes"). The link only needs the `from` (to pick
// the stream and to refuse what the server would punish with invalid-from, XEP-0114 §3) and the text.
import type { Element } from "../xml.js";
import { escapeAttr } from "../xml-escape.js";

declare const written: unique symbol;

export interface SerializedStanza {
  /** Made only by serializedStanza(), which checks `from` against the text. */
  readonly [written]: true;
  readonly serialized: true;
  readonly name: "message" | "presence" | "iq";
  /** Exactly the `from` attribute written in `xml`. */
  readonly from: string;
  readonly xml: string;
}

/**
 * The one way to make a SerializedStanza. The link's from-check and stream choice trust `from`, so it
 * must be the text's own from attribute: the text must open with `<name from="…"` (escaped as we
 * write attributes), which is how our serializers write it. A mismatch is a bug in the caller: thrown.
 */
export function serializedStanza(name: SerializedStanza["name"], from: string, xml: string): SerializedStanza {
  if (!xml.startsWith(`<${name} from="${escapeAttr(from)}"`)) throw new Error(`serialized ${name}: its text does not open with its from attribute`);
  return { serialized: true, name, from, xml } as SerializedStanza;
}

/** What the component link accepts: a built element, or text written by a serializer of ours. */
export type OutboundStanza = Element | SerializedStanza;

export function isSerialized(s: OutboundStanza): s is SerializedStanza {
  return (s as Partial<SerializedStanza>).serialized === true;
}

export function stanzaFrom(s: OutboundStanza): string | undefined {
  return isSerialized(s) ? s.from : (s.attrs.from as string | undefined);
}
