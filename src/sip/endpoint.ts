// The typed SIP API the gateway modules use: one endpoint that is every identity of our domains.
// It owns the stack, dispatches requests to the roles (RFC 6665 notifier/subscriber, MESSAGE,
// INVITE, OPTIONS) and sends as any identity through the UAC core (RFC 3263, digest retry).
//
//   const sip = createSipEndpoint({ listen: [{ transport: "UDP", host: "0.0.0.0", port: 5060 }] }, logger);
//   sip.onMessage(async (m) => ({ status: 200 }));
//   sip.onSubscribe("presence", (ctx) => { const s = ctx.accept("active", pidf, "application/pidf+xml"); });
//   await sip.start();
import type { Logger } from "pino";
import type { SipPeer, SipRequest, SipResponse } from "./message/types.js";
import { createSipStack, type IncomingRequest, type SipListenSpec, type SipStack, type SipStackOptions } from "./stack.js";
import { createRequest } from "./message/build.js";
import { newTag } from "./message/ids.js";
import { parseNameAddr } from "./message/name-addr.js";
import { uriScheme } from "./message/uri.js";
import type { CredentialLookup } from "./auth/digest.js";
import { createSipResolver, type SipResolver, type SipResolverOptions } from "./resolve/rfc3263.js";
import { createUac, type Uac } from "./dialog/uac.js";
import { createNotifier, type NotifierOptions, type NotifierSubscription, type SubscribeHandler } from "./dialog/notifier.js";
import { createSubscriber, type SubscribeOptions, type Subscription } from "./dialog/subscriber.js";
import { createInviteRole, type InviteHandler, type InviteSession } from "./dialog/invite.js";
import { createRegistration, type RegisterOptions, type Registration } from "./dialog/registration.js";
import type { NotifierSubscriptionData, SubscriberSubscriptionData } from "./dialog/subscription-types.js";

export type { SubscribeContext, SubscribeHandler, NotifierSubscription } from "./dialog/notifier.js";
export type { Subscription, SubscribeOptions, NotifyReceived } from "./dialog/subscriber.js";
export type { InviteContext, InviteHandler, InviteSession } from "./dialog/invite.js";
export type { Registration, RegisterOptions, RegistrationStatus } from "./dialog/registration.js";
export type { SubscriptionEnded, NotifierSubscriptionData, SubscriberSubscriptionData } from "./dialog/subscription-types.js";
export type { CredentialLookup, DigestCredentials } from "./auth/digest.js";

export interface SipEndpointOptions {
  readonly listen: readonly SipListenSpec[];
  /** An existing stack (tests, or a composition root that builds it); otherwise one is created. */
  readonly stack?: SipStack;
  readonly stackOptions?: Omit<SipStackOptions, "listen" | "logger">;
  readonly resolver?: SipResolver | SipResolverOptions;
  /** Digest credentials per sending identity and realm (RFC 3261 §22.2). */
  readonly credentials?: CredentialLookup;
  readonly subscriptions?: Omit<NotifierOptions, "uac" | "logger">;
  /** Timer N for our subscriptions (default 64·T1). */
  readonly timerNMs?: number;
}

export interface IncomingSipMessage {
  readonly request: SipRequest;
  readonly source: SipPeer;
  readonly from: string;
  readonly to: string;
  readonly body: Uint8Array;
  readonly contentType?: string;
}
/** The final response to send; a thrown error becomes 500. */
export interface MessageReply {
  readonly status: number;
  readonly reason?: string;
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
}
export type MessageHandler = (m: IncomingSipMessage) => MessageReply | Promise<MessageReply>;

export interface SendMessageOptions {
  readonly requestUri?: string;
  /** Send over this flow/peer instead of resolving (e.g. a WebSocket client's connection, RFC 7118 §5). */
  readonly target?: SipPeer;
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
}

