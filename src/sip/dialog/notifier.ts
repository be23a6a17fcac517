// RFC 6665 notifier role: answers SUBSCRIBE for registered event packages, sends NOTIFYs in the
// subscription's dialog, handles refresh, unsubscribe, expiry and failed NOTIFYs.
import type { Logger } from "pino";
import type { SipPeer, SipRequest, SipResponse } from "../message/types.js";
import type { IncomingRequest } from "../stack.js";
import { isSyntheticResponse } from "../transaction/synthetic.js";
import { newTag } from "../message/ids.js";
import { parseNameAddr } from "../message/name-addr.js";
import {
  acceptRemoteSeq, buildInDialogRequest, createUasDialog, dialogKey, incomingDialogId, isDialogError, refreshTarget, userOf,
  type DialogState,
} from "./dialog.js";
import { formatEvent, formatSubscriptionState, parseEvent, parseExpires, type EventHeader, type TerminationReason } from "./event-headers.js";
import { type NotifierSubscriptionData, type SubscriptionEnded } from "./subscription-types.js";
import { isFlow, type Uac } from "./uac.js";
import { createExpiryQueue } from "./expiry-queue.js";
import { LiveSubscription, ownString, subscriptionData, type NotifierCore } from "./notifier-subscription.js";

export interface NotifierOptions {
  readonly uac: Uac;
  readonly logger: Logger;
  /** RFC 6665 §4.2.1.1 bounds, seconds. */
  readonly minExpires?: number;
  readonly maxExpires?: number;
  readonly defaultExpires?: number;
  /** 202 for subscriptions left pending (RFC 3265 peers); RFC 6665 §8.3.1 deprecates 202, so 200 by default. */
  readonly accept202WhenPending?: boolean;
  readonly now?: () => number;
}

/** What the application sees of a new SUBSCRIBE; call accept() or reject() once. */
export interface SubscribeContext {
  readonly request: SipRequest;
  readonly source: SipPeer;
  readonly event: EventHeader;
  readonly subscriber: string;
  readonly resource: string;
  /** Granted duration in seconds (0 for a fetch, RFC 6665 §4.4.3). */
  readonly expires: number;
  accept(state: "active" | "pending", body?: string, contentType?: string): NotifierSubscription;
  /** `headers`: e.g. WWW-Authenticate on a 401, Retry-After on a 503, Min-Expires on a 423. */
  reject(status: number, reason?: string, headers?: Readonly<Record<string, string | readonly string[]>>): void;
}
export type SubscribeHandler = (ctx: SubscribeContext) => void | Promise<void>;

export interface NotifierSubscription {
  readonly key: string;
  /**
   * The application's own id for this subscription (e.g. its store record), undefined until it sets
   * one. Listeners get the subscription, so one listener function can serve every subscription
   * instead of a closure (and its context) per subscription.
   */
  tag: string | undefined;
  /** Snapshot for the store. */
  data(): NotifierSubscriptionData;
  /**
   * Sends a NOTIFY with the new body (kept for refreshes) and optionally a new state. While one
   * NOTIFY is outstanding, further calls coalesce into a single next NOTIFY with the newest body.
   * Undefined once the subscription has ended.
   */
  notify(body?: string, contentType?: string, state?: "active" | "pending"): Promise<SipResponse | undefined>;
  /** Final NOTIFY with Subscription-State terminated (RFC 6665 §4.2.2). */
  terminate(reason?: TerminationReason, opts?: { retryAfter?: number; body?: string; contentType?: string }): Promise<void>;
  onRefresh(listener: (expires: number, sub: NotifierSubscription) => void): void;
  /** A listener added after the end is called at once (on a microtask) with how it ended. */
  onTerminated(listener: (ended: SubscriptionEnded, sub: NotifierSubscription) => void): void;
}

export interface Notifier {
  onSubscribe(eventPackage: string, handler: SubscribeHandler): void;
  /** Event packages with a handler, for Allow-Events (RFC 6665 §8.2.2). */
  packages(): string[];
  handleSubscribe(tx: IncomingRequest): void;
  /** Re-creates a live subscription from stored data (timers re-armed). */
  restore(data: NotifierSubscriptionData): NotifierSubscription;
  get(key: string): NotifierSubscription | undefined;
  readonly size: number;
  /** Ends every subscription with a final NOTIFY (RFC 6665 §4.2.2 "deactivated"). */
  closeAll(reason?: TerminationReason): Promise<void>;
  /** Stops timers and forgets every subscription without a NOTIFY (their state lives on in the store). */
  detachAll(): void;
}

