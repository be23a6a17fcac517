// Reads the <error/> child of an inbound type="error" stanza (RFC 6120 §8.3.2).
import type { Element } from "../xml.js";
import { NS_STANZAS, STANZA_ERROR_CONDITIONS, type StanzaErrorCondition, type StanzaErrorType } from "../build/stanza-error-types.js";

export interface StanzaErrorInfo {
  readonly type: StanzaErrorType | "unknown";
  /** "undefined-condition" when the sender put none (or an unknown one) in the stanzas namespace. */
  readonly condition: StanzaErrorCondition;
  readonly text?: string;
}

const TYPES = new Set<string>(["auth", "cancel", "continue", "modify", "wait"]);
const CONDITIONS = new Set<string>(STANZA_ERROR_CONDITIONS);

export function readStanzaError(stanza: Element): StanzaErrorInfo {
  const error = stanza.getChild("error");
  const typeAttr = error?.attrs.type;
  const type = typeof typeAttr === "string" && TYPES.has(typeAttr) ? (typeAttr as StanzaErrorType) : "unknown";
  let condition: StanzaErrorCondition = "undefined-condition";
  let text: string | undefined;
  for (const child of error?.getChildElements() ?? []) {
    if (child.attrs.xmlns !== NS_STANZAS) continue;
    if (child.name === "text") text = child.getText();
    else if (CONDITIONS.has(child.name)) condition = child.name as StanzaErrorCondition;
  }
  return text === undefined ? { type, condition } : { type, condition, text };
}