export interface SipEndpoint {
  readonly stack: SipStack;
  start(): Promise<void>;
  onMessage(handler: MessageHandler): void;
  onSubscribe(eventPackage: string, handler: SubscribeHandler): void;
  onInvite(handler: InviteHandler): void;
  /** Any other method (e.g. PUBLISH); without a handler the endpoint answers 405/501. */
  onRequest(method: string, handler: (tx: IncomingRequest) => void): void;
  sendMessage(from: string, to: string, body: string | Uint8Array, contentType: string, opts?: SendMessageOptions): Promise<SipResponse>;
  subscribe(from: string, to: string, eventPackage: string, opts?: SubscribeOptions): Subscription;
  register(opts: RegisterOptions): Registration;
  invite(from: string, to: string, offerSdp: string): Promise<{ response: SipResponse; session?: InviteSession }>;
  /** Resume subscriptions from the store after a restart. */
  restoreNotifierSubscription(data: NotifierSubscriptionData): NotifierSubscription;
  restoreSubscription(data: SubscriberSubscriptionData): Subscription;
  /** Live subscription counts (metrics, readiness). */
  counts(): { readonly notifier: number; readonly subscriber: number };
  /**
   * Ends subscriptions (final NOTIFY "deactivated" / unsubscribe) and registrations, then closes the
   * stack. With `keepSubscriptions` they are left alone (their state is in the store and a restarted
   * gateway restores them), only the stack closes.
   */
  close(opts?: { readonly keepSubscriptions?: boolean }): Promise<void>;
}

/** RFC 3261 §8.2.1: methods we recognise (405 when unsupported) as opposed to unknown ones (501). */
const KNOWN = new Set(["INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER", "PRACK", "SUBSCRIBE", "NOTIFY", "PUBLISH", "MESSAGE", "INFO", "REFER", "UPDATE"]);

/** Request-URI schemes the gateway serves: SIP (RFC 3261), and im:/pres: (RFC 3860, RFC 3859) for MESSAGE/SUBSCRIBE. */
const SCHEMES: ReadonlySet<string> = new Set(["sip", "sips", "im", "pres"]);

