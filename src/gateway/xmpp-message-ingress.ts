// XMPP <message/> → SIP MESSAGE (RFC 7572 §4), and XMPP error stanzas answering our own messages.
// Pipeline: bounce correlation → type rules → identity (RFC 7247 Security Considerations) → body
// translation → SIP MESSAGE → a SIP failure comes back as an error stanza (RFC 7247 §6).
import type { Logger } from "pino";
import type { AddressPlan } from "../domain/address.js";
import { gatewayError, type GatewayError } from "../domain/errors.js";
import type { SipResponse } from "../sip/message/types.js";
import { formatSipAddress } from "../translate/address.js";
import { gatewayErrorToXmpp, sipStatusToXmppError } from "../translate/errors.js";
import { checkXmppDestination, checkXmppOrigin } from "../translate/identity.js";
import { chatToSipMessage, type ChatToSipOptions } from "../translate/message.js";
import { buildErrorStanza, type StanzaErrorSpec } from "../xmpp/build/error.js";
import { parseXmppMessage } from "../xmpp/message/parse.js";
import type { InboundStanza } from "../xmpp/parse/stanza.js";
import { readStanzaError } from "../xmpp/parse/stanza-error.js";
import type { Element } from "../xmpp/xml.js";
import type { GatewayMetrics } from "../observability/metrics.js";
import type { RateLimiter } from "../sip/transport/rate-limit.js";

export interface XmppMessageIngressDeps {
  readonly plan: AddressPlan;
  readonly maxBodyBytes: number;
  /** Per sending bare JID; every refusal is answered (the component link is a trusted server hop). */
  readonly userRate?: RateLimiter;
  readonly chatToSip: Omit<ChatToSipOptions, "now" | "newId">;
  readonly sendMessage: (from: string, to: string, body: Uint8Array, contentType: string, headers: Readonly<Record<string, string>>) => Promise<SipResponse>;
  readonly sendStanza: (stanza: Element) => void;
  /** Offers an error stanza to the delivery trackers; true when it answered a pending SIP MESSAGE. */
  readonly bounce: (stanza: InboundStanza) => boolean;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
}

// RFC 7572 §4: groupchat is not page-mode IM; MUC is the groupchat mapping's business (RFC 7702).
const GROUPCHAT_REFUSED: StanzaErrorSpec = { type: "cancel", condition: "feature-not-implemented", text: "groupchat is not relayed as SIP page-mode messages" };

/** How long a SIP peer that refused isComposing with 415 is spared further ones. */
const NO_ISCOMPOSING_TTL_MS = 60 * 60 * 1000;
const NO_ISCOMPOSING_MAX = 10_000;

