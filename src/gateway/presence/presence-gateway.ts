// Presence interworking entry point: XMPP <presence/> stanzas in, SIP SUBSCRIBE/NOTIFY through the
// two watcher modules, XMPP user presence coalesced into NOTIFYs (RFC 3856 §6.10), re-announce after
// a component reconnect or a restart, paced so that it is not a storm.
import { formatJid, sipUriToJid } from "../../translate/address.js";
import { gatewayErrorToXmpp } from "../../translate/errors.js";
import { checkXmppDestination, checkXmppOrigin } from "../../translate/identity.js";
import { formatSipAddress } from "../../translate/address.js";
import { buildErrorStanza } from "../../xmpp/build/error.js";
import type { InboundStanza } from "../../xmpp/parse/stanza.js";
import { classifyPresence } from "../../xmpp/presence/presence-stanza.js";
import { createMemoryQueue } from "../../queue/memory-queue.js";
import { createKeyedSerial } from "./keyed-serial.js";
import { createNotifyCoalescer } from "./notify-coalescer.js";
import { CLEAN_STOP_MARKER, RESTORE_CSEQ_SKIP, type PresenceDeps } from "./presence-deps.js";
import { applyResourcePresence } from "./presence-state.js";
import { createSipWatchers, type SipWatchers } from "./sip-watchers.js";
import { createXmppWatchers, type XmppWatchers } from "./xmpp-watchers.js";

export type { PresenceDeps } from "./presence-deps.js";

export interface PresenceGateway {
  /** The dispatcher's onPresence. */
  onXmppPresence(stanza: InboundStanza): void;
  /** After a component link reconnect: re-send SIP users' presence and re-probe XMPP users. */
  onReconnected(): void;
  /** Resume stored dialogs (restart with a durable store), then re-announce. */
  restore(): Promise<{ readonly sipWatchers: number; readonly xmppWatchers: number }>;
  /** Settles once queued presence work is done (tests, shutdown). */
  idle(): Promise<void>;
  /**
   * Shutdown with a durable store, after stop(): waits for the presence work in flight, then marks
   * the stop clean (CLEAN_STOP_MARKER) unless a dialog write failed. Returns whether it did.
   */
  markCleanStop(): Promise<boolean>;
  stop(): void;
  readonly sipWatchers: SipWatchers;
  readonly xmppWatchers: XmppWatchers;
  readonly store: PresenceDeps["store"];
}

