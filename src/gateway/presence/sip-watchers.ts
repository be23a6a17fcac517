// SIP watchers of XMPP presentities: the gateway is the RFC 6665 notifier. SUBSCRIBE → XMPP
// `subscribe` + `probe`, NOTIFY pending until the XMPP user approves, then active with full state
// (RFC 8048 §4, recalled; interworking.md §2.2). Refreshes stay local; Expires: 0 → `unsubscribe`.
import { gatewayError, type GatewayError } from "../../domain/errors.js";
import { reduceSubscription, type SubscriptionAction, type SubscriptionEvent } from "../../domain/subscription.js";
import type { NotifierSubscription, SubscribeContext } from "../../sip/endpoint.js";
import { ownString } from "../../sip/dialog/notifier-subscription.js";
import type { SubscriptionEnded } from "../../sip/dialog/subscription-types.js";
import { buildPidf } from "../../simple/pidf/build.js";
import { isStoreError } from "../../store/store-error.js";
import { newSubscriptionId, type SipWatcherSubscription } from "../../store/store.js";
import { formatJid } from "../../translate/address.js";
import { gatewayErrorToSip } from "../../translate/errors.js";
import { checkSipDestination, checkSipOrigin } from "../../translate/identity.js";
import { xmppPresencesToPidf } from "../../translate/presence.js";
import { buildSubscriptionStanza } from "../../xmpp/presence/presence-stanza.js";
import type { KeyedSerial } from "./keyed-serial.js";
import { PIDF, type PresenceDeps } from "./presence-deps.js";
import { pairFromRecords, skipLocalCseq } from "./presence-state.js";

export interface SipWatchers {
  /** The XMPP user (bare JID) answered the SIP user's (SIP URI) subscription request. */
  onXmppAnswer(xmppUser: string, sipWatcher: string, type: "subscribed" | "unsubscribed"): Promise<void>;
  /** NOTIFY every active dialog watching `presentity` with its current state (coalesced by the caller). */
  fanOut(presentity: string): Promise<void>;
  /** Probe every watched XMPP presentity once per SIP watcher, paced (reconnect, restart). */
  reprobe(pace: (send: () => void) => Promise<void>): Promise<void>;
  /** Re-creates the notifier dialogs from the store (restart). */
  /** Resumes the stored dialogs, each `cseqSkip` CSeq numbers on (0 after a clean stop). */
  restore(cseqSkip?: number): Promise<number>;
  /** Store writes of advanced dialogs that failed since start: the store may be behind the wire. */
  readonly lostWrites: number;
  /** Whether this process holds a dialog in which `watcher` watches `presentity` (no store access). */
  watches(watcher: string, presentity: string): boolean;
  /** Settles once the store writes of refreshed dialogs under way have ended (clean stop). */
  settled(): Promise<void>;
  readonly live: number;
}

/** Fan-out pacing (see fanOut): NOTIFYs built per event-loop turn, NOTIFYs awaiting their answer, how
 *  long one may hold its place in that window, and records per store write. */
const FANOUT_SLICE = 128;
const FANOUT_WINDOW = 500;
const WINDOW_HOLD_MS = 1000;
const WRITE_BATCH = 500;

