// Counts what crosses the gateway's SIP wire during a benchmark phase (stack.observe: "in" once parsed,
// peer retransmissions included; "out" once written, the gateway's own retransmissions excluded).
// NOTIFY answers are counted once per (Call-ID, CSeq): a 200 that SIPp re-sends for a retransmitted
// NOTIFY is a duplicate, not a second delivery. Times are wall-clock ms (wallMs, µs resolution) so
// that they compare with SIPp's [timestamp].
import type { SipMessage } from "../../src/sip/message/types.js";
import type { SipStack } from "../../src/sip/stack.js";
import { wallMs } from "./im-receiver.js";

export interface WirePhase {
  readonly subscribeIn: number;
  /** Final answers the gateway sent to SUBSCRIBEs, by class. */
  readonly subscribe2xx: number;
  readonly subscribeRefused: number;
  readonly notifyOut: number;
  /** Distinct NOTIFY transactions answered 2xx, and answered otherwise. */
  readonly notify2xx: number;
  readonly notifyFailed: number;
  readonly duplicateAnswers: number;
  readonly firstSubscribeInMs: number;
  readonly firstNotifyOutMs: number;
  readonly lastNotifyOutMs: number;
  readonly lastNotify2xxMs: number;
  readonly last2xxToSubscribeMs: number;
}

export interface WireTally {
  /** Starts a new phase: counters to zero. */
  reset(): void;
  snapshot(): WirePhase;
}

export function tallySipWire(stack: SipStack): WireTally {
  if (stack.observe === undefined) throw new Error("this SIP stack cannot be observed");
  let p: { -readonly [K in keyof WirePhase]: WirePhase[K] };
  let answered = new Set<string>();
  const reset = () => {
    answered = new Set();
    p = {
      subscribeIn: 0, subscribe2xx: 0, subscribeRefused: 0, notifyOut: 0, notify2xx: 0, notifyFailed: 0, duplicateAnswers: 0,
      firstSubscribeInMs: 0, firstNotifyOutMs: 0, lastNotifyOutMs: 0, lastNotify2xxMs: 0, last2xxToSubscribeMs: 0,
    };
  };
  reset();
  stack.observe((direction, m: SipMessage) => {
    const now = wallMs();
    if (m.kind === "request") {
      if (direction === "in" && m.method === "SUBSCRIBE") {
        if (p.subscribeIn++ === 0) p.firstSubscribeInMs = now;
      } else if (direction === "out" && m.method === "NOTIFY") {
        if (p.notifyOut++ === 0) p.firstNotifyOutMs = now;
        p.lastNotifyOutMs = now;
      }
      return;
    }
    if (m.status < 200) return;
    const cseq = m.headers.get("cseq") ?? "";
    if (direction === "out" && cseq.endsWith("SUBSCRIBE")) {
      if (m.status < 300) { p.subscribe2xx++; p.last2xxToSubscribeMs = now; } else p.subscribeRefused++;
    } else if (direction === "in" && cseq.endsWith("NOTIFY")) {
      // A flat copy: the header values are slices, and a key built from them pins the whole received
      // 200 (~300 B per NOTIFY answered), which the subscriptions bench would count as gateway heap.
      const key = Buffer.from(`${m.headers.get("call-id") ?? ""}\u0000${cseq}`, "utf8").toString("utf8");
      if (answered.has(key)) { p.duplicateAnswers++; return; }
      answered.add(key);
      if (m.status < 300) { p.notify2xx++; p.lastNotify2xxMs = now; } else p.notifyFailed++;
    }
  });
  return { reset, snapshot: () => ({ ...p }) };
}
