// Reconnect delays: exponential backoff with "full jitter" (delay = random(0, min(max, min·2^n))).
// Full jitter spreads a fleet of gateways that lost the same server over the whole window, so a
// restarted Prosody is not hit by every component at the same instant (xmpp.js retries every 1 s).

export interface BackoffPolicy {
  readonly minMs: number;
  readonly maxMs: number;
}

/** Delay before retry number `attempt` (0 = first retry). `random` returns [0, 1). */
export function backoffDelayMs(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  // 2^attempt overflows to Infinity past ~1024; cap the exponent long before that.
  const ceiling = Math.min(policy.maxMs, policy.minMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}