export function createPresenceGateway(deps: PresenceDeps): PresenceGateway {
  const log = deps.logger.child({ module: "presence" });
  const serial = createKeyedSerial();
  const sipJidOf = (uri: string): string | undefined => {
    const j = sipUriToJid(uri, deps.plan);
    return j.ok ? formatJid({ ...(j.value.local !== undefined ? { local: j.value.local } : {}), domain: j.value.domain }) : undefined;
  };
  const queue = deps.queue ?? createMemoryQueue({ logger: log });
  const sipWatchers = createSipWatchers(deps, serial, sipJidOf);
  const xmppWatchers = createXmppWatchers(deps, serial, sipJidOf, queue);
  const inflight = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>, what: string) => {
    const q = p.catch((err: unknown) => log.warn({ err, what }, "presence work failed")).finally(() => inflight.delete(q));
    inflight.add(q);
  };
  const coalescer = createNotifyCoalescer({
    minIntervalMs: deps.config.notifyMinIntervalSeconds * 1000,
    flush: (presentity) => track(sipWatchers.fanOut(presentity), "fan-out"),
  });

  // A token bucket in time: stanza i of a burst goes out at i / rate seconds (re-announce storms,
  // interworking.md §3 B). TODO(queue): rate-limited queue jobs once src/queue lands.
  let nextSlot = 0;
  const pace = async (send: () => void): Promise<void> => {
    const gap = 1000 / deps.config.reannounceRatePerSecond;
    const now = Date.now();
    nextSlot = Math.max(nextSlot, now);
    const wait = nextSlot - now;
    nextSlot += gap;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait).unref?.());
    send();
  };

  const bounce = (stanza: InboundStanza, err: Parameters<typeof gatewayErrorToXmpp>[0]) => {
    log.info({ from: stanza.from.toString(), to: stanza.to.toString(), code: err.code, detail: err.detail }, "presence refused");
    // RFC 6120 §8.3.1: never answer an error with an error.
    if (stanza.type !== "error") deps.sendXmpp(buildErrorStanza(stanza.element, gatewayErrorToXmpp(err)));
  };

  let stopped = false;
  // The server sends one copy of a presence per subscribed contact (5000 watchers: 5000 copies); the
  // last state seen per full JID lets the copies skip the keyed queue and the store.
  const lastState = new Map<string, string>();
  const LAST_STATE_MAX = 100_000;

  /**
   * Whether a presence from `presentity` addressed to `sipUser` may become what all her SIP watchers
   * see. A broadcast reaches every subscribed contact (RFC 6121 §4.2.2), the watchers among them, so
   * a copy to a SIP user who holds no subscription to her here carries nothing they do not also get;
   * while directed presence (§4.6) to such a user is for that user only and must not leak to the
   * watchers. With no SIP watcher at all it is kept: there is no one to show it to now, and the cache
   * stays current for the next subscriber. (Directed presence to a user who is also a watcher cannot be
   * told from a broadcast copy: docs/presence-flows.md, known gaps.)
   */
  async function reachesWatchers(presentity: string, sipUser: string): Promise<boolean> {
    if (sipWatchers.watches(sipUser, presentity)) return true; // the usual case, without a store read
    // Another replica's dialogs, or one stored but not yet attached here.
    if ((await deps.store.listByWatcher("sipWatcher", sipUser)).some((s) => s.presentity === presentity)) return true;
    return (await deps.store.listByPresentity("sipWatcher", presentity)).length === 0;
  }

  function onXmppPresence(stanza: InboundStanza): void {
    if (stopped) {
      log.debug({ from: stanza.from.toString(), type: stanza.type }, "presence after stop: ignored");
      return;
    }
    const origin = checkXmppOrigin(stanza.from.toString(), deps.plan);
    if (!origin.ok) return bounce(stanza, origin.error);
    const dest = checkXmppDestination(stanza.to.toString(), deps.plan);
    if (!dest.ok) return bounce(stanza, dest.error);
    const xmppUser = stanza.from.bare().toString();
    const sipIdentity = formatSipAddress(origin.value);
    const sipUser = formatSipAddress(dest.value);
    const meaning = classifyPresence(stanza.element, stanza.from.getResource() ?? "");
    log.debug({ xmppUser, sipUser, kind: meaning.kind, type: stanza.type }, "presence in");
    switch (meaning.kind) {
      case "state": {
        // Presence is per presentity: the server sends one copy of a broadcast per subscribed contact
        // (RFC 6121 §4.2.2), and the first copy applied updates the cache; the rest are unchanged.
        const state = meaning.state;
        const fullJid = stanza.from.toString();
        const fingerprint = JSON.stringify(state);
        if (lastState.get(fullJid) === fingerprint) return;
        return track(serial(`presence\u0000${xmppUser}`, async () => {
          // The copies of one broadcast queue here before the first is applied; it sets the fingerprint.
          if (lastState.get(fullJid) === fingerprint) return;
          if (!(await reachesWatchers(xmppUser, sipUser))) {
            log.debug({ xmppUser, sipUser }, "directed presence to a SIP user who watches nothing here: not shown to her watchers");
            return;
          }
          if (lastState.size >= LAST_STATE_MAX) lastState.clear();
          lastState.set(fullJid, fingerprint);
          const cached = await deps.store.getPresence(xmppUser);
          const change = applyResourcePresence(cached?.states ?? [], state);
          if (change.changed.length === 0) return;
          const put = await deps.store.putPresence(xmppUser, change.states, { ifVersion: cached?.version ?? 0 });
          if (!put.ok) log.debug({ xmppUser }, "presence raced with another writer; its version wins");
          else coalescer.touch(xmppUser);
        }), "presence");
      }
      case "subscription":
        if (meaning.type === "subscribed" || meaning.type === "unsubscribed") return track(sipWatchers.onXmppAnswer(xmppUser, sipUser, meaning.type), meaning.type);
        return track(xmppWatchers.onXmppRequest(xmppUser, sipIdentity, sipUser, meaning.type), meaning.type);
      case "probe":
        return track(xmppWatchers.onProbe(stanza.from.toString(), xmppUser, sipUser), "probe");
      case "error":
        log.debug({ from: stanza.from.toString(), to: stanza.to.toString() }, "presence error received");
        return;
    }
  }

  /** restore() ran in this process: the dialogs in the store were resumed (and sent on) here. */
  let restored = false;
  const reannounce = () => {
    track(xmppWatchers.reannounce(pace), "re-announce");
    track(sipWatchers.reprobe(pace), "re-probe");
  };

  return {
    sipWatchers, xmppWatchers, onXmppPresence, store: deps.store,
    onReconnected: reannounce,
    async restore() {
      const clean = (await deps.store.takeMarker(CLEAN_STOP_MARKER)) !== undefined;
      restored = true;
      const cseqSkip = clean ? 0 : RESTORE_CSEQ_SKIP;
      const counts = { sipWatchers: await sipWatchers.restore(cseqSkip), xmppWatchers: await xmppWatchers.restore(cseqSkip) };
      if (!clean && counts.sipWatchers + counts.xmppWatchers > 0) log.info({ cseqSkip }, "previous stop not clean: restored dialogs resume above their stored CSeq");
      if (counts.sipWatchers + counts.xmppWatchers > 0) reannounce();
      log.info(counts, "presence subscriptions restored");
      return counts;
    },
    async idle() {
      while (inflight.size > 0) await Promise.allSettled([...inflight]);
      await xmppWatchers.settled();
    },
    async markCleanStop() {
      // Only the process that restored the dialogs (the link holder) knows their CSeqs are stored: a
      // standby's marker would make the next restore after the holder's crash re-use CSeqs (500).
      if (!restored) {
        log.info("stop not marked clean: this process never held the presence dialogs");
        return false;
      }
      while (inflight.size > 0) await Promise.allSettled([...inflight]);
      await sipWatchers.settled();
      await xmppWatchers.settled();
      const unstored = await xmppWatchers.persistDialogs();
      if (sipWatchers.lostWrites > 0 || unstored > 0) {
        log.warn({ lostWrites: sipWatchers.lostWrites, unstored }, "stop not marked clean: dialog writes were lost");
        return false;
      }
      await deps.store.putMarker(CLEAN_STOP_MARKER, JSON.stringify({ at: Date.now(), pid: process.pid }));
      return true;
    },
    stop: () => {
      stopped = true;
      coalescer.clear();
      xmppWatchers.stop();
      // A queue passed in belongs to the composition root, which closes it.
      if (deps.queue === undefined) void queue.close({ graceful: false });
    },
  };
}
