// The XMPP end of the IM benchmark: counts the messages one logged-in client receives for the current
// step and computes one-way latency from the send time stamped in the body.
//
// Body format (see stampedBody): "s<step> n<seq> ts=<date>\t<time>\t<epoch.micro> xxxx…". For SIPp the
// stamp is its [timestamp] keyword (gettimeofday when the message is built, just before sendto; the
// stored copy is what a retransmission re-sends, so the stamp is always the first send). The paced
// Prosody baseline writes the same format itself. The receiver reads CLOCK_REALTIME with sub-ms
// precision as performance.now() plus an anchor taken on a Date.now() tick edge (calibrateClock).
import type { Element } from "../../src/xmpp/xml.js";

let anchorMs = performance.timeOrigin;

/** Re-anchors the µs wall clock: spin until Date.now() ticks, so the ms edge is exact (±loop time). */
export function calibrateClock(): void {
  const start = Date.now();
  let now = start;
  let perf = performance.now();
  while (now === start) {
    perf = performance.now();
    now = Date.now();
  }
  anchorMs = now - perf;
}

/** Wall-clock time in ms with µs resolution (the scale of SIPp's [timestamp] epoch field × 1000). */
export function wallMs(): number {
  return anchorMs + performance.now();
}

/** A body of `bytes` bytes (ASCII) carrying step, sequence and a stamp in SIPp's [timestamp] format. */
export function stampedBody(step: number, seq: number | string, stamp: string, bytes: number): string {
  const head = `s${step} n${seq} ts=${stamp} `;
  return head + "x".repeat(Math.max(0, bytes - head.length));
}

/** SIPp's [timestamp] layout for a wall-clock time (only the epoch field is read back). */
export function sippStamp(ms: number): string {
  return `d\tt\t${(ms / 1000).toFixed(6)}`;
}

const BODY = /^s(\d+) n(\d+) ts=[^\t]*\t[^\t]*\t(\d+\.\d+)/;

export interface StepTally {
  readonly expected: number;
  /** Distinct sequence numbers received. */
  readonly delivered: number;
  /** Distinct ones received no later than `deadlineMs` (wall clock). */
  readonly deliveredBy: (deadlineMs: number) => number;
  readonly duplicates: number;
  /** Messages of other steps, or unreadable bodies. */
  readonly strays: number;
  readonly firstStampMs: number;
  readonly lastStampMs: number;
  readonly lastReceiveMs: number;
  /** Sorted one-way latencies in ms. */
  latencies(): Float64Array;
}

export interface ImReceiver {
  /** Starts counting step `step`, whose sequence numbers run 1..expected. */
  begin(step: number, expected: number): void;
  readonly received: number;
  tally(): StepTally;
  /** The first matching stanza of the current step, serialized (to size the ceiling run's stanzas). */
  readonly sample: string | undefined;
}

export function createImReceiver(onStanza: (listener: (el: Element) => void) => void): ImReceiver {
  let step = -1;
  let expected = 0;
  let seen = new Uint8Array(1);
  let recvAt = new Float64Array(1);
  let latency = new Float64Array(1);
  let received = 0;
  let duplicates = 0;
  let strays = 0;
  let firstStamp = Infinity;
  let lastStamp = 0;
  let lastRecv = 0;
  let sample: string | undefined;

  onStanza((el) => {
    if (el.name !== "message" || step < 0) return;
    const now = wallMs();
    const body = el.getChildText("body");
    const m = body ? BODY.exec(body) : null;
    if (!m || Number(m[1]) !== step) {
      if (el.attrs.type !== "error") strays++;
      return;
    }
    const seq = Number(m[2]);
    if (seq < 1 || seq > expected) { strays++; return; }
    if (seen[seq] !== 0) { duplicates++; return; }
    seen[seq] = 1;
    const stamp = Number(m[3]) * 1000;
    latency[received++] = now - stamp;
    recvAt[seq] = now;
    if (stamp < firstStamp) firstStamp = stamp;
    if (stamp > lastStamp) lastStamp = stamp;
    lastRecv = now;
    sample ??= el.toString();
  });

  return {
    begin(s, n) {
      step = s;
      expected = n;
      seen = new Uint8Array(n + 1);
      recvAt = new Float64Array(n + 1);
      latency = new Float64Array(n);
      received = duplicates = strays = 0;
      firstStamp = Infinity;
      lastStamp = lastRecv = 0;
      sample = undefined;
    },
    get received() { return received; },
    get sample() { return sample; },
    tally() {
      const at = recvAt;
      return {
        expected, delivered: received, duplicates, strays,
        firstStampMs: firstStamp, lastStampMs: lastStamp, lastReceiveMs: lastRecv,
        deliveredBy(deadline) {
          let n = 0;
          for (let i = 1; i < at.length; i++) if (at[i]! > 0 && at[i]! <= deadline) n++;
          return n;
        },
        latencies: () => latency.slice(0, received).sort(),
      };
    },
  };
}

export function percentile(sorted: Float64Array, p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}
