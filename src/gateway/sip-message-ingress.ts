// SIP MESSAGE → XMPP <message/> (RFC 7572 §5, RFC 3428). Reads top to bottom as the pipeline:
// limits → identity (RFC 7247 Security Considerations) → body translation → stanza → delivery
// decision (docs/architecture.md, "When a SIP MESSAGE is answered") → SIP final response.
import type { Logger } from "pino";
import type { AddressPlan } from "../domain/address.js";
import { gatewayError, type GatewayError } from "../domain/errors.js";
import type { MessageError } from "../domain/message.js";
import type { IncomingSipMessage, MessageReply } from "../sip/endpoint.js";
import { randomToken } from "../sip/message/ids.js";
import { parseSipAddress, formatJid } from "../translate/address.js";
import { gatewayErrorToSip, xmppErrorToSipStatus } from "../translate/errors.js";
import { admitSipOrigin, checkSipDestination, sipOriginAddress, type SipTrust } from "../translate/identity.js";
import { sipMessageToChat } from "../translate/message.js";
import { serializeXmppMessage } from "../xmpp/message/serialize.js";
import type { OutboundStanza } from "../xmpp/transport/serialized-stanza.js";
import type { StanzaErrorInfo } from "../xmpp/parse/stanza-error.js";
import type { GatewayMetrics } from "../observability/metrics.js";
import type { RateLimiter } from "../sip/transport/rate-limit.js";
import type { DeliveryOutcome, DeliveryTracker } from "./delivery-tracker.js";
import type { SipAuthenticator } from "./sip-authenticator.js";
import { boundedMemo } from "./bounded-memo.js";

export interface SipMessageIngressDeps {
  readonly plan: AddressPlan;
  readonly trust: SipTrust;
  /** Digest challenge for sources that are not trusted proxies (sip.trust.digest). */
  readonly authenticate?: SipAuthenticator;
  readonly maxBodyBytes: number;
  /** Per sending user (SIP From AOR): traffic from one trusted proxy carries many users. */
  readonly userRate?: RateLimiter;
  /** The tracker of the component link that carries `componentDomain` (one per XEP-0114 link). */
  readonly trackerFor: (componentDomain: string) => DeliveryTracker<OutboundStanza, StanzaErrorInfo> | undefined;
  /** Sends without waiting for a decision (chat states: XEP-0085 §5.5 says they are not worth a failure). */
  readonly sendNow: (stanza: OutboundStanza) => "sent" | "buffered" | "rejected";
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
}

const reply = (status: number, reason: string, headers?: Record<string, string>): MessageReply =>
  headers === undefined ? { status, reason } : { status, reason, headers };

function replyForGatewayError(err: GatewayError): MessageReply {
  const line = gatewayErrorToSip(err);
  return reply(line.status, line.reason, line.retryAfterS === undefined ? undefined : { "retry-after": String(line.retryAfterS) });
}

function replyForMessageError(err: MessageError): MessageReply {
  return reply(err.sip.status, err.sip.reason, err.accept === undefined ? undefined : { accept: err.accept });
}

export function replyForOutcome(outcome: DeliveryOutcome<StanzaErrorInfo>): MessageReply {
  switch (outcome.kind) {
    case "accepted":
      return reply(200, "OK");
    case "bounced": {
      // RFC 7247 §6: the XMPP error condition becomes the SIP final response.
      const line = xmppErrorToSipStatus(outcome.error.condition, outcome.error.type === "unknown" ? undefined : outcome.error.type);
      return reply(line.status, line.reason);
    }
    case "link-down":
      return replyForGatewayError(gatewayError("linkDown", "XMPP component link is down"));
    case "rejected":
      return replyForGatewayError(gatewayError("bufferFull", "XMPP outbound buffer is full"));
  }
}

// Unguessable: whoever could guess a pending id could bounce another user's message.
const newStanzaId = (): string => `stox-${randomToken(12)}`;