export function createXmppMessageIngress(deps: XmppMessageIngressDeps): (stanza: InboundStanza) => void {
  const log = deps.logger.child({ module: "xmpp-message-ingress" });
  // COMPAT(voip.ms, Asterisk, reSIProcate): UAs that do not take RFC 3994 answer 415 to every
  // isComposing; keep sending them and every keystroke costs a failed transaction (linphone-desktop#785).
  const noIsComposing = new Map<string, number>();
  const isComposingRefused = (peer: string): boolean => {
    const until = noIsComposing.get(peer);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    noIsComposing.delete(peer);
    return false;
  };
  const answerError = (stanza: InboundStanza, err: StanzaErrorSpec, why: string): void => {
    log.info({ from: stanza.from.toString(), to: stanza.to.toString(), id: stanza.id, condition: err.condition, why }, "message refused");
    deps.metrics.translationError(err.condition);
    deps.sendStanza(buildErrorStanza(stanza.element, err));
  };
  const answerGatewayError = (stanza: InboundStanza, e: GatewayError): void => {
    const x = gatewayErrorToXmpp(e);
    answerError(stanza, x.text === undefined ? { type: x.type, condition: x.condition } : { type: x.type, condition: x.condition, text: x.text }, e.code);
    deps.metrics.messageRelayed("xmpp-to-sip", "rejected");
  };

  const relay = async (stanza: InboundStanza, from: string, to: string, body: Uint8Array, contentType: string, headers: Readonly<Record<string, string>>, contentless: boolean): Promise<void> => {
    let response: SipResponse;
    try {
      response = await deps.sendMessage(from, to, body, contentType, headers);
    } catch (cause) {
      log.error({ err: cause, id: stanza.id }, "SIP MESSAGE could not be sent");
      answerGatewayError(stanza, gatewayError("internal", "SIP MESSAGE could not be sent", cause));
      return;
    }
    if (response.status < 300) {
      deps.metrics.messageRelayed("xmpp-to-sip", "delivered");
      return;
    }
    if (contentless) {
      // XEP-0085 §5.5: chat-state notifications are never reported as failures to the sender.
      if (response.status === 415) {
        if (noIsComposing.size >= NO_ISCOMPOSING_MAX) noIsComposing.delete(noIsComposing.keys().next().value as string);
        noIsComposing.set(to, Date.now() + NO_ISCOMPOSING_TTL_MS);
      }
      log.debug({ id: stanza.id, status: response.status }, "chat-state notification refused by the SIP side");
      deps.metrics.messageRelayed("xmpp-to-sip", "dropped");
      return;
    }
    // RFC 7247 §6: the SIP failure goes back to the XMPP sender as the mapped stanza error.
    const mapped = sipStatusToXmppError(response.status) ?? { type: "cancel", condition: "undefined-condition" };
    deps.metrics.messageRelayed("xmpp-to-sip", "failed");
    answerError(stanza, { type: mapped.type, condition: mapped.condition, text: `SIP ${response.status} ${response.reason}` }, `sip-${response.status}`);
  };

  return (stanza) => {
    if (stanza.type === "error") {
      if (!deps.bounce(stanza)) {
        // RFC 6120 §8.3.1: never answer an error; one that matches nothing is only logged.
        const e = readStanzaError(stanza.element);
        log.info({ from: stanza.from.toString(), id: stanza.id, condition: e.condition }, "error stanza for no pending message");
      }
      return;
    }
    if (stanza.type === "groupchat") return answerError(stanza, GROUPCHAT_REFUSED, "groupchat");

    const from = checkXmppOrigin(stanza.from.toString(), deps.plan);
    if (!from.ok) return answerGatewayError(stanza, from.error);
    if (deps.userRate !== undefined && deps.userRate.check(stanza.from.bare().toString()) !== "accept") {
      return answerGatewayError(stanza, gatewayError("rateLimited", "too many messages from this user"));
    }
    const to = checkXmppDestination(stanza.to.toString(), deps.plan);
    if (!to.ok) return answerGatewayError(stanza, to.error);

    const parsed = parseXmppMessage(stanza.element);
    if (!parsed.ok) {
      const e = parsed.error;
      answerError(stanza, { type: e.xmpp.type, condition: e.xmpp.condition, text: e.detail }, e.xmpp.condition);
      return;
    }
    const out = chatToSipMessage(parsed.value, deps.chatToSip);
    if (out === undefined) {
      // Nothing SIP can carry (e.g. a bare <gone/> chat state): XEP-0085 states are never errors.
      log.debug({ id: stanza.id }, "message has nothing to relay");
      deps.metrics.messageRelayed("xmpp-to-sip", "dropped");
      return;
    }
    if (out.body.byteLength > deps.maxBodyBytes) return answerGatewayError(stanza, gatewayError("bodyTooLarge", `${out.body.byteLength} bytes`));
    const chat = parsed.value;
    const contentless = chat.bodies.length === 0 && chat.html === undefined && chat.subject === undefined;
    const sipFrom = formatSipAddress(from.value);
    const sipTo = formatSipAddress(to.value);
    if (contentless && isComposingRefused(sipTo)) {
      deps.metrics.messageRelayed("xmpp-to-sip", "dropped");
      return;
    }
    void relay(stanza, sipFrom, sipTo, out.body, out.contentType, out.headers, contentless);
  };
}
