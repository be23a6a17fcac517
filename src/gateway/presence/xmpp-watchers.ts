// XMPP watchers of SIP presentities: the gateway is the RFC 6665 subscriber and keeps the SIP
// subscription alive for as long as the XMPP one exists. Authorization comes from NOTIFY
// Subscription-State, not from the 2xx (RFC 6665 §4.1.2.1; interworking.md §2.2).
// Every SUBSCRIBE that starts a dialog (a new XMPP subscription, a retry, a re-SUBSCRIBE after a
// restart) is a `subscribe.burst` job under one rate limit (presence.subscribeRatePerSecond), so a
// roster import or a login storm reaches the SIP side at a bounded rate. Refreshes within a dialog
// (RFC 6665 §4.1.2.2) are the subscriber's own timers and are not paced: they recur spread out as the
// dialogs were created.
import type { XmppPresenceState } from "../../domain/presence.js";
import { reduceSubscription, type SubscriptionEvent, type SubscriptionStep } from "../../domain/subscription.js";
import { evenRateLimit, isQueueError, type JobQueue } from "../../queue/queue.js";
import type { NotifyReceived, Subscription } from "../../sip/endpoint.js";
import { parsePidf } from "../../simple/pidf/parse.js";
import { jobKeyOf } from "../../queue/jobs.js";
import { newSubscriptionId, type XmppWatcherSubscription } from "../../store/store.js";
import { formatSipAddress } from "../../translate/address.js";
import { checkXmppOrigin } from "../../translate/identity.js";
import { pidfToXmppPresences } from "../../translate/presence.js";
import { buildPresenceStanza, buildSubscriptionStanza } from "../../xmpp/presence/presence-stanza.js";
import type { KeyedSerial } from "./keyed-serial.js";
import { PIDF, type PresenceDeps } from "./presence-deps.js";
import { applyFullState, pairFromRecords, skipLocalCseq } from "./presence-state.js";

export interface XmppWatchers {
  /** `subscribe`/`unsubscribe` from an XMPP user (bare JID, and her SIP identity) to a SIP presentity. */
  onXmppRequest(xmppUser: string, sipIdentity: string, presentity: string, type: "subscribe" | "unsubscribe"): Promise<void>;
  /** RFC 6121 §4.3: answer a probe from stored state, only to an authorized watcher. */
  onProbe(prober: string, xmppUser: string, presentity: string): Promise<void>;
  /** Re-send the current presence of every watched SIP presentity to its XMPP watchers, paced. */
  reannounce(pace: (send: () => void) => Promise<void>): Promise<void>;
  /** Resumes the stored dialogs, each `cseqSkip` CSeq numbers on (0 after a clean stop). */
  restore(cseqSkip?: number): Promise<number>;
  /** Cancels the in-process retries of SUBSCRIBE jobs that could not be queued (shutdown). */
  stop(): void;
  /** Settles once the work started by received NOTIFYs and ended subscriptions is done. */
  settled(): Promise<void>;
  /**
   * Stores every live dialog as the SIP layer has it now (clean stop, after the SIP side closed):
   * refresh SUBSCRIBEs advance the CSeq but reach the store only with the NOTIFY that follows them.
   * Resolves with the number of writes that failed.
   */
  persistDialogs(): Promise<number>;
  readonly live: number;
}

/** Queueing a SUBSCRIBE job failed (Redis unavailable): first retry after this, doubling up to the cap. */
const REQUEUE_FIRST_MS = 1000;
const REQUEUE_MAX_MS = 60_000;
/** A fetch that found no state is not repeated for this long (per presentity, this process). */
const FETCH_EMPTY_TTL_MS = 60_000;
const FETCH_EMPTY_MAX = 10_000;
const FETCH_BACKLOG_MAX = 1000;