export function createSipEndpoint(opts: SipEndpointOptions, logger: Logger): SipEndpoint {
  const stack = opts.stack ?? createSipStack({ ...opts.stackOptions, listen: opts.listen, logger });
  const resolver: SipResolver = opts.resolver && "resolve" in opts.resolver ? opts.resolver
    : createSipResolver({ transports: [...new Set(opts.listen.map((l) => l.transport))], ...(opts.resolver ?? {}) });
  const uac: Uac = createUac({ stack, resolver, logger, ...(opts.credentials ? { credentials: opts.credentials } : {}) });
  const notifier = createNotifier({ uac, logger, ...opts.subscriptions });
  // Timer N is 64·T1 of the stack's own T1 (RFC 6665 §4.1.2.4), unless configured.
  const subscriber = createSubscriber({ uac, logger, timerNMs: opts.timerNMs ?? 64 * (opts.stackOptions?.timers?.t1 ?? 500) });
  const invites = createInviteRole({
    uac, stack, logger,
    ...(opts.stackOptions?.timers?.t1 !== undefined ? { t1Ms: opts.stackOptions.timers.t1 } : {}),
  });
  const registrations: Registration[] = [];
  const others = new Map<string, (tx: IncomingRequest) => void>();
  let messageHandler: MessageHandler | undefined;

  const allow = () => ["INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "SUBSCRIBE", "NOTIFY", "MESSAGE", ...others.keys()].join(", ");

  function onMessage(tx: IncomingRequest): void {
    const h = messageHandler;
    if (!h) return tx.respond(405, "Method Not Allowed", { headers: { allow: allow() } });
    const req = tx.request;
    const contentType = req.headers.get("content-type");
    const m: IncomingSipMessage = {
      request: req, source: tx.source, body: req.body,
      from: parseNameAddr(req.headers.get("from") ?? "")?.uri ?? "",
      to: parseNameAddr(req.headers.get("to") ?? "")?.uri ?? "",
      ...(contentType ? { contentType } : {}),
    };
    const answer = (r: MessageReply): void => tx.respond(r.status, r.reason, r.headers ? { headers: r.headers } : undefined);
    const fail = (err: unknown): void => { logger.error({ err }, "MESSAGE handler failed"); tx.respond(500, "Server Internal Error"); };
    // A handler that decides at once answers at once; only one that waits costs a promise reaction.
    let r: MessageReply | Promise<MessageReply>;
    try {
      r = h(m);
    } catch (err) {
      return fail(err);
    }
    if (typeof (r as Partial<Promise<MessageReply>>).then === "function") (r as Promise<MessageReply>).then(answer, fail);
    else answer(r as MessageReply);
  }

  stack.onRequest((tx) => {
    const method = tx.request.method;
    // RFC 3261 §8.2.2.1: a Request-URI scheme we do not support is answered 416, whatever the method.
    // ACK is never answered and CANCEL belongs to the transaction it cancels.
    if (method !== "ACK" && method !== "CANCEL" && !SCHEMES.has(uriScheme(tx.request.uri) ?? "")) {
      logger.info({ method, uri: tx.request.uri.slice(0, 200) }, "request for an unsupported URI scheme refused");
      return tx.respond(416, "Unsupported URI Scheme");
    }
    switch (method) {
      case "SUBSCRIBE": return notifier.handleSubscribe(tx);
      case "NOTIFY": return subscriber.handleNotify(tx);
      case "MESSAGE": return onMessage(tx);
      case "INVITE": case "ACK": case "BYE": return invites.handle(tx);
      case "OPTIONS": {
        const custom = others.get("OPTIONS");
        if (custom) return custom(tx);
        // RFC 3261 §11.2 capabilities; Allow-Events per RFC 6665 §4.4.4.
        return tx.respond(200, undefined, { headers: { allow: allow(), "allow-events": notifier.packages().join(", "), accept: "application/pidf+xml, text/plain, message/cpim" } });
      }
      default: {
        const custom = others.get(method);
        if (custom) return custom(tx);
        if (method === "CANCEL") return; // answered by the transaction layer
        tx.respond(KNOWN.has(method) ? 405 : 501, KNOWN.has(method) ? "Method Not Allowed" : "Not Implemented", { headers: { allow: allow() } });
      }
    }
  });

  return {
    stack,
    start: () => stack.start(),
    onMessage: (h) => { messageHandler = h; },
    onSubscribe: (pkg, h) => notifier.onSubscribe(pkg, h),
    onInvite: (h) => invites.onInvite(h),
    onRequest: (method, h) => { others.set(method.toUpperCase(), h); },
    sendMessage(from, to, body, contentType, o = {}) {
      const req = createRequest({
        method: "MESSAGE", uri: o.requestUri ?? to, body, contentType,
        headers: { from: `<${from}>;tag=${newTag()}`, to: `<${to}>`, "call-id": uac.newCallId(), cseq: "1 MESSAGE", ...(o.headers ?? {}) },
      });
      return uac.send(req, { identity: from, ...(o.target ? { target: o.target } : {}) });
    },
    subscribe: (from, to, pkg, o) => subscriber.subscribe(from, to, pkg, o),
    register(o) {
      const r = createRegistration(uac, logger, o);
      registrations.push(r);
      return r;
    },
    invite: (from, to, sdp) => invites.invite(from, to, sdp),
    restoreNotifierSubscription: (d) => notifier.restore(d),
    restoreSubscription: (d) => subscriber.restore(d),
    counts: () => ({ notifier: notifier.size, subscriber: subscriber.size }),
    async close(o = {}) {
      if (!o.keepSubscriptions) {
        // Bounded: a peer that never answers must not hold the shutdown (the stack has its own deadline too).
        const bounded = <T>(p: Promise<T>) => Promise.race([p, new Promise<void>((r) => setTimeout(r, 2000).unref())]);
        await bounded(Promise.allSettled([notifier.closeAll(), subscriber.closeAll(), ...registrations.map((r) => r.unregister())]));
      }
      notifier.detachAll();
      subscriber.detachAll();
      for (const r of registrations) r.detach();
      await stack.close();
    },
  };
}
