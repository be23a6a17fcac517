// Per-source-IP token bucket for requests (responses are never limited: they finish work we started).
// The first refusal of a burst is answered 503 + Retry-After (RFC 3261 §21.5.4); later ones in the same
// burst are dropped silently so an attacker cannot turn us into a reflector.
import type { SipRateLimit } from "./types.js";

export type RateDecision = "accept" | "reject-503" | "drop";

export interface RateLimiter {
  check(ip: string): RateDecision;
  /** Entries currently tracked (idle, full buckets are swept). */
  size(): number;
}

interface Bucket {
  tokens: number;
  at: number;
  /** A 503 was sent since the bucket last had a token. */
  refused: boolean;
}

export function createRateLimiter(cfg: SipRateLimit, now: () => number = Date.now): RateLimiter {
  const buckets = new Map<string, Bucket>();
  const perMs = cfg.ratePerSecond / 1000;
  const fullAfterMs = cfg.burst / perMs;
  let lastSweep = now();

  function sweep(t: number): void {
    // Amortised: at most once per refill period, drop buckets that would be full again.
    if (t - lastSweep < fullAfterMs) return;
    lastSweep = t;
    for (const [ip, b] of buckets) if (t - b.at >= fullAfterMs) buckets.delete(ip);
  }

  return {
    check(ip) {
      const t = now();
      sweep(t);
      let b = buckets.get(ip);
      if (b === undefined) {
        b = { tokens: cfg.burst, at: t, refused: false };
        buckets.set(ip, b);
      } else {
        b.tokens = Math.min(cfg.burst, b.tokens + (t - b.at) * perMs);
        b.at = t;
      }
      if (b.tokens >= 1) {
        b.tokens -= 1;
        b.refused = false;
        return "accept";
      }
      if (b.refused) return "drop";
      b.refused = true;
      return "reject-503";
    },
    size: () => buckets.size,
  };
}
