// Page-mode IM in both directions (RFC 7572), wired from config: the SIP MESSAGE ingress answers
// through the XMPP side's delivery trackers, the XMPP message ingress sends through the SIP endpoint,
// and XMPP error stanzas are offered to the trackers first (bounces of our own messages).
import type { Logger } from "pino";
import type { Config } from "../config/schema.js";
import type { AddressPlan } from "../domain/address.js";
import type { GatewayMetrics } from "../observability/metrics.js";
import type { SipEndpoint } from "../sip/endpoint.js";
import { createRateLimiter, type RateLimiter } from "../sip/transport/rate-limit.js";
import type { SipTrust } from "../translate/identity.js";
import type { InboundStanza } from "../xmpp/parse/stanza.js";
import { readStanzaError } from "../xmpp/parse/stanza-error.js";
import type { SipAuthenticator } from "./sip-authenticator.js";
import { createSipMessageIngress } from "./sip-message-ingress.js";
import { createXmppMessageIngress } from "./xmpp-message-ingress.js";
import type { XmppSide } from "./xmpp-side.js";

export interface ImRelayDeps {
  readonly config: Config;
  readonly plan: AddressPlan;
  readonly trust: SipTrust;
  readonly authenticate: SipAuthenticator;
  readonly sip: SipEndpoint;
  readonly xmpp: XmppSide;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
}

/** Installs the SIP MESSAGE handler; returns the handler for XMPP message stanzas. */
export function createImRelay(deps: ImRelayDeps): (stanza: InboundStanza) => void {
  const { config, xmpp, sip, logger } = deps;
  // One bucket set per direction: a user's SIP sends do not spend their XMPP allowance.
  const userRate = (): { userRate?: RateLimiter } => config.im.ratePerUserPerSecond > 0
    ? { userRate: createRateLimiter({ ratePerSecond: config.im.ratePerUserPerSecond, burst: config.im.burstPerUser }) }
    : {};

  sip.onMessage(createSipMessageIngress({
    plan: deps.plan, trust: deps.trust, authenticate: deps.authenticate, maxBodyBytes: config.im.maxBodyBytes,
    ...userRate(),
    trackerFor: (d) => xmpp.trackerFor(d),
    sendNow: (s) => {
      const r = xmpp.send(s);
      return r.kind === "rejected" ? "rejected" : r.kind;
    },
    metrics: deps.metrics, logger,
  }));

  return createXmppMessageIngress({
    plan: deps.plan,
    maxBodyBytes: config.im.maxBodyBytes,
    ...userRate(),
    chatToSip: { cpim: config.im.cpimOutbound, includeThread: config.im.thread },
    sendMessage: (from, to, body, contentType, headers) => sip.sendMessage(from, to, body, contentType, { headers }),
    sendStanza: (s) => {
      const r = xmpp.send(s);
      if (r.kind === "rejected") logger.warn({ reason: r.reason, to: s.attrs.to }, "error stanza not sent");
    },
    bounce: (stanza) => {
      if (stanza.id === undefined) return false;
      return xmpp.trackerFor(stanza.to.getDomain())?.bounce(stanza.id, readStanzaError(stanza.element)) ?? false;
    },
    metrics: deps.metrics, logger,
  });
}
