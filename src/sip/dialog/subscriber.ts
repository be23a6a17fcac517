// RFC 6665 subscriber role: SUBSCRIBE as any identity, accept NOTIFYs (also before the 2xx,
// §4.1.2.4), refresh before expiry, Timer N, unsubscribe and wait for the final NOTIFY.
import type { Logger } from "pino";
import type { SipRequest, SipResponse } from "../message/types.js";
import type { IncomingRequest } from "../stack.js";
import { createRequest } from "../message/build.js";
import { newTag } from "../message/ids.js";
import { getTag } from "../message/name-addr.js";
import { parseCSeq } from "../message/cseq.js";
import {
  acceptRemoteSeq, buildInDialogRequest, createUacDialog, createUasDialog, isDialogError, refreshTarget, userOf, type DialogState,
} from "./dialog.js";
import { formatEvent, parseEvent, parseExpires, parseSubscriptionState, sameEvent, type SubscriptionStateHeader } from "./event-headers.js";
import { listeners, type SubscriberSubscriptionData, type SubscriptionEnded } from "./subscription-types.js";
import { isFlow, type Uac } from "./uac.js";

export interface SubscriberOptions {
  readonly uac: Uac;
  readonly logger: Logger;
  /** Timer N = 64·T1 (RFC 6665 §4.1.2.4): how long to wait for a NOTIFY. */
  readonly timerNMs?: number;
  readonly now?: () => number;
}

export interface SubscribeOptions {
  readonly expires?: number;
  readonly accept?: readonly string[];
  readonly eventId?: string;
  /** Request-URI when it differs from the To URI. */
  readonly requestUri?: string;
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
}

export interface NotifyReceived extends SubscriptionStateHeader {
  readonly request: SipRequest;
  readonly body: Uint8Array;
  readonly contentType?: string;
}

export interface Subscription {
  readonly key: string;
  data(): SubscriberSubscriptionData;
  /** Final response to the initial SUBSCRIBE (after 423/401/407 retries); undefined for a restored one. */
  readonly response: Promise<SipResponse | undefined>;
  onNotify(listener: (n: NotifyReceived) => void): void;
  onTerminated(listener: (e: SubscriptionEnded) => void): void;
  refresh(): Promise<SipResponse | undefined>;
  /** SUBSCRIBE Expires: 0, resolved once the final NOTIFY arrived or Timer N fired. */
  unsubscribe(): Promise<void>;
}

export interface Subscriber {
  subscribe(from: string, to: string, eventPackage: string, opts?: SubscribeOptions): Subscription;
  handleNotify(tx: IncomingRequest): void;
  restore(data: SubscriberSubscriptionData): Subscription;
  readonly size: number;
  closeAll(): Promise<void>;
  /** Stops timers and forgets every subscription without unsubscribing (state lives on in the store). */
  detachAll(): void;
}

/** RFC 6665 §4.1.2.2: refresh ahead of expiry; a minute ahead, or halfway for short subscriptions. */
export function refreshDelaySeconds(expires: number): number {
  return Math.max(expires - 60, expires / 2);
}

