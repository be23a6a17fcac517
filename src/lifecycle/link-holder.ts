// One XMPP link per component domain across replicas. The XMPP server accepts one component
// connection per domain (Prosody `component_conflict_resolve`, default kick_new: the second is
// refused with <conflict/>), so replicas sharing a Redis store elect a link holder with a store lease:
// the holder renews every ttl/3; the others try to acquire every ttl/3 and take over once the lease
// expires (a crashed holder stops renewing). Failover therefore takes at most ttl + one tick + the
// component handshake.
//
// Fencing: a renewal that returns false (someone else owns the lease) means this process must give
// the link up (`onLost`). A renewal that fails because the store is unreachable does not: nobody can
// acquire without the store, and if a partition lets another replica acquire, the XMPP server's
// kick_new policy refuses the second link until the first is gone — the server is the final fence.
import type { Logger } from "pino";
import type { Store } from "../store/store.js";

export interface LinkHolderOptions {
  readonly store: Pick<Store, "acquireLease" | "renewLease" | "releaseLease">;
  /** Lease name, shared by every replica serving the same component domains. */
  readonly name: string;
  /** Unique per process (host, pid, random). */
  readonly owner: string;
  readonly ttlMs: number;
  /** Became the holder: connect the component links. */
  readonly onAcquired: () => void;
  /** Another replica owns the lease now: this process must drop its links. */
  readonly onLost: () => void;
  readonly logger: Logger;
}

export interface LinkHolder {
  readonly holding: boolean;
  /** Tries at once, then every ttl/3. */
  start(): Promise<void>;
  /** Stops ticking and releases the lease if held, so a peer takes over without waiting for the TTL. */
  stop(): Promise<void>;
}

export function linkLeaseName(componentDomains: readonly string[]): string {
  return `xmpp-link:${[...componentDomains].map((d) => d.toLowerCase()).sort().join(",")}`;
}

export function createLinkHolder(opts: LinkHolderOptions): LinkHolder {
  const log = opts.logger.child({ module: "link-holder", lease: opts.name });
  const tickMs = Math.max(50, Math.floor(opts.ttlMs / 3));
  let holding = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const tick = async (): Promise<void> => {
    try {
      if (holding) {
        // A lease that vanished (Redis restarted without persistence, or expired during a long pause)
        // is re-acquired; only one owned by another replica means we lost.
        const kept = (await opts.store.renewLease(opts.name, opts.owner, opts.ttlMs))
          || (await opts.store.acquireLease(opts.name, opts.owner, opts.ttlMs));
        if (!kept) {
          holding = false;
          log.error("lease taken by another replica: giving up the XMPP link");
          opts.onLost();
        }
      } else if (await opts.store.acquireLease(opts.name, opts.owner, opts.ttlMs)) {
        if (stopped) {
          await opts.store.releaseLease(opts.name, opts.owner);
          return;
        }
        holding = true;
        log.info("lease acquired: this replica holds the XMPP link");
        opts.onAcquired();
      }
    } catch (err) {
      // Store unreachable: keep the current role (see the header comment) and try again next tick.
      log.warn({ err, holding }, "link lease check failed");
    }
  };

  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().finally(schedule);
    }, tickMs);
  };

  return {
    get holding() { return holding; },
    async start() {
      running = tick();
      await running;
      schedule();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      if (!holding) return;
      holding = false;
      await opts.store.releaseLease(opts.name, opts.owner).catch((err: unknown) => log.warn({ err }, "lease release failed; it expires by itself"));
    },
  };
}
