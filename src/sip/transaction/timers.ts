// Every RFC 3261 §17 / RFC 6026 timer value in one place, and the only scheduler the transaction
// layer uses (plain setTimeout, so jest fake timers drive every state machine in tests).

export interface SipTimerConfig {
  /** RTT estimate, default 500 ms (RFC 3261 §17.1.1.1). */
  readonly t1?: number;
  /** Maximum retransmit interval for non-INVITE requests and INVITE responses, default 4 s. */
  readonly t2?: number;
  /** Maximum duration a message remains in the network, default 5 s. */
  readonly t4?: number;
}

export interface TimerValues {
  readonly t1: number;
  readonly t2: number;
  readonly t4: number;
  /** 64·T1: Timers B, F, H, J (UDP), L, M (RFC 3261 Table 4, RFC 6026 §8.4/§8.7). */
  readonly t64: number;
  /** Timer D: > 32 s for unreliable transports (RFC 3261 §17.1.1.2). */
  readonly d: number;
}

export function timerValues(cfg: SipTimerConfig = {}): TimerValues {
  const t1 = cfg.t1 ?? 500;
  return { t1, t2: cfg.t2 ?? 4000, t4: cfg.t4 ?? 5000, t64: 64 * t1, d: Math.max(32_000, 64 * t1) };
}

export type TimerHandle = ReturnType<typeof setTimeout>;

/** Schedules fn; timers never keep the process alive on their own (close() drains instead). */
export function startTimer(ms: number, fn: () => void): TimerHandle {
  const h = setTimeout(fn, ms);
  h.unref?.();
  return h;
}

export function stopTimer(h: TimerHandle | undefined): void {
  if (h !== undefined) clearTimeout(h);
}

/** Next retransmit interval: doubling, capped at `cap` (Timer E/G use T2; Timer A is uncapped). */
export function backoff(current: number, cap: number = Number.POSITIVE_INFINITY): number {
  return Math.min(current * 2, cap);
}

export interface ExpiryQueue<K> {
  /** Schedules `key` to expire `ms` from now (all entries share one duration, so FIFO order is expiry order). */
  add(key: K): void;
  size(): number;
  clear(): void;
}

/**
 * Many same-length timers on one setTimeout: a FIFO of (key, due) with a single armed timer for the
 * head. Used for Timer J, which holds every UDP non-INVITE server transaction for 64·T1 — at
 * thousands of requests per second, one timer object per transaction is measurable memory.
 */
export function createExpiryQueue<K>(ms: number, onExpire: (key: K) => void): ExpiryQueue<K> {
  let keys: K[] = [];
  let due: number[] = [];
  let head = 0;
  let armed: TimerHandle | undefined;

  function arm(): void {
    if (armed !== undefined || head >= keys.length) return;
    armed = startTimer(Math.max(0, due[head]! - Date.now()), fire);
  }

  function fire(): void {
    armed = undefined;
    const now = Date.now();
    while (head < keys.length && due[head]! <= now) {
      const k = keys[head]!;
      head += 1;
      onExpire(k);
    }
    // Compact once the consumed prefix dominates: amortised O(1) per entry.
    if (head > 1024 && head * 2 > keys.length) {
      keys = keys.slice(head);
      due = due.slice(head);
      head = 0;
    }
    arm();
  }

  return {
    add(key) {
      keys.push(key);
      due.push(Date.now() + ms);
      arm();
    },
    size: () => keys.length - head,
    clear() {
      stopTimer(armed);
      armed = undefined;
      keys = [];
      due = [];
      head = 0;
    },
  };
}
