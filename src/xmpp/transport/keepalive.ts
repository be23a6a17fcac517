// XEP-0199 liveness: xmpp.js has no keepalive, so a frozen server (or a half-open TCP path) would go
// unnoticed forever. Every interval one ping is in flight at most; any reply, result or error, proves
// the stream works (XEP-0199 §3: the pinged entity answers result or an IQ error); no reply within the
// timeout declares the link dead.

export type PingOutcome = "alive" | "dead";

export interface KeepaliveOptions {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** Sends one ping and settles with its outcome; must settle within `timeoutMs` (+ scheduling slack). */
  readonly ping: (timeoutMs: number) => Promise<PingOutcome>;
  readonly onDead: () => void;
  /**
   * When the server last sent us anything. A ping unanswered while stanzas keep arriving means a busy
   * server working through a burst (its answer is queued behind them), not a dead one: closing that
   * link would lose the stanzas in flight and force a full re-announce.
   */
  readonly lastInboundAt?: () => number;
  readonly now?: () => number;
}

export interface Keepalive {
  stop(): void;
}

export function startKeepalive(opts: KeepaliveOptions): Keepalive {
  let stopped = false;
  let inFlight = false;
  const tick = async () => {
    if (stopped || inFlight) return;
    inFlight = true;
    try {
      const outcome = await opts.ping(opts.timeoutMs);
      const now = opts.now ?? Date.now;
      const busy = opts.lastInboundAt !== undefined && now() - opts.lastInboundAt() < opts.timeoutMs;
      if (outcome === "dead" && !stopped && !busy) {
        stopped = true;
        clearInterval(timer);
        opts.onDead();
      }
    } finally {
      inFlight = false;
    }
  };
  const timer = setInterval(() => { void tick(); }, opts.intervalMs);
  timer.unref();
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