export function createSipWatchers(deps: PresenceDeps, serial: KeyedSerial, sipJidOf: (sipUri: string) => string | undefined): SipWatchers {
  const { store, logger } = deps;
  const log = logger.child({ module: "presence-sip-watchers" });
  /**
   * Subscriptions whose last NOTIFY was not answered 2xx (e.g. 500, or no answer): the document their
   * dialog carries was not confirmed, so the fan-out's "already told" skip must not apply to them.
   * Rare, hence a WeakSet beside the subscriptions rather than a field in each.
   */
  const unconfirmed = new WeakSet<NotifierSubscription>();
  let lostWrites = 0;
  /** Store writes of refreshed dialogs still under way (a clean stop waits for them). */
  const refreshWrites = new Set<Promise<void>>();
  const confirmed = (sub: NotifierSubscription, res: { readonly status: number } | undefined): void => {
    if (res !== undefined && res.status >= 200 && res.status < 300) unconfirmed.delete(sub);
    else unconfirmed.add(sub);
  };
  const confirm = <T extends { readonly status: number } | undefined>(sub: NotifierSubscription, sent: Promise<T>): Promise<T> =>
    sent.then((res) => {
      confirmed(sub, res);
      return res;
    }, (err: unknown) => {
      unconfirmed.add(sub);
      throw err;
    });
  /** Live notifier subscriptions by store record id (the subscription's tag). */
  const live = new Map<string, NotifierSubscription>();

  // One PIDF per presentity state, shared by every watcher's NOTIFY (5000 watchers approving one
  // after another would otherwise each keep a copy of the same document).
  const documents = new Map<string, string>();
  const documentFor = async (presentity: string, sipAor: string): Promise<string> => {
    const cached = await store.getPresence(presentity);
    // Keyed by content, not version: a presentity's record can be deleted and start again at version 1.
    const key = `${presentity}\u0000${sipAor}\u0000${JSON.stringify(cached?.states ?? [])}`;
    let doc = documents.get(key);
    if (doc === undefined) {
      doc = buildPidf(xmppPresencesToPidf(presentity, cached?.states ?? [], { sipAor }));
      if (documents.size >= 1024) documents.delete(documents.keys().next().value as string);
      documents.set(key, doc);
    }
    return doc;
  };
  // One string per presentity for all its watchers' records (formatJid builds a new one per SUBSCRIBE).
  const presentities = new Map<string, string>();
  const sharedPresentity = (jid: string): string => {
    let v = presentities.get(jid);
    if (v === undefined) {
      if (presentities.size >= 4096) presentities.clear();
      v = ownString(jid);
      presentities.set(v, v);
    }
    return v;
  };
  // The newest fan-out of each presentity. The coalescer starts one per interval without waiting
  // for the one before, and a large fan-out held by its window can outlast the interval: the older
  // one then stops where it is, because the newer one goes over every active watcher with the newer
  // document. Two running side by side (listing the watchers in different orders, as Redis' SMEMBERS
  // may) would leave a watcher with the older state as its last NOTIFY (RFC 6665 §4.2.2: NOTIFYs
  // report the current state).
  let fanOutSeq = 0;
  const newestFanOut = new Map<string, number>();
  const dialogsOf = async (watcher: string, presentity: string) =>
    (await store.listByWatcher("sipWatcher", watcher)).filter((s) => s.presentity === presentity);
  /** `rec` with the live dialog, expiry and state; undefined once it ended (never resurrect a deleted record). */
  const current = (rec: SipWatcherSubscription, sub: NotifierSubscription): SipWatcherSubscription | undefined => {
    if (!live.has(rec.id)) return undefined;
    const d = sub.data();
    return { ...rec, dialog: d.dialog, expiresAt: d.expiresAt, state: d.state === "terminated" ? rec.state : d.state };
  };
  const persist = async (rec: SipWatcherSubscription, sub: NotifierSubscription) => {
    const next = current(rec, sub);
    if (next !== undefined) await store.putSubscription(next);
  };
  /** The stored record of a live subscription: its listeners keep only the record id (the tag). */
  const recordOf = async (sub: NotifierSubscription): Promise<SipWatcherSubscription | undefined> => {
    const rec = sub.tag === undefined ? undefined : await store.getSubscription(sub.tag);
    return rec?.kind === "sipWatcher" ? rec : undefined;
  };

  const stanzas = (sipWatcher: string, xmppUser: string, actions: readonly SubscriptionAction[]) => {
    const from = sipJidOf(sipWatcher);
    if (from === undefined) return;
    for (const a of actions) if (a.kind === "sendXmpp") deps.sendXmpp(buildSubscriptionStanza(from, xmppUser, a.type));
  };

  // One listener pair for every held subscription, not two closures (and their context, and a copy of
  // the record) per subscription: the record is read back from the store by the subscription's tag.
  const onRefreshed = (_expires: number, sub: NotifierSubscription): void => {
    const w = recordOf(sub).then((rec) => rec === undefined ? undefined : persist(rec, sub))
      .catch((err: unknown) => { lostWrites++; log.warn({ err }, "store write failed"); });
    refreshWrites.add(w);
    void w.finally(() => refreshWrites.delete(w));
  };
  const onEnded = (ended: SubscriptionEnded, sub: NotifierSubscription): void => {
    const id = sub.tag;
    if (id === undefined) return;
    live.delete(id);
    const pair = pairOf.get(sub);
    if (pair !== undefined) {
      pairOf.delete(sub);
      const n = (livePairs.get(pair) ?? 1) - 1;
      if (n > 0) livePairs.set(pair, n);
      else livePairs.delete(pair);
    }
    const watcher = sub.data().subscriber;
    void recordOf(sub).then((rec) => rec === undefined ? undefined : serial(`${rec.watcher}\u0000${rec.presentity}`, async () => {
      await store.deleteSubscription(rec.id);
      const lastDialog = (await dialogsOf(rec.watcher, rec.presentity)).length === 0;
      const event: SubscriptionEvent = ended.by === "subscriber" ? { kind: "sipUnsubscribe", lastDialog } : { kind: "sipDialogGone", lastDialog };
      // The pair before this dialog ended: the reducer needs the state the watcher left.
      const step = reduceSubscription(pairFromRecords([{ ...rec, dialog: sub.data().dialog }], undefined), event);
      stanzas(rec.watcher, rec.presentity, step.actions);
    })).catch((err: unknown) => log.warn({ err, id, watcher }, "subscription end not processed"));
  };

  // Live dialogs per (watcher, presentity), for watches(): the presence path asks it for every changed
  // copy, so it must not cost a store round trip (that delay let an approval's NOTIFY overtake the
  // presence the server sends right after it, RFC 6121 §3.1.5).
  const livePairs = new Map<string, number>();
  const pairOf = new WeakMap<NotifierSubscription, string>();

  function attach(id: string, sub: NotifierSubscription, watcher: string, presentity: string): void {
    sub.tag = id;
    live.set(id, sub);
    const pair = `${watcher}\u0000${presentity}`;
    pairOf.set(sub, pair);
    livePairs.set(pair, (livePairs.get(pair) ?? 0) + 1);
    sub.onRefresh(onRefreshed);
    sub.onTerminated(onEnded);
  }

  const refuse = (ctx: SubscribeContext, err: GatewayError) => {
    const line = gatewayErrorToSip(err);
    log.info({ from: ctx.subscriber, to: ctx.resource, status: line.status, code: err.code, detail: err.detail }, "SUBSCRIBE refused");
    ctx.reject(line.status, line.reason, line.retryAfterS === undefined ? undefined : { "retry-after": String(line.retryAfterS) });
  };

  async function onSubscribe(ctx: SubscribeContext): Promise<void> {
    const auth = deps.authenticate?.(ctx.request, ctx.source);
    if (auth?.kind === "challenge") return ctx.reject(auth.status, auth.reason, auth.headers);
    const source = auth?.kind === "authenticated" ? { ip: ctx.source.address, authenticatedAs: auth.identity } : { ip: ctx.source.address };
    const sender = checkSipOrigin(ctx.subscriber, source, deps.plan, deps.trust);
    if (!sender.ok) return refuse(ctx, sender.error);
    const target = checkSipDestination(ctx.request.uri, deps.plan);
    if (!target.ok) return refuse(ctx, target.error);
    const presentity = sharedPresentity(formatJid({ ...target.value, resource: undefined } as { domain: string; local?: string }));
    const watcher = ctx.subscriber;
    const limit = await overLimit(watcher);
    if (limit !== undefined) return refuse(ctx, limit);
    await serial(`${watcher}\u0000${presentity}`, async () => {
      const step = reduceSubscription(pairFromRecords(await dialogsOf(watcher, presentity), undefined), { kind: "sipSubscribe" });
      for (const a of step.actions) {
        if (a.kind !== "acceptSip") continue;
        // RFC 6665 §4.2.1.2 / RFC 3856 §6.6 (recalled): a pending NOTIFY carries no presence state.
        const sub = a.state === "active" ? ctx.accept("active", await documentFor(presentity, ctx.resource), PIDF) : ctx.accept("pending");
        const d = sub.data();
        // d.subscriber, not ctx.subscriber: the notifier's owned copy, not a slice of the SUBSCRIBE text.
        const rec: SipWatcherSubscription = {
          kind: "sipWatcher", id: newSubscriptionId(), watcher: d.subscriber, presentity, event: d.event.name,
          ...(d.event.id !== undefined ? { eventId: d.event.id } : {}), dialog: d.dialog, state: a.state, expiresAt: d.expiresAt,
        };
        if (ctx.expires === 0) break; // a fetch (RFC 6665 §4.4.3): answered, nothing to keep
        await store.putSubscription(rec);
        attach(rec.id, sub, rec.watcher, presentity);
      }
      stanzas(watcher, presentity, step.actions);
    });
  }

  /** RFC 3261 §21.4.4 403 / XMPP policy-violation: the gatewayError "subscriptionLimit" row. */
  async function overLimit(watcher: string): Promise<GatewayError | undefined> {
    if (await store.countByWatcher("sipWatcher", watcher) >= deps.config.maxSubscriptionsPerUser) {
      return gatewayError("subscriptionLimit", `more than ${deps.config.maxSubscriptionsPerUser} subscriptions for ${watcher}`);
    }
    const domain = /@([^;:>?]+)/.exec(watcher)?.[1]?.toLowerCase() ?? "";
    if (await store.countByDomain("sipWatcher", domain) >= deps.config.maxSubscriptionsPerDomain) {
      return gatewayError("subscriptionLimit", `more than ${deps.config.maxSubscriptionsPerDomain} subscriptions from ${domain}`);
    }
    return undefined;
  }

  deps.sip.onSubscribe("presence", (ctx) => onSubscribe(ctx).catch((err: unknown) => {
    // A store that is down (Redis restarting) is transient: its row is 503 (docs/state.md), so the
    // watcher retries later instead of treating the refusal as final (RFC 6665 §4.1.2.1 recalled).
    if (isStoreError(err)) {
      log.warn({ err: err.message, kind: err.kind }, "SUBSCRIBE refused: state store failed");
      return refuse(ctx, err.gatewayError);
    }
    log.error({ err }, "SUBSCRIBE not processed");
    refuse(ctx, gatewayError("internal", "SUBSCRIBE not processed", err));
  }));

  return {
    get live() { return live.size; },
    onXmppAnswer: (xmppUser, sipWatcher, type) => serial(`${sipWatcher}\u0000${xmppUser}`, async () => {
      const dialogs = await dialogsOf(sipWatcher, xmppUser);
      const step = reduceSubscription(pairFromRecords(dialogs, undefined), { kind: type === "subscribed" ? "xmppSubscribed" : "xmppUnsubscribed" });
      for (const a of step.actions) {
        for (const rec of dialogs) {
          const sub = live.get(rec.id);
          if (sub === undefined) continue;
          if (a.kind === "activateSip") {
            await store.putSubscription({ ...rec, state: "active" });
            try {
              await confirm(sub, sub.notify(await documentFor(xmppUser, sub.data().resource), PIDF, "active"));
            } finally {
              await persist({ ...rec, state: "active" }, sub); // its CSeq was used even if it failed
            }
          } else if (a.kind === "terminateSip") {
            await sub.terminate(a.reason);
          }
        }
      }
    }),
    async fanOut(presentity) {
      const watchers = (await store.listByPresentity("sipWatcher", presentity)).filter((s) => s.state === "active");
      if (watchers.length === 0) return;
      // One document for all watchers: the AOR in <contact> is the presentity's, the same for everyone.
      const first = live.get(watchers[0]?.id ?? "");
      const body = await documentFor(presentity, first?.data().resource ?? `sip:${presentity}`);
      // FANOUT_SLICE NOTIFYs per event-loop turn. 5000 started at once held the loop until all were
      // built and written (~0.8 s on a busy box): their 200s waited unread past T1, so NOTIFYs were
      // retransmitted, and the rest of the inbound traffic waited too. A turn between slices lets
      // answers and stanzas in. At most FANOUT_WINDOW NOTIFYs await their answer: on a starved CPU,
      // 5000 answers arriving at once overflowed the socket buffer (drops, retransmissions, more
      // load). A NOTIFY gives its place up after WINDOW_HOLD_MS even unanswered, so gone watchers
      // (Timer F: 32 s) do not stall the others.
      // The advanced dialogs (CSeq: a restart must continue it, RFC 3261 §12.2.1.1) go to the store in
      // pipelined batches of WRITE_BATCH answered NOTIFYs: with Redis, a write per 200 in the middle
      // of the fan-out delayed the reading of the next 200s.
      const pending: Promise<void>[] = [];
      const writes: Promise<void>[] = [];
      // The records are read from the live subscriptions when the batch is written, not when each
      // NOTIFY was answered: a refresh in between (its own store write) must not be overwritten by the
      // older dialog and expiry.
      let batch: [SipWatcherSubscription, NotifierSubscription][] = [];
      let failed = 0;
      let unwritten = 0;
      let firstError: unknown;
      const write = (): void => {
        const b = batch.flatMap(([rec, sub]) => current(rec, sub) ?? []);
        batch = [];
        if (b.length === 0) return;
        writes.push(store.putSubscriptions(b).catch((err: unknown) => { unwritten += b.length; lostWrites += b.length; firstError ??= err; }));
      };
      const answered = (rec: SipWatcherSubscription, sub: NotifierSubscription): void => {
        batch.push([rec, sub]);
        if (batch.length >= WRITE_BATCH) write();
      };
      const window = createWindow(FANOUT_WINDOW, WINDOW_HOLD_MS);
      const generation = ++fanOutSeq;
      newestFanOut.set(presentity, generation);
      for (let i = 0; i < watchers.length; i++) {
        if (i > 0 && i % FANOUT_SLICE === 0) await new Promise<void>((r) => setImmediate(r));
        const rec = watchers[i]!;
        const sub = live.get(rec.id);
        if (sub === undefined) continue;
        // A NOTIFY reports a change (RFC 3856 §6.10 rate control; RFC 6665 §4.2.2). The approval
        // (onXmppAnswer) and the presence the server sends right after it (RFC 6121 §3.1.5) race: the
        // approval's NOTIFY may already carry this very document (documents are shared per state), so
        // that watcher is not told it twice. A dialog the store shows active but whose approval NOTIFY
        // has not gone yet is still pending: a pending NOTIFY carries no state (RFC 3856 §6.6), and the
        // approval sends the newest document.
        // Only an answered (2xx) NOTIFY counts as told: after a 500 or a timeout the watcher gets it again.
        const d = sub.data();
        if (d.state !== "active" || (d.body === body && !unconfirmed.has(sub))) continue;
        const place = window.acquire();
        if (place !== undefined) await place;
        if (newestFanOut.get(presentity) !== generation) break;
        const hold = window.hold();
        // One reaction per NOTIFY: confirmation, the window's place and the store batch.
        const p = sub.notify(body, PIDF).then((res) => {
          window.release(hold);
          confirmed(sub, res);
          answered(rec, sub);
        }, (err: unknown) => {
          window.release(hold);
          unconfirmed.add(sub);
          failed++;
          firstError ??= err;
          // A failed NOTIFY still used its CSeq, and may have reached the watcher: stored all the same.
          answered(rec, sub);
        });
        pending.push(p);
      }
      if (newestFanOut.get(presentity) === generation) newestFanOut.delete(presentity);
      await Promise.all(pending);
      write();
      await Promise.all(writes);
      if (failed + unwritten > 0) log.warn({ err: firstError, failed, unwritten, presentity }, "fan-out: NOTIFYs or store writes failed");
    },
    async reprobe(pace) {
      const seen = new Set<string>();
      for (const rec of await store.listAll("sipWatcher")) {
        const key = `${rec.watcher}\u0000${rec.presentity}`;
        if (rec.state !== "active" || seen.has(key)) continue;
        seen.add(key);
        const from = sipJidOf(rec.watcher);
        if (from !== undefined) await pace(() => deps.sendXmpp(buildSubscriptionStanza(from, rec.presentity, "probe")));
      }
    },
    get lostWrites() { return lostWrites; },
    watches: (watcher, presentity) => livePairs.has(`${watcher}\u0000${presentity}`),
    async settled() {
      while (refreshWrites.size > 0) await Promise.allSettled([...refreshWrites]);
    },
    async restore(cseqSkip = 0) {
      let n = 0;
      // An active dialog resumes with the presentity's current document: a refresh SUBSCRIBE must be
      // answered by a NOTIFY with full state (RFC 6665 §4.2.1.2, RFC 3856 §6.6), not an empty body.
      // One document per presentity and AOR, read once for all its watchers.
      const docs = new Map<string, Promise<string>>();
      let recs = await store.listAll("sipWatcher");
      if (cseqSkip > 0) {
        // Stored before any request can go out on them: a second unclean stop skips again from here.
        recs = recs.map((r) => ({ ...r, dialog: skipLocalCseq(r.dialog, cseqSkip) }));
        await store.putSubscriptions(recs);
      }
      for (const rec of recs) {
        let body: string | undefined;
        if (rec.state === "active" && rec.event === "presence") {
          const key = `${rec.presentity}\u0000${rec.dialog.localUri}`;
          let doc = docs.get(key);
          if (doc === undefined) docs.set(key, doc = documentFor(rec.presentity, rec.dialog.localUri));
          body = await doc;
        }
        const sub = deps.sip.restoreNotifierSubscription({
          dialog: rec.dialog, event: { name: rec.event, ...(rec.eventId !== undefined ? { id: rec.eventId } : {}) },
          state: rec.state, expiresAt: rec.expiresAt, subscriber: rec.watcher, resource: rec.dialog.localUri,
          ...(body !== undefined ? { body, contentType: PIDF } : {}),
        });
        // Whether the watcher got this document before the restart is not known (a crash mid-fan-out):
        // the next fan-out sends it even if unchanged.
        if (body !== undefined) unconfirmed.add(sub);
        attach(rec.id, sub, rec.watcher, rec.presentity);
        n++;
      }
      return n;
    },
  };
}

