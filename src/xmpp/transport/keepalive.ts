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
      if (outcome === "dead" && !stopped) {
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