export function createSubscriber(opts: SubscriberOptions): Subscriber {
  const { uac, logger } = opts;
  const now = opts.now ?? Date.now;
  const timerN = opts.timerNMs ?? 64 * 500;
  const live = new Map<string, ReturnType<typeof make>>();

  function make(initial: SubscriberSubscriptionData, initialRequest?: SipRequest) {
    let d = initial;
    let refreshTimer: NodeJS.Timeout | undefined;
    let expiryTimer: NodeJS.Timeout | undefined;
    let nTimer: NodeJS.Timeout | undefined;
    let ended = false;
    let unsubscribed: (() => void) | undefined;
    const notified = listeners<NotifyReceived>();
    const terminated = listeners<SubscriptionEnded>();
    const key = `${d.callId}\u0000${d.localTag}`;

    const clear = () => { for (const t of [refreshTimer, expiryTimer, nTimer]) if (t) clearTimeout(t); };
    const end = (e: SubscriptionEnded) => {
      if (ended) return;
      ended = true;
      clear();
      live.delete(key);
      d = { ...d, state: "terminated" };
      terminated.emit(e);
      unsubscribed?.();
    };
    const startTimerN = () => {
      if (nTimer) clearTimeout(nTimer);
      nTimer = setTimeout(() => end({ by: "timeout", reason: "expired", status: 408 }), timerN);
      nTimer.unref?.();
    };
    const schedule = (expires: number) => {
      d = { ...d, expiresAt: now() + expires * 1000 };
      if (refreshTimer) clearTimeout(refreshTimer);
      if (expiryTimer) clearTimeout(expiryTimer);
      // Granted 0 (a fetch, RFC 6665 §4.4.3): no refresh; the final NOTIFY ends it, or Timer N does.
      if (expires <= 0) {
        if (!nTimer) startTimerN();
        return;
      }
      refreshTimer = setTimeout(() => void sub.refresh(), refreshDelaySeconds(expires) * 1000);
      expiryTimer = setTimeout(() => end({ by: "timeout", reason: "expired" }), expires * 1000);
      refreshTimer.unref?.();
      expiryTimer.unref?.();
    };
    const nextSeq = () => {
      const seq = (d.dialog?.localSeq ?? 0) + 1;
      if (d.dialog) d = { ...d, dialog: { ...d.dialog, localSeq: seq } };
      return seq;
    };
    const inDialog = (dialog: DialogState, expires: number) => {
      const built = buildInDialogRequest(dialog, "SUBSCRIBE", {
        headers: { event: formatEvent(d.event), expires: String(expires), ...(d.accept ? { accept: d.accept.join(", ") } : {}) },
      });
      d = { ...d, dialog: built.dialog };
      return uac.send(built.request, { identity: d.identity, ...(isFlow(dialog.flow) ? { target: dialog.flow } : {}), nextCSeq: nextSeq });
    };
    /** 423 → once more with the notifier's Min-Expires (RFC 6665 §4.1.2.1 via RFC 3261 §21.4.17). */
    const minExpiresRetry = (res: SipResponse): number | undefined => {
      const min = parseExpires(res.headers.get("min-expires"));
      return res.status === 423 && min !== undefined && min > d.requestedExpires ? min : undefined;
    };

    const initialSend = async (req: SipRequest): Promise<SipResponse> => {
      startTimerN();
      const send = { identity: d.identity, contactUser: userOf(d.identity) };
      let { request: sent, response: res } = await uac.exchange(req, send);
      const min = minExpiresRetry(res);
      if (min !== undefined) {
        d = { ...d, requestedExpires: min };
        const retry: SipRequest = { ...sent, headers: sent.headers.clone() };
        retry.headers.set("cseq", `${seqOf(sent) + 1} SUBSCRIBE`);
        retry.headers.set("expires", String(min));
        ({ request: sent, response: res } = await uac.exchange(retry, send));
      }
      req = sent;
      if (ended) return res;
      if (res.status >= 300) {
        // RFC 3261 §20.33: a 503/480/486/600/603 may say when to try again; the owner's retry honours it.
        const retryAfter = retryAfterOf(res);
        end({ by: "error", reason: "request-failed", status: res.status, ...(retryAfter !== undefined ? { retryAfter } : {}) });
        return res;
      }
      if (!d.dialog) {
        const dialog = createUacDialog(req, res, contactOf(req), isFlow(res.source) ? res.source : undefined);
        if (isDialogError(dialog)) {
          end({ by: "error", reason: "request-failed", status: dialog.status });
          return res;
        }
        d = { ...d, dialog };
      } else if (d.dialog.localSeq !== null) {
        // The NOTIFY came first; the CSeq we used (maybe bumped by a retry) is the dialog's.
        d = { ...d, dialog: { ...d.dialog, localSeq: Math.max(d.dialog.localSeq, seqOf(req)) } };
      }
      if (d.state === "init") d = { ...d, state: "pending" };
      schedule(parseExpires(res.headers.get("expires")) ?? d.requestedExpires);
      return res;
    };

    const sub = {
      key,
      data: () => d,
      response: initialRequest ? initialSend(initialRequest) : Promise.resolve(undefined),
      onNotify: (l: (n: NotifyReceived) => void) => notified.add(l),
      onTerminated: (l: (e: SubscriptionEnded) => void) => terminated.add(l),
      async refresh(): Promise<SipResponse | undefined> {
        if (ended || !d.dialog) return undefined;
        let res = await inDialog(d.dialog, d.requestedExpires);
        const min = minExpiresRetry(res);
        const dialog = d.dialog;
        if (min !== undefined && dialog) {
          d = { ...d, requestedExpires: min };
          res = await inDialog(dialog, min);
        }
        if (ended) return res;
        if (res.status < 300) schedule(parseExpires(res.headers.get("expires")) ?? d.requestedExpires);
        // RFC 6665 §4.1.2.2: 481 means the subscription is gone; other failures leave it until expiry.
        else if (res.status === 481) end({ by: "error", reason: "request-failed", status: 481 });
        else logger.info({ key, status: res.status }, "subscription refresh failed; it lasts until expiry");
        return res;
      },
      async unsubscribe(): Promise<void> {
        if (ended) return;
        if (!d.dialog) await sub.response;
        if (ended || !d.dialog) return;
        const done = new Promise<void>((resolve) => { unsubscribed = resolve; });
        if (refreshTimer) clearTimeout(refreshTimer);
        startTimerN();
        const res = await inDialog(d.dialog, 0);
        if (res.status >= 300) end({ by: "subscriber", reason: "unsubscribed", status: res.status });
        await done;
      },
      // layer-internal
      notify(tx: IncomingRequest) {
        const req = tx.request;
        const event = parseEvent(req.headers.get("event"));
        if (!event || !sameEvent(event, d.event)) return tx.respond(489, "Bad Event");
        const ss = parseSubscriptionState(req.headers.get("subscription-state"));
        if (!ss) return tx.respond(400, "Missing Subscription-State");
        const fromTag = getTag(req.headers.get("from") ?? "");
        if (!d.dialog) {
          // RFC 6665 §4.1.2.4: a NOTIFY may beat the 2xx; it creates the dialog.
          const created = createUasDialog(req, d.localTag, contactOf(initialRequest), false);
          if (isDialogError(created)) return tx.respond(created.status, created.reason);
          d = { ...d, dialog: { ...created, localSeq: initialRequest ? seqOf(initialRequest) : 1 } };
        } else {
          // A NOTIFY from another fork's dialog is not ours (one dialog per subscription here).
          if (fromTag !== d.dialog.id.remoteTag) return tx.respond(481, "Subscription Does Not Exist");
          const checked = acceptRemoteSeq(d.dialog, req);
          if (isDialogError(checked)) return tx.respond(checked.status, checked.reason);
          d = { ...d, dialog: refreshTarget(checked, req, isFlow(tx.source) ? tx.source : undefined) };
        }
        tx.respond(200);
        if (nTimer) { clearTimeout(nTimer); nTimer = undefined; }
        const contentType = req.headers.get("content-type");
        notified.emit({ ...ss, request: req, body: req.body, ...(contentType ? { contentType } : {}) });
        if (ss.state === "terminated") {
          end({ by: unsubscribed ? "subscriber" : "notifier", reason: unsubscribed ? "unsubscribed" : ss.reason ?? "noresource",
            ...(ss.retryAfter !== undefined ? { retryAfter: ss.retryAfter } : {}) });
          return;
        }
        if (ss.state === "active" || ss.state === "pending") d = { ...d, state: ss.state as "active" | "pending" };
        // RFC 6665 §4.1.3: the notifier may shorten the subscription through expires=.
        const remaining = (d.expiresAt - now()) / 1000;
        if (ss.expires !== undefined && !unsubscribed && (d.expiresAt === 0 || ss.expires < remaining - 1)) schedule(ss.expires);
      },
      detach() { ended = true; clear(); },
      restoreTimers() {
        const left = Math.max(0, Math.round((d.expiresAt - now()) / 1000));
        schedule(left);
      },
    };
    return sub;
  }

  return {
    subscribe(from, to, eventPackage, o = {}) {
      const localTag = newTag();
      const callId = uac.newCallId();
      const event = { name: eventPackage.toLowerCase(), ...(o.eventId ? { id: o.eventId } : {}) };
      const expires = o.expires ?? 3600;
      const req = createRequest({
        method: "SUBSCRIBE", uri: o.requestUri ?? to,
        headers: {
          from: `<${from}>;tag=${localTag}`, to: `<${to}>`, "call-id": callId, cseq: "1 SUBSCRIBE",
          event: formatEvent(event), expires: String(expires),
          ...(o.accept ? { accept: o.accept.join(", ") } : {}), ...(o.headers ?? {}),
        },
      });
      const s = make({
        event, state: "init", expiresAt: 0, identity: from, target: to, callId, localTag, requestedExpires: expires,
        ...(o.accept ? { accept: [...o.accept] } : {}),
      }, req);
      live.set(s.key, s);
      return s;
    },
    handleNotify(tx) {
      const to = tx.request.headers.get("to");
      const localTag = to === undefined ? undefined : getTag(to);
      const callId = tx.request.headers.get("call-id");
      const s = localTag && callId ? live.get(`${callId}\u0000${localTag}`) : undefined;
      if (!s) return tx.respond(481, "Subscription Does Not Exist");
      s.notify(tx);
    },
    restore(data) {
      const s = make(data);
      live.set(s.key, s);
      s.restoreTimers();
      return s;
    },
    get size() { return live.size; },
    async closeAll() { await Promise.all([...live.values()].map((s) => s.unsubscribe())); },
    detachAll() {
      for (const s of live.values()) s.detach();
      live.clear();
    },
  };
}

function contactOf(req: SipRequest | undefined): string {
  return req?.headers.get("contact")?.replace(/^.*<([^>]*)>.*$/, "$1") ?? "";
}
function seqOf(req: SipRequest): number {
  return parseCSeq(req.headers.get("cseq") ?? "")?.seq ?? 1;
}

/** Retry-After delta-seconds (RFC 3261 §25.1: `Retry-After: 120 (comment);duration=3600`). */
export function retryAfterOf(res: SipResponse): number | undefined {
  const m = /^\s*(\d{1,10})/.exec(res.headers.get("retry-after") ?? "");
  return m?.[1] !== undefined ? Number(m[1]) : undefined;
}
