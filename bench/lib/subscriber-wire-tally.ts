// The gateway as RFC 6665 subscriber, seen on its SIP wire (stack.observe): SUBSCRIBEs it sends (initial
// ones, without a To tag, apart from in-dialog refreshes), per wall-clock second so that the peak rate
// toward the SIP side can be compared with a configured limit; the answers it gets; NOTIFYs it receives
// and answers. "out" excludes the gateway's own retransmissions (sip-wire-tally.ts), so a second SUBSCRIBE
// for one pair is a new transaction the gateway decided to send (a retry, a refresh), not a resend.
import type { SipMessage } from "../../src/sip/message/types.js";
import type { SipStack } from "../../src/sip/stack.js";
import { wallMs } from "./im-receiver.js";

export interface SubscriberPhase {
  readonly subscribeOut: number;
  readonly initialSubscribeOut: number;
  readonly subscribe2xx: number;
  /** Final non-2xx answers to SUBSCRIBE, by status. */
  readonly subscribeFailed: Readonly<Record<number, number>>;
  readonly notifyIn: number;
  readonly notify2xxOut: number;
  /** Highest count of SUBSCRIBEs sent within one wall-clock second (1 s buckets from the phase start). */
  readonly peakSubscribePerS: number;
  /** SUBSCRIBEs per 1 s bucket from the phase start (trailing empty buckets cut). */
  readonly subscribePerS: readonly number[];
  readonly firstSubscribeOutMs: number;
  readonly lastSubscribeOutMs: number;
  readonly lastNotifyInMs: number;
}

export interface SubscriberTally {
  /** Starts a new phase: counters to zero, buckets counted from now. */
  reset(): void;
  snapshot(): SubscriberPhase;
}

export function tallySubscriberWire(stack: SipStack): SubscriberTally {
  if (stack.observe === undefined) throw new Error("this SIP stack cannot be observed");
  let t0 = wallMs();
  let buckets: number[] = [];
  let failed: Record<number, number> = {};
  let p = { subscribeOut: 0, initialSubscribeOut: 0, subscribe2xx: 0, notifyIn: 0, notify2xxOut: 0, firstSubscribeOutMs: 0, lastSubscribeOutMs: 0, lastNotifyInMs: 0 };
  const reset = () => {
    t0 = wallMs();
    buckets = [];
    failed = {};
    p = { subscribeOut: 0, initialSubscribeOut: 0, subscribe2xx: 0, notifyIn: 0, notify2xxOut: 0, firstSubscribeOutMs: 0, lastSubscribeOutMs: 0, lastNotifyInMs: 0 };
  };
  stack.observe((direction, m: SipMessage) => {
    const now = wallMs();
    if (m.kind === "request") {
      if (direction === "out" && m.method === "SUBSCRIBE") {
        if (p.subscribeOut++ === 0) p.firstSubscribeOutMs = now;
        p.lastSubscribeOutMs = now;
        // An initial SUBSCRIBE has no To tag (RFC 3261 §8.1.1.2); a refresh is sent within the dialog.
        if (!/;\s*tag=/i.test(m.headers.get("to") ?? "")) p.initialSubscribeOut++;
        const b = Math.max(0, Math.floor((now - t0) / 1000));
        while (buckets.length <= b) buckets.push(0);
        buckets[b] = (buckets[b] ?? 0) + 1;
      } else if (direction === "in" && m.method === "NOTIFY") {
        p.notifyIn++;
        p.lastNotifyInMs = now;
      }
      return;
    }
    if (m.status < 200) return;
    const cseq = m.headers.get("cseq") ?? "";
    if (direction === "in" && cseq.endsWith("SUBSCRIBE")) {
      if (m.status < 300) p.subscribe2xx++;
      else failed[m.status] = (failed[m.status] ?? 0) + 1;
    } else if (direction === "out" && cseq.endsWith("NOTIFY") && m.status < 300) p.notify2xxOut++;
  });
  return {
    reset,
    snapshot: () => {
      let end = buckets.length;
      while (end > 0 && buckets[end - 1] === 0) end--;
      const perS = buckets.slice(0, end);
      return { ...p, subscribeFailed: { ...failed }, subscribePerS: perS, peakSubscribePerS: perS.reduce((a, b) => Math.max(a, b), 0) };
    },
  };
}
