// One live RFC 6665 notifier subscription (the record behind NotifierSubscription): its dialog state,
// its NOTIFY pacing (one transaction at a time, coalesced updates) and its end.
import type { Logger } from "pino";
import type { SipResponse } from "../message/types.js";
import type { IncomingRequest } from "../stack.js";
import { isSyntheticResponse } from "../transaction/synthetic.js";
import { acceptRemoteSeq, buildInDialogRequest, dialogKey, isDialogError, refreshTarget, type DialogState } from "./dialog.js";
import { formatEvent, formatSubscriptionState, type EventHeader, type TerminationReason } from "./event-headers.js";
import type { ExpiryQueue } from "./expiry-queue.js";
import type { NotifierSubscription } from "./notifier.js";
import type { NotifierSubscriptionData, SubscriptionEnded } from "./subscription-types.js";
import { isFlow, type Uac } from "./uac.js";

export function subKey(dialog: DialogState, event: EventHeader): string {
  return `${dialogKey(dialog.id)}\u0000${event.name}\u0000${event.id ?? ""}`;
}

/**
 * A flat copy of a string kept for the subscription's lifetime. Template literals build rope
 * ("concatenated") strings, ~10 nodes of 32 B for a key; header values are slices that pin the whole
 * received SUBSCRIBE text (~400 B). Both were seen per subscription in heap snapshots.
 */
export const ownString = (s: string): string => Buffer.from(s, "utf8").toString("utf8");

/** What every subscription of one notifier shares: held once, referenced by each record. */
export interface NotifierCore {
  readonly uac: Uac;
  readonly logger: Logger;
  readonly now: () => number;
  readonly live: Map<string, LiveSubscription>;
  readonly expiry: ExpiryQueue<LiveSubscription>;
}
type Terminal = { reason?: TerminationReason; retryAfter?: number };
type Listener<T> = (value: T, sub: NotifierSubscription) => void;

/**
 * The subscription's data with every field present, in one order: one hidden class with in-object
 * fields. Spreads with conditional members gave each snapshot a separate property array (heap
 * snapshot, docs/benchmarks.md "Subscriptions").
 */
export function subscriptionData(d: NotifierSubscriptionData, patch: Partial<NotifierSubscriptionData> = {}): NotifierSubscriptionData {
  return {
    dialog: patch.dialog ?? d.dialog, event: patch.event ?? d.event, state: patch.state ?? d.state,
    expiresAt: patch.expiresAt ?? d.expiresAt, subscriber: patch.subscriber ?? d.subscriber, resource: patch.resource ?? d.resource,
    body: patch.body ?? d.body, contentType: patch.contentType ?? d.contentType,
  };
}
/** Listeners stored lazily: nothing until one is added, the function itself for one, an array beyond. */
type ListenerSlot<T> = Listener<T> | Listener<T>[] | undefined;
const addListener = <T>(slot: ListenerSlot<T>, l: Listener<T>): ListenerSlot<T> =>
  slot === undefined ? l : typeof slot === "function" ? [slot, l] : (slot.push(l), slot);
const emitTo = <T>(slot: ListenerSlot<T>, value: T, sub: NotifierSubscription): void => {
  if (slot === undefined) return;
  if (typeof slot === "function") slot(value, sub);
  else for (const l of slot) l(value, sub);
};

/**
 * One live subscription: a plain record whose methods sit on the prototype, so that 10 000 held
 * subscriptions cost 10 000 small objects rather than 10 000 sets of closures and contexts (the heap
 * snapshot diff in docs/benchmarks.md "Subscriptions"). Expiry is the notifier's shared queue.
 */
export class LiveSubscription implements NotifierSubscription {
  readonly key: string;
  tag: string | undefined = undefined;
  expiryIndex = -1;
  private d: NotifierSubscriptionData;
  private ended = false;
  /** How it ended, kept so that a listener added afterwards still hears it. */
  private endedWith: SubscriptionEnded | undefined;
  private refreshed: ListenerSlot<number>;
  private terminated: ListenerSlot<SubscriptionEnded>;
  // One NOTIFY transaction at a time per subscription, so CSeq order is arrival order even over UDP;
  // updates made meanwhile coalesce into one NOTIFY carrying the newest state (a terminal one wins).
  private inFlight: Promise<SipResponse> | undefined;
  private queued: Promise<SipResponse> | undefined;
  private queuedTerminal: Terminal | undefined;
  private last: SipResponse | undefined;

  private readonly core: NotifierCore;

  constructor(core: NotifierCore, initial: NotifierSubscriptionData) {
    this.core = core;
    this.d = subscriptionData(initial);
    this.key = ownString(subKey(initial.dialog, initial.event));
  }

  get expiresAt(): number { return this.d.expiresAt; }
  data(): NotifierSubscriptionData { return this.d; }
  onRefresh(l: Listener<number>): void { this.refreshed = addListener(this.refreshed, l); }
  onTerminated(l: Listener<SubscriptionEnded>): void {
    const e = this.endedWith;
    if (e !== undefined) void Promise.resolve().then(() => l(e, this));
    else this.terminated = addListener(this.terminated, l);
  }

  // Not async: a fan-out calls this once per watcher, and the NOTIFY's own promise is enough.
  notify(body?: string, contentType?: string, state?: "active" | "pending"): Promise<SipResponse | undefined> {
    if (this.ended) return Promise.resolve(undefined);
    if (body !== undefined || state !== undefined) this.d = subscriptionData(this.d, { body, contentType: body !== undefined ? contentType : undefined, state });
    return this.send();
  }

  async terminate(reason: TerminationReason = "noresource", o: { retryAfter?: number; body?: string; contentType?: string } = {}): Promise<void> {
    if (o.body !== undefined) this.d = subscriptionData(this.d, { body: o.body, contentType: o.contentType });
    const extra = o.retryAfter !== undefined ? { retryAfter: o.retryAfter } : {};
    await this.finish(reason, { by: "notifier", reason, ...extra }, extra);
  }