export function createSipMessageIngress(deps: SipMessageIngressDeps): (m: IncomingSipMessage) => MessageReply | Promise<MessageReply> {
  const log = deps.logger.child({ module: "sip-message-ingress" });
  // Pure in the URI text and the (fixed) plan: translated once per From / Request-URI, not per MESSAGE.
  const originOf = boundedMemo((from) => sipOriginAddress(from, deps.plan));
  const destinationOf = boundedMemo((uri) => {
    const r = checkSipDestination(uri, deps.plan);
    return r.ok ? { ...r, text: formatJid(r.value) } : r;
  });
  const refuse = (m: IncomingSipMessage, r: MessageReply, why: string, detail?: string): MessageReply => {
    log.info({ callId: m.request.headers.get("call-id"), from: m.from, status: r.status, why, detail }, "MESSAGE refused");
    deps.metrics.translationError(why);
    deps.metrics.messageRelayed("sip-to-xmpp", "rejected");
    return r;
  };

  const decided = (outcome: DeliveryOutcome<StanzaErrorInfo>, id: string, m: IncomingSipMessage): MessageReply => {
    const r = replyForOutcome(outcome);
    deps.metrics.messageRelayed("sip-to-xmpp", outcome.kind === "accepted" ? "delivered" : outcome.kind === "bounced" ? "failed" : "rejected");
    if (log.isLevelEnabled("debug")) log.debug({ callId: m.request.headers.get("call-id"), id, outcome: outcome.kind, status: r.status }, "MESSAGE relayed");
    return r;
  };

  // Refusals are answered at once; a relayed message waits for its delivery decision (one promise).
  return (m) => {
    if (m.body.byteLength > deps.maxBodyBytes) {
      return refuse(m, replyForGatewayError(gatewayError("bodyTooLarge")), "bodyTooLarge", `${m.body.byteLength} bytes`);
    }
    const auth = deps.authenticate?.(m.request, m.source);
    if (auth?.kind === "challenge") {
      log.debug({ callId: m.request.headers.get("call-id"), status: auth.status }, "MESSAGE challenged");
      return { status: auth.status, reason: auth.reason, headers: auth.headers };
    }
    const source = auth?.kind === "authenticated" ? { ip: m.source.address, authenticatedAs: auth.identity } : { ip: m.source.address };
    const sender = admitSipOrigin(originOf(m.from), source, deps.trust);
    if (!sender.ok) return refuse(m, replyForGatewayError(sender.error), sender.error.code, sender.error.detail);
    const senderJid = formatJid(sender.value);
    if (deps.userRate !== undefined && deps.userRate.check(senderJid) !== "accept") {
      return refuse(m, replyForGatewayError(gatewayError("rateLimited", "too many messages from this user")), "rateLimited");
    }
    const recipient = destinationOf(m.request.uri);
    if (!recipient.ok) return refuse(m, replyForGatewayError(recipient.error), recipient.error.code, recipient.error.detail);

    const translated = sipMessageToChat({
      contentType: m.contentType,
      body: m.body,
      from: m.from,
      to: m.request.uri,
      ...(m.request.headers.get("subject") !== undefined ? { subject: m.request.headers.get("subject") as string } : {}),
      ...(m.request.headers.get("content-language") !== undefined ? { contentLanguage: m.request.headers.get("content-language") as string } : {}),
    });
    if (!translated.ok) return refuse(m, replyForMessageError(translated.error), translated.error.xmpp.condition, translated.error.detail);
    const { message, identity } = translated.value;
    // RFC 3862 §6.1 / RFC 7247 §9: a CPIM From must name the sender the envelope proved.
    if (identity.cpimFrom !== undefined) {
      const cpim = parseSipAddress(identity.cpimFrom);
      const env = parseSipAddress(m.from);
      if (!cpim.ok || !env.ok || cpim.value.user !== env.value.user || cpim.value.host !== env.value.host) {
        return refuse(m, replyForGatewayError(gatewayError("spoofedOrigin", "CPIM From differs from the SIP From")), "spoofedOrigin");
      }
    }

    const tracker = deps.trackerFor(sender.value.domain);
    if (tracker === undefined) return refuse(m, replyForGatewayError(gatewayError("unroutable", `no component link for ${sender.value.domain}`)), "unroutable");
    const id = message.id ?? newStanzaId();
    const stanza = serializeXmppMessage({ ...message, id, from: senderJid, to: recipient.text });

    const contentless = message.bodies.length === 0 && message.html === undefined && message.subject === undefined;
    if (contentless) {
      // Chat states and receipts: never worth a failure to the SIP user (bounces for offline users are normal).
      const r = deps.sendNow(stanza);
      deps.metrics.messageRelayed("sip-to-xmpp", r === "rejected" ? "rejected" : "delivered");
      return r === "rejected" ? replyForGatewayError(gatewayError("bufferFull")) : reply(200, "OK");
    }

    return new Promise<MessageReply>((resolve, reject) => tracker.track(id, stanza, (outcome) => {
      // The tracker calls this from a barrier reaction or a timer: a throw must become the 500, not escape there.
      try { resolve(decided(outcome, id, m)); } catch (err) { reject(err); }
    }));
  };
}