export function createNotifier(opts: NotifierOptions): Notifier {
  const { uac, logger } = opts;
  const now = opts.now ?? Date.now;
  const minExpires = opts.minExpires ?? 60;
  const maxExpires = opts.maxExpires ?? 3600;
  const defaultExpires = opts.defaultExpires ?? 3600;
  const handlers = new Map<string, SubscribeHandler>();
  const live = new Map<string, LiveSubscription>();
  const core: NotifierCore = { uac, logger, now, live, expiry: createExpiryQueue<LiveSubscription>((s) => s.expire(), now) };
  const makeSubscription = (initial: NotifierSubscriptionData): LiveSubscription => new LiveSubscription(core, initial);

  /** RFC 6665 §4.2.1.1: null when the request's Expires is acceptable, else the 423 to send. */
  const grant = (req: SipRequest): { expires: number } | { tooBrief: true } => {
    const asked = parseExpires(req.headers.get("expires")) ?? defaultExpires;
    if (asked !== 0 && asked < minExpires) return { tooBrief: true };
    return { expires: Math.min(asked, maxExpires) };
  };

  // One EventHeader per package shared by every subscription without an id (most of them), instead
  // of a parsed object and name string per dialog.
  const sharedEvents = new Map<string, EventHeader>();
  const canonicalEvent = (e: EventHeader): EventHeader => {
    const shared = sharedEvents.get(e.name);
    if (e.id === undefined) return shared ?? e;
    return { name: shared?.name ?? e.name, id: ownString(e.id) };
  };

  function initial(tx: IncomingRequest, parsedEvent: EventHeader, handler: SubscribeHandler) {
    const req = tx.request;
    const event = canonicalEvent(parsedEvent);
    const g = grant(req);
    if ("tooBrief" in g) return tx.respond(423, "Interval Too Brief", { headers: { "min-expires": String(minExpires) } });
    const from = parseNameAddr(req.headers.get("from") ?? "");
    const to = parseNameAddr(req.headers.get("to") ?? "");
    if (!from || !to) return tx.respond(400, "Bad From/To");
    // RFC 6665 §3.1.1 / RFC 3261 §12.1.1: a dialog-creating SUBSCRIBE needs a Contact to send NOTIFYs to.
    if (!req.headers.has("contact")) return tx.respond(400, "Missing Contact");
    let answered = false;

    const ctx: SubscribeContext = {
      request: req, source: tx.source, event, subscriber: from.uri, resource: to.uri, expires: g.expires,
      reject(status, reason, headers) {
        if (answered) return;
        answered = true;
        tx.respond(status, reason, headers === undefined ? undefined : { headers });
      },
      accept(state, body, contentType) {
        if (answered) throw new Error("SUBSCRIBE already answered");
        answered = true;
        const toTag = newTag();
        const user = userOf(to.uri);
        const contact = uac.contactUri(user, tx.source.transport);
        const dialog = createUasDialog(req, toTag, contact);
        if (isDialogError(dialog)) {
          tx.respond(dialog.status, dialog.reason);
          throw new Error(`SUBSCRIBE refused: ${dialog.status} ${dialog.reason}`);
        }
        // Kept strings must not be slices of the request text (they would pin all of it): the dialog's
        // own copies of the From / To URIs when they are the same, else a copy.
        const subscriber = dialog.remoteUri === from.uri ? dialog.remoteUri : ownString(from.uri);
        const resource = dialog.localUri === to.uri ? dialog.localUri : ownString(to.uri);
        const sub = makeSubscription({ dialog, event, state, expiresAt: now() + g.expires * 1000, subscriber, resource, body, contentType });
        const status = state === "pending" && opts.accept202WhenPending ? 202 : 200;
        const rr = req.headers.getAll("record-route");
        tx.respond(status, undefined, {
          toTag, headers: { contact: `<${contact}>`, expires: String(g.expires), ...(rr.length ? { "record-route": [...rr] } : {}) },
        });
        if (g.expires === 0) {
          // A fetch (RFC 6665 §4.4.3): one NOTIFY with the state, already terminated.
          void sub.terminate("timeout");
          return sub;
        }
        live.set(sub.key, sub);
        sub.arm();
        // RFC 6665 §4.2.1.2: the notifier MUST send a NOTIFY at once, even for pending subscriptions.
        void sub.notify().catch((err: unknown) => logger.warn({ err, key: sub.key }, "initial NOTIFY failed"));
        return sub;
      },
    };
    Promise.resolve()
      .then(() => handler(ctx))
      .then(() => { if (!answered) ctx.reject(480, "Temporarily Unavailable"); },
        (err: unknown) => { logger.error({ err }, "SUBSCRIBE handler failed"); if (!answered) ctx.reject(500, "Server Internal Error"); });
  }

  return {
    onSubscribe(pkg, handler) {
      const name = pkg.toLowerCase();
      handlers.set(name, handler);
      sharedEvents.set(name, { name });
    },
    packages: () => [...handlers.keys()],
    handleSubscribe(tx) {
      const event = parseEvent(tx.request.headers.get("event"));
      const handler = event ? handlers.get(event.name) : undefined;
      // RFC 6665 §7.2.2 / §8.2.2: unknown (or missing) package → 489 with the packages we do know.
      if (!event || !handler) return tx.respond(489, "Bad Event", { headers: { "allow-events": [...handlers.keys()].join(", ") } });
      const id = incomingDialogId(tx.request);
      if (!id) return initial(tx, event, handler);
      const sub = live.get(`${dialogKey(id)}\u0000${event.name}\u0000${event.id ?? ""}`);
      if (!sub) return tx.respond(481, "Subscription Does Not Exist");
      const g = grant(tx.request);
      if ("tooBrief" in g) return tx.respond(423, "Interval Too Brief", { headers: { "min-expires": String(minExpires) } });
      sub.refresh(tx, g.expires);
    },
    restore(data) {
      const event = canonicalEvent(data.event);
      const sub = makeSubscription(event === data.event ? data : subscriptionData(data, { event }));
      live.set(sub.key, sub);
      sub.arm(); // an already expired one ends with reason=timeout on the next tick
      return sub;
    },
    get: (key) => live.get(key),
    get size() { return live.size; },
    async closeAll(reason = "deactivated") {
      await Promise.all([...live.values()].map((s) => s.terminate(reason)));
    },
    detachAll() {
      for (const s of live.values()) s.detach();
      live.clear();
      core.expiry.clear();
    },
  };
}