export function createXmppWatchers(deps: PresenceDeps, serial: KeyedSerial, sipJidOf: (sipUri: string) => string | undefined, queue: JobQueue): XmppWatchers {
  const { store, logger } = deps;
  const log = logger.child({ module: "presence-xmpp-watchers" });
  const live = new Map<string, Subscription>();

  const recordOf = async (watcher: string, presentity: string) =>
    (await store.listByWatcher("xmppWatcher", watcher)).find((s) => s.presentity === presentity);

  const sendPresences = (presentity: string, to: string, states: readonly XmppPresenceState[]) => {
    const bare = sipJidOf(presentity);
    if (bare === undefined) return;
    for (const s of states) deps.sendXmpp(buildPresenceStanza(`${bare}/${s.resource}`, to, s));
  };

  /**
   * Runs one reducer step for the pair and performs its actions. A `subscribeSip` is performed (a
   * SUBSCRIBE sent) only for `retryDue`, i.e. inside the rate-limited job; any other one queues that
   * job and stores the pair as a retry due now, which the reducer treats like a pending subscription.
   */
  async function apply(rec: XmppWatcherSubscription | undefined, watcher: string, identity: string, presentity: string, event: SubscriptionEvent): Promise<SubscriptionStep> {
    const step = reduceSubscription(pairFromRecords([], rec), event);
    const from = sipJidOf(presentity);
    let next: XmppWatcherSubscription | undefined = rec;
    let queued = false;
    for (const a of step.actions) {
      switch (a.kind) {
        case "sendXmpp":
          if (from !== undefined) deps.sendXmpp(buildSubscriptionStanza(from, watcher, a.type));
          break;
        case "subscribeSip":
          if (event.kind === "retryDue") next = start(rec, watcher, identity, presentity);
          else {
            next = queueSubscribe(rec ?? newRecord(watcher, presentity), 0);
            queued = true;
          }
          break;
        case "unsubscribeSip": {
          const sub = rec === undefined ? undefined : live.get(rec.id);
          if (sub !== undefined) void sub.unsubscribe().catch((err: unknown) => log.warn({ err }, "unsubscribe failed"));
          break;
        }
        case "scheduleRetry":
          if (next !== undefined) next = queueSubscribe(next, a.afterSeconds * 1000);
          break;
        default:
          break;
      }
    }
    if (step.pair.xmppWatchesSip === "none") {
      if (rec !== undefined) {
        live.delete(rec.id);
        if (rec.retryAfterAt !== undefined) void queue.removeByKey("subscribe.burst", burstKey(watcher, presentity)).catch(() => false); // else a no-op when it runs
        await store.deleteSubscription(rec.id);
        // The cache is per presentity: other XMPP users watching the same SIP contact still answer
        // their probes from it (RFC 6121 §4.3.2), so it goes only with the last watcher.
        if ((await store.listByPresentity("xmppWatcher", presentity)).length === 0) await store.deletePresence(presentity);
      }
    } else if (next !== undefined) {
      const authorization = step.pair.xmppAuthorized ? "subscribed" : "pending";
      const { retryAfterAt: _drop, ...base } = next;
      const retryAfterAt = step.pair.xmppWatchesSip === "retrying" || queued ? next.retryAfterAt ?? Date.now() : undefined;
      const sub = live.get(next.id);
      const d = sub?.data();
      await store.putSubscription({
        ...base, authorization, ...(retryAfterAt !== undefined ? { retryAfterAt } : {}),
        ...(d?.dialog !== undefined ? { dialog: d.dialog } : {}), expiresAt: d?.expiresAt ?? next.expiresAt,
      });
    }
    return step;
  }

  const newRecord = (watcher: string, presentity: string): XmppWatcherSubscription => ({
    kind: "xmppWatcher", id: newSubscriptionId(), watcher, presentity, expiresAt: 0, generation: 0, authorization: "pending",
  });

  /** Sends the SUBSCRIBE; called only from the rate-limited subscribe.burst job (via retryDue). */
  function start(rec: XmppWatcherSubscription | undefined, watcher: string, identity: string, presentity: string): XmppWatcherSubscription {
    if (rec !== undefined) live.delete(rec.id);
    const sub = deps.sip.subscribe(identity, presentity, "presence", { expires: deps.config.subscribeExpires, accept: [PIDF] });
    const next: XmppWatcherSubscription = {
      kind: "xmppWatcher", id: rec?.id ?? newSubscriptionId(), watcher, presentity, expiresAt: 0,
      generation: (rec?.generation ?? 0) + 1, authorization: rec?.authorization ?? "pending",
    };
    attach(next, sub, identity);
    return next;
  }

  function attach(rec: XmppWatcherSubscription, sub: Subscription, identity: string): void {
    live.set(rec.id, sub);
    const key = `${rec.watcher}\u0000${rec.presentity}`;
    const current = () => recordOf(rec.watcher, rec.presentity);
    sub.onNotify((n) => void tracked(serial(key, async () => {
      if (live.get(rec.id) !== sub) return;
      const stored = await current();
      const event: SubscriptionEvent = n.state === "terminated"
        ? { kind: "notifyTerminated", ...(n.reason !== undefined ? { reason: n.reason } : {}), ...(n.retryAfter !== undefined ? { retryAfter: n.retryAfter } : {}) }
        : { kind: "notify", state: n.state === "active" ? "active" : "pending" };
      const step = await apply(stored, rec.watcher, identity, rec.presentity, event);
      // A watcher authorized by this NOTIFY gets the whole current state, not only what changed: the
      // presentity may already be cached from another watcher's subscription (shared contacts).
      const newlyAuthorized = step.pair.xmppAuthorized && stored?.authorization !== "subscribed" ? rec.watcher : undefined;
      if (step.pair.xmppWatchesSip === "active") await onState(rec.presentity, n, newlyAuthorized);
    }).catch((err: unknown) => log.warn({ err }, "NOTIFY not processed"))));
    sub.onTerminated((ended) => {
      // Final NOTIFYs are handled above; here only failures without one (error response, Timer N, expiry).
      if (ended.by === "notifier" || ended.by === "subscriber") return;
      void tracked(serial(key, async () => {
        if (live.get(rec.id) !== sub) return;
        const stored = await current();
        await apply(stored, rec.watcher, identity, rec.presentity, { kind: "subscribeFailed", status: ended.status ?? 408, ...(ended.retryAfter !== undefined ? { retryAfter: ended.retryAfter } : {}) });
      }).catch((err: unknown) => log.warn({ err }, "subscription end not processed")));
    });
  }

  // The work NOTIFYs and subscription ends start (store writes, stanzas), so that a shutdown can wait
  // for it before the store closes (presence-gateway idle()).
  const inflight = new Set<Promise<void>>();
  function tracked(p: Promise<void>): Promise<void> {
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
    return p;
  }

  const burstKey = (xmppUser: string, sipPresentity: string) => jobKeyOf("subscribe.burst", { xmppUser, sipPresentity }).id;

  /**
   * The (re-)SUBSCRIBE is a `subscribe.burst` job (jobs.ts), delayed by a retry-after: it survives a
   * restart with BullMQ and carries only the pair's keys; the handler reads the record, so a stale job
   * is a no-op (see the handler). An earlier, later-due job is replaced. The returned record says when
   * it is due (`retryAfterAt`), which is also what marks the pair as waiting for its SUBSCRIBE.
   */
  function queueSubscribe(rec: XmppWatcherSubscription, afterMs: number): XmppWatcherSubscription {
    live.delete(rec.id);
    enqueueBurst(rec.watcher, rec.presentity, afterMs, 0);
    return { ...rec, retryAfterAt: Date.now() + afterMs };
  }

  /** One pending re-queue per pair (key as in serial): it re-reads the record, so it serves every failure. */
  const requeueTimers = new Map<string, NodeJS.Timeout>();
  let stopped = false;

  function enqueueBurst(watcher: string, presentity: string, afterMs: number, failures: number): void {
    void queue.removeByKey("subscribe.burst", burstKey(watcher, presentity))
      .then(() => queue.add("subscribe.burst", { xmppUser: watcher, sipPresentity: presentity }, afterMs > 0 ? { delayMs: afterMs } : {}))
      .catch((err: unknown) => requeueLater(watcher, presentity, failures + 1, err));
  }

  /**
   * The job could not be queued (with BullMQ: Redis unavailable). The pair is stored as waiting, so
   * nothing is lost, but without a job nothing would send its SUBSCRIBE before the next restart: try
   * again from this process, backing off, for as long as the pair still waits for it. The key is
   * coalescing (jobs.ts), so a job that did get in despite the error is not doubled.
   */
  function requeueLater(watcher: string, presentity: string, failures: number, err: unknown): void {
    if (stopped) return;
    if (isQueueError(err) && err.kind !== "unavailable") { // a closed queue (shutdown) or a bug: no retry
      log.warn({ err, watcher, presentity }, "SUBSCRIBE not queued; restore() queues it again");
      return;
    }
    const pair = `${watcher}\u0000${presentity}`;
    if (requeueTimers.has(pair)) return;
    const inMs = Math.min(REQUEUE_MAX_MS, REQUEUE_FIRST_MS * 2 ** Math.min(failures - 1, 16));
    log.warn({ err, watcher, presentity, failures, retryInMs: inMs }, "SUBSCRIBE not queued; trying again");
    const timer = setTimeout(() => {
      requeueTimers.delete(pair);
      void serial(pair, async () => {
        const rec = await recordOf(watcher, presentity);
        if (rec?.retryAfterAt === undefined || live.has(rec.id)) return; // unsubscribed or sent meanwhile
        enqueueBurst(watcher, presentity, Math.max(0, rec.retryAfterAt - Date.now()), failures);
      }).catch((e: unknown) => requeueLater(watcher, presentity, failures + 1, e));
    }, inMs);
    timer.unref();
    requeueTimers.set(pair, timer);
  }

  /** The XMPP user's SIP identity (From of her SUBSCRIBEs): her stored dialog's, else from the plan. */
  const identityOf = (rec: XmppWatcherSubscription): string | undefined => {
    if (rec.dialog !== undefined) return rec.dialog.localUri;
    const origin = checkXmppOrigin(rec.watcher, deps.plan);
    return origin.ok ? formatSipAddress(origin.value) : undefined;
  };

  // One limiter for every dialog-creating SUBSCRIBE (BullMQ: shared by all replicas), evenly spaced.
  queue.process("subscribe.burst", async (job) => {
    const { xmppUser, sipPresentity } = job.payload;
    await serial(`${xmppUser}\u0000${sipPresentity}`, async () => {
      const rec = await recordOf(xmppUser, sipPresentity);
      // Stale: unsubscribed meanwhile, subscribed already (not waiting), or replaced by a later-due retry
      // (a notifier's Retry-After is honoured; 1 s of slack for clocks of other replicas).
      if (rec === undefined || rec.retryAfterAt === undefined || live.has(rec.id) || rec.retryAfterAt > Date.now() + 1000) return;
      const identity = identityOf(rec);
      if (identity === undefined) return;
      await apply(rec, xmppUser, identity, sipPresentity, { kind: "retryDue" });
    });
  }, { concurrency: 8, rateLimit: evenRateLimit(deps.config.subscribeRatePerSecond) });

  // One-shot fetches (RFC 6665 §4.4.3) for probes of a presentity with nothing cached: one in flight
  // per presentity, shared by every probe that comes meanwhile; an empty answer is remembered for
  // FETCH_EMPTY_TTL_MS so that a notifier without state (e.g. a PA whose presentity never published)
  // is not asked again by every login. Fetches start evenly spaced at presence.subscribeRatePerSecond
  // in this process, at most FETCH_BACKLOG_MAX waiting; beyond that a probe is answered unavailable.
  const fetches = new Map<string, Promise<readonly XmppPresenceState[]>>();
  const fetchedEmpty = new Map<string, number>();
  let nextFetchAt = 0;
  let fetchBacklog = 0;

  function fetchState(identity: string, presentity: string): Promise<readonly XmppPresenceState[]> {
    const inFlight = fetches.get(presentity);
    if (inFlight !== undefined) return inFlight;
    const emptyAt = fetchedEmpty.get(presentity);
    if (emptyAt !== undefined && Date.now() - emptyAt < FETCH_EMPTY_TTL_MS) return Promise.resolve([]);
    if (fetchBacklog >= FETCH_BACKLOG_MAX) {
      log.warn({ presentity, backlog: fetchBacklog }, "presence fetch refused: too many waiting; probe answered unavailable");
      return Promise.resolve([]);
    }
    const p = (async () => {
      fetchBacklog++;
      try {
        const now = Date.now();
        nextFetchAt = Math.max(nextFetchAt, now);
        const wait = nextFetchAt - now;
        nextFetchAt += 1000 / deps.config.subscribeRatePerSecond;
        if (wait > 0) await new Promise((r) => setTimeout(r, wait).unref?.());
      } finally {
        fetchBacklog--;
      }
      const states = stopped ? [] : await fetchOnce(identity, presentity);
      if (states.length === 0) {
        if (fetchedEmpty.size >= FETCH_EMPTY_MAX) fetchedEmpty.clear();
        fetchedEmpty.set(presentity, Date.now());
        return states;
      }
      // Cached only if the long-lived subscription has not written state meanwhile (version 0: absent),
      // and only while one of this presentity's subscriptions is live to keep it current: a fetch is a
      // snapshot (RFC 6665 §4.4.3), and the cache goes only with the last watcher, so a snapshot
      // written after that (an unsubscribe during the fetch) would stay forever.
      await store.listByPresentity("xmppWatcher", presentity)
        .then((recs) => (recs.some((r) => live.has(r.id)) ? store.putPresence(presentity, states, { ifVersion: 0 }) : undefined))
        .catch((err: unknown) => log.warn({ err, presentity }, "fetched presence not cached"));
      return states;
    })().finally(() => fetches.delete(presentity));
    fetches.set(presentity, p);
    return p;
  }

  /** SUBSCRIBE Expires: 0; the state is that of the NOTIFYs until the subscription ends (terminated NOTIFY, error, Timer N). */
  function fetchOnce(identity: string, presentity: string): Promise<readonly XmppPresenceState[]> {
    return new Promise((resolve) => {
      let states: readonly XmppPresenceState[] = [];
      const sub = deps.sip.subscribe(identity, presentity, "presence", { expires: 0, accept: [PIDF] });
      sub.onNotify((n) => {
        if (n.body.byteLength > 0) {
          const parsed = parsePidf(n.body, n.contentType !== undefined ? { contentType: n.contentType } : {});
          if (parsed.ok) states = applyFullState([], pidfToXmppPresences(parsed.value)).states;
          else log.info({ presentity, error: parsed.error }, "fetch NOTIFY body not usable");
        }
        if (n.state === "terminated") resolve(states);
      });
      sub.onTerminated((ended) => {
        if (ended.by !== "notifier") log.info({ presentity, status: ended.status, reason: ended.reason }, "presence fetch ended without a final NOTIFY");
        resolve(states);
      });
    });
  }

  /**
   * Full-state PIDF → one presence per changed resource to every authorized watcher of the presentity,
   * and the whole current state to `newWatcher` (authorized just now).
   */
  async function onState(presentity: string, n: NotifyReceived, newWatcher?: string): Promise<void> {
    const cached = await store.getPresence(presentity);
    let states = cached?.states ?? [];
    let changed: readonly XmppPresenceState[] = [];
    if (n.body.byteLength > 0) {
      const parsed = parsePidf(n.body, n.contentType !== undefined ? { contentType: n.contentType } : {});
      if (!parsed.ok) log.info({ presentity, error: parsed.error }, "NOTIFY body not usable");
      else {
        const change = applyFullState(states, pidfToXmppPresences(parsed.value));
        ({ states, changed } = change);
        if (changed.length > 0) await store.putPresence(presentity, states);
      }
    }
    if (newWatcher !== undefined && states.length > 0) sendPresences(presentity, newWatcher, states);
    if (changed.length === 0) return;
    const watchers = (await store.listByPresentity("xmppWatcher", presentity)).filter((w) => w.authorization === "subscribed" && w.watcher !== newWatcher);
    for (const w of watchers) sendPresences(presentity, w.watcher, changed);
  }

  return {
    get live() { return live.size; },
    async settled() {
      while (inflight.size > 0) await Promise.allSettled([...inflight]);
    },
    stop() {
      stopped = true;
      for (const t of requeueTimers.values()) clearTimeout(t);
      requeueTimers.clear();
    },
    async persistDialogs() {
      let failed = 0;
      await Promise.all([...live].map(([id, sub]) => {
        const d = sub.data();
        if (d.dialog === undefined) return undefined;
        const dialog = d.dialog;
        return store.getSubscription(id).then((rec) => rec?.kind !== "xmppWatcher" ? undefined
          // Serialised with the pair's NOTIFY work, which may end (and delete) the record meanwhile.
          : serial(`${rec.watcher}\u0000${rec.presentity}`, async () => {
            const now = await store.getSubscription(id);
            if (live.get(id) !== sub || now?.kind !== "xmppWatcher") return;
            await store.putSubscription({ ...now, dialog, expiresAt: d.expiresAt });
          })).catch((err: unknown) => { failed++; log.warn({ err, id }, "dialog not stored at stop"); });
      }));
      return failed;
    },
    onXmppRequest: (xmppUser, identity, presentity, type) => serial(`${xmppUser}\u0000${presentity}`, async () => {
      await apply(await recordOf(xmppUser, presentity), xmppUser, identity, presentity, { kind: type === "subscribe" ? "xmppSubscribe" : "xmppUnsubscribe" });
    }),
    async onProbe(prober, xmppUser, presentity) {
      const rec = await recordOf(xmppUser, presentity);
      // RFC 6121 §4.3.2: presence goes only to subscribers; others learn nothing from a probe.
      if (rec?.authorization !== "subscribed") return;
      let states = (await store.getPresence(presentity))?.states ?? [];
      if (states.length === 0) {
        const identity = identityOf(rec);
        if (identity !== undefined) states = await fetchState(identity, presentity);
      }
      const bare = sipJidOf(presentity);
      if (states.length === 0 && bare !== undefined) deps.sendXmpp(buildPresenceStanza(bare, prober, { resource: "", available: false, statuses: [] }));
      else sendPresences(presentity, prober, states);
    },
    async reannounce(pace) {
      for (const rec of await store.listAll("xmppWatcher")) {
        if (rec.authorization !== "subscribed") continue;
        const states = (await store.getPresence(rec.presentity))?.states ?? [];
        if (states.length > 0) await pace(() => sendPresences(rec.presentity, rec.watcher, states));
      }
    },
    async restore(cseqSkip = 0) {
      let n = 0;
      let recs = await store.listAll("xmppWatcher");
      if (cseqSkip > 0) {
        // Stored before any refresh can go out on them (see RESTORE_CSEQ_SKIP).
        recs = recs.map((r) => (r.dialog === undefined ? r : { ...r, dialog: skipLocalCseq(r.dialog, cseqSkip) }));
        await store.putSubscriptions(recs.filter((r) => r.dialog !== undefined));
      }
      for (const rec of recs) {
        const identity = identityOf(rec);
        if (identity === undefined) continue;
        // Waiting for its SUBSCRIBE (queued or a retry): queue it again, due when it was (with BullMQ the
        // old job may still be there and is replaced). Sent but never established (no dialog): the
        // answer went to the old process, so it is sent again, stored as waiting so the job acts on it.
        if (rec.retryAfterAt !== undefined) {
          queueSubscribe(rec, Math.max(0, rec.retryAfterAt - Date.now()));
          continue;
        }
        if (rec.dialog === undefined) {
          await store.putSubscription(queueSubscribe(rec, 0));
          continue;
        }
        const sub = deps.sip.restoreSubscription({
          dialog: rec.dialog, event: { name: "presence" }, state: rec.authorization === "subscribed" ? "active" : "pending",
          expiresAt: rec.expiresAt, identity, target: rec.presentity, callId: rec.dialog.id.callId, localTag: rec.dialog.id.localTag,
          requestedExpires: deps.config.subscribeExpires,
        });
        attach(rec, sub, identity);
        n++;
      }
      return n;
    },
  };
}
