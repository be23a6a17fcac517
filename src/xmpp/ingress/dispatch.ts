// Entry point for every stanza the component link receives: read and validate it, answer the
// malformed ones (RFC 6120 §8.3.3.8 jid-malformed, §8.3.3.1 bad-request), answer IQs here, and hand
// messages and presences to the gateway's handlers. Nothing is dropped without a log line.
import type { Logger } from "pino";
import type { Element } from "../xml.js";
import { buildErrorStanza } from "../build/error.js";
import { readStanza, type InboundStanza } from "../parse/stanza.js";
import type { SendResult } from "../transport/component.js";
import { answerIq } from "./iq.js";
import type { IqAnswerConfig } from "./iq-config.js";

export interface StanzaDispatchDeps {
  readonly send: (stanza: Element) => SendResult;
  readonly iq: IqAnswerConfig;
  readonly onMessage: (stanza: InboundStanza) => void;
  readonly onPresence: (stanza: InboundStanza) => void;
  readonly logger: Logger;
}

/** Returns the listener to attach to the link's "stanza" event; `linkDomain` is the receiving link. */
export function createStanzaDispatcher(deps: StanzaDispatchDeps): (element: Element, linkDomain: string) => void {
  const log = deps.logger.child({ module: "xmpp-ingress" });
  const reply = (stanza: Element, what: string) => {
    const r = deps.send(stanza);
    if (r.kind === "rejected") log.warn({ reason: r.reason, what }, "could not send reply");
  };
  return (element, linkDomain) => {
    const read = readStanza(element);
    if (!read.ok) {
      log.warn({ reason: read.reason, name: element.name, from: element.attrs.from, to: element.attrs.to, id: element.attrs.id }, "malformed stanza");
      if (read.replyable) {
        const err = buildErrorStanza(element, read.error);
        // An invalid 'to' cannot be our reply's 'from': the server would close the stream (invalid-from).
        if (read.error.condition === "jid-malformed" || element.attrs.to === undefined) err.attrs.from = linkDomain;
        reply(err, read.reason);
      }
      return;
    }
    const stanza = read.stanza;
    switch (stanza.kind) {
      case "iq": {
        const outcome = answerIq(stanza, deps.iq);
        if (outcome.kind === "reply") {
          log.debug({ from: element.attrs.from, answered: outcome.answered }, "iq answered");
          reply(outcome.stanza, outcome.answered);
        } else {
          log.debug({ from: element.attrs.from, id: stanza.id, reason: outcome.reason }, "iq ignored");
        }
        return;
      }
      case "message":
        deps.onMessage(stanza);
        return;
      case "presence":
        deps.onPresence(stanza);
        return;
    }
  };
}