  /** Layer-internal: an in-dialog SUBSCRIBE (refresh or unsubscribe) with its granted duration. */
  refresh(tx: IncomingRequest, expires: number): void {
    const checked = acceptRemoteSeq(this.d.dialog, tx.request);
    if (isDialogError(checked)) return tx.respond(checked.status, checked.reason);
    this.d = subscriptionData(this.d, { dialog: refreshTarget(checked, tx.request, tx.source) });
    if (expires === 0) {
      // Unsubscribe (RFC 6665 §4.1.2.3: Expires 0, answered by a final NOTIFY). The reason is
      // "timeout", the §4.1.3 code for a subscription that simply ran out and the one §4.4.3 uses for
      // fetches; Kamailio's presence module does the same. Recalled: the RFC body was not readable here.
      tx.respond(200, undefined, { headers: { expires: "0", contact: `<${this.d.dialog.localTarget}>` } });
      void this.finish("timeout", { by: "subscriber", reason: "unsubscribed" });
      return;
    }
    this.d = subscriptionData(this.d, { expiresAt: this.core.now() + expires * 1000 });
    this.arm();
    tx.respond(200, undefined, { headers: { expires: String(expires), contact: `<${this.d.dialog.localTarget}>` } });
    emitTo(this.refreshed, expires, this);
    // RFC 6665 §4.2.1.2: a refresh is answered with a NOTIFY carrying the current state.
    void this.send().catch((err: unknown) => this.core.logger.warn({ err, key: this.key }, "refresh NOTIFY failed"));
  }

  /** Layer-internal: (re)queues the expiry; RFC 6665 §4.2.2: at expiry the notifier ends it, reason=timeout. */
  arm(): void { this.core.expiry.schedule(this); }
  /** Layer-internal: called by the expiry queue. */
  expire(): void { void this.finish("timeout", { by: "timeout", reason: "timeout" }); }
  /** Layer-internal: forget without a NOTIFY (the caller clears the live map and the queue). */
  detach(): void { this.ended = true; }

  private remove(e: SubscriptionEnded): void {
    if (this.ended) return;
    this.ended = true;
    this.endedWith = e;
    this.core.expiry.cancel(this);
    this.core.live.delete(this.key);
    emitTo(this.terminated, e, this);
    this.terminated = undefined;
  }

  private async finish(reason: TerminationReason, e: SubscriptionEnded, extra: { retryAfter?: number } = {}): Promise<void> {
    if (this.ended) return;
    this.d = subscriptionData(this.d, { state: "terminated" });
    this.remove(e);
    await this.send({ reason, ...extra }).catch((err: unknown) => this.core.logger.warn({ err, key: this.key }, "final NOTIFY failed"));
  }

  private send(terminal?: Terminal): Promise<SipResponse> {
    if (terminal) this.queuedTerminal = terminal;
    if (this.queued) return this.queued;
    if (!this.inFlight) return this.start();
    const next = (): Promise<SipResponse> => this.start();
    this.queued = this.inFlight.then(next, next);
    return this.queued;
  }

  private start(): Promise<SipResponse> {
    const terminal = this.queuedTerminal;
    this.queuedTerminal = undefined;
    this.queued = undefined;
    // The NOTIFY ahead of this one found the subscriber gone (481/408): nothing more to send.
    if (this.ended && !terminal && this.last) return Promise.resolve(this.last);
    // Only an ended subscription needs its last answer (to repeat it); a live one keeps no response,
    // which would pin the received datagram and its header map (≈ 1.5 KB per subscription).
    // One reaction settles the slot and records the answer (a NOTIFY queued behind this one chains on p).
    const p: Promise<SipResponse> = this.transmit(terminal).then((res) => {
      if (this.inFlight === p) this.inFlight = undefined;
      if (this.ended) this.last = res;
      return res;
    }, (err: unknown) => {
      if (this.inFlight === p) this.inFlight = undefined;
      throw err;
    });
    this.inFlight = p;
    return p;
  }

  private async transmit(terminal: Terminal | undefined): Promise<SipResponse> {
    const d = this.d;
    const state = terminal ? "terminated" : d.state;
    const remaining = Math.max(0, Math.round((d.expiresAt - this.core.now()) / 1000));
    // Literals of one shape (no conditional spreads): built once per NOTIFY of every fan-out.
    const ss = formatSubscriptionState(terminal
      ? { state, reason: terminal.reason, retryAfter: terminal.retryAfter }
      : { state, expires: remaining });
    const built = buildInDialogRequest(d.dialog, "NOTIFY", {
      headers: { event: formatEvent(d.event), "subscription-state": ss },
      body: d.body,
      contentType: d.contentType,
    });
    this.d = subscriptionData(this.d, { dialog: built.dialog });
    const flow = this.d.dialog.flow;
    const res = await this.core.uac.send(built.request, {
      identity: this.d.resource,
      target: isFlow(flow) ? flow : undefined,
      nextCSeq: () => {
        const seq = (this.d.dialog.localSeq ?? 0) + 1;
        this.d = subscriptionData(this.d, { dialog: { ...this.d.dialog, localSeq: seq } });
        return seq;
      },
    });
    // RFC 6665 §4.2.2: a 481, or a timeout / transport failure, means the subscriber is gone.
    if (res.status === 481 || res.status === 408 || (isSyntheticResponse(res) && res.status === 503)) {
      this.core.logger.info({ key: this.key, status: res.status }, "NOTIFY failed, removing subscription");
      this.remove({ by: "error", reason: "request-failed", status: res.status });
    }
    return res;
  }
}

