// Graceful stop in a fixed order, each phase logged with its duration; a failing phase is logged and
// the next still runs (a stuck XMPP server must not keep the HTTP port or the lease).
//   1. not ready      /readyz 503: the orchestrator stops routing new work here
//   2. refuse new     new SIP requests get 503 + Retry-After for `refuseWindowMs` while in-flight
//                     transactions (MESSAGEs waiting for their XMPP outcome) finish
//   3. close SIP      subscriptions: final NOTIFYs (memory store) or left to a peer replica (Redis
//                     store); then the stack waits for what is still pending and closes its sockets
//   4. stop XMPP      buffered stanzas are flushed, the stream is closed
//   5. release link   the lease goes at once so a standby replica connects without waiting the TTL
//   6. close store, close HTTP
import type { Logger } from "pino";

export interface ShutdownPhase {
  readonly name: string;
  readonly run: () => void | Promise<void>;
}

export interface ShutdownPlan {
  readonly notReady: () => void;
  readonly refuseNew: () => void;
  /** How long new requests are refused before the SIP sockets close (in-flight ones keep going). */
  readonly refuseWindowMs: number;
  /** True when no SIP work is in flight (logged when the window ends). */
  readonly idle: () => boolean;
  readonly closeSip: () => Promise<void>;
  readonly stopXmpp: () => Promise<void>;
  readonly releaseLink: () => Promise<void>;
  readonly closeStore: () => Promise<void>;
  readonly closeHttp: () => Promise<void>;
}

export async function runPhases(phases: readonly ShutdownPhase[], logger: Logger): Promise<void> {
  for (const p of phases) {
    const started = Date.now();
    try {
      await p.run();
      logger.info({ phase: p.name, ms: Date.now() - started }, "shutdown phase done");
    } catch (err) {
      logger.error({ err, phase: p.name, ms: Date.now() - started }, "shutdown phase failed");
    }
  }
}

export async function shutDown(plan: ShutdownPlan, logger: Logger): Promise<void> {
  await runPhases([
    { name: "not-ready", run: plan.notReady },
    { name: "refuse-new", run: async () => {
      plan.refuseNew();
      // The whole window is kept even when idle: requests still arriving from peers that have not
      // noticed the readiness change get a 503 (they retry elsewhere) instead of silence.
      const until = Date.now() + plan.refuseWindowMs;
      while (Date.now() < until) await new Promise((r) => setTimeout(r, Math.min(50, until - Date.now())));
      if (!plan.idle()) logger.warn("refuse window over with SIP work still in flight; the SIP close deadline bounds it");
    } },
    { name: "close-sip", run: plan.closeSip },
    { name: "stop-xmpp", run: plan.stopXmpp },
    { name: "release-link", run: plan.releaseLink },
    { name: "close-store", run: plan.closeStore },
    { name: "close-http", run: plan.closeHttp },
  ], logger);
}
