// Error replies per RFC 6120 §8.3.1/§8.3.2: same stanza kind and id, type="error", to/from swapped,
// one <error type [by]> holding the defined condition in the stanzas namespace and optional <text/>.
import { xml, type Element } from "../xml.js";
import { NS_STANZAS, type StanzaErrorSpec } from "./stanza-error-types.js";

export type { StanzaErrorSpec, StanzaErrorType, StanzaErrorCondition } from "./stanza-error-types.js";

export function buildErrorStanza(original: Element, err: StanzaErrorSpec): Element {
  const { to, from, id } = original.attrs as Record<string, string | undefined>;
  const attrs: Record<string, string> = { type: "error" };
  // The reply comes from whom the original was addressed to and goes back to its sender.
  if (to) attrs.from = to;
  if (from) attrs.to = from;
  if (id !== undefined) attrs.id = id;
  const errorAttrs: Record<string, string> = { type: err.type };
  if (err.by) errorAttrs.by = err.by;
  const error = xml("error", errorAttrs, xml(err.condition, { xmlns: NS_STANZAS }));
  if (err.text !== undefined) error.append(xml("text", { xmlns: NS_STANZAS, "xml:lang": "en" }, err.text));
  return xml(original.name, attrs, error);
}

/** RFC 6120 §8.3.1: an entity MUST NOT answer an error stanza with another error (loops). */
export function mayAnswerWithError(original: Element): boolean {
  return original.attrs.type !== "error";
}