/** A place in the window, given back by `release` or when its deadline passes. */
export interface WindowHold {
  readonly due: number;
  released: boolean;
}

/**
 * A counting window: `acquire` resolves at once while fewer than `size` places are held. Every place
 * is given back by `release(hold)`, or after `maxMs` even if not. All holds share `maxMs`, so their
 * FIFO order is their deadline order and one timer (for the oldest) serves them all: a fan-out of
 * 5000 NOTIFYs armed and cleared 5000 timers before.
 */
export function createWindow(size: number, maxMs: number): { acquire(): Promise<void> | undefined; hold(): WindowHold; release(h: WindowHold): void; readonly held: number } {
  let held = 0;
  const waiting: Array<() => void> = [];
  let holds: WindowHold[] = [];
  let head = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const giveBack = (): void => {
    const next = waiting.shift();
    if (next !== undefined) next(); // the place passes straight to the next waiter
    else held--;
  };
  // Released holds leave the front at once, so answered NOTIFYs are not kept until the deadline.
  const dropReleased = (): void => {
    while (head < holds.length && holds[head]!.released) head++;
    if (head === holds.length) {
      holds = [];
      head = 0;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    } else if (head > 1024 && head * 2 > holds.length) {
      holds = holds.slice(head);
      head = 0;
    }
  };
  const arm = (): void => {
    if (timer !== undefined || head >= holds.length) return;
    timer = setTimeout(expire, Math.max(0, holds[head]!.due - Date.now()));
    timer.unref?.();
  };
  const release = (h: WindowHold): void => {
    if (h.released) return;
    h.released = true;
    giveBack();
    if (holds[head] === h) dropReleased();
  };
  function expire(): void {
    timer = undefined;
    const now = Date.now();
    while (head < holds.length && holds[head]!.due <= now) release(holds[head]!);
    dropReleased();
    arm();
  }
  return {
    acquire() {
      if (held < size) { held++; return undefined; }
      return new Promise<void>((r) => waiting.push(r));
    },
    hold() {
      const h: WindowHold = { due: Date.now() + maxMs, released: false };
      holds.push(h);
      arm();
      return h;
    },
    release,
    get held() { return held; },
  };
}
