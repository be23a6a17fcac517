// Rate control for NOTIFYs of one presentity. RFC 3856 §6.10 (recalled): a PA SHOULD NOT notify
// about a single presentity more than once every 5 s. The first change after a quiet period goes out
// at once; later ones inside the interval collapse into one flush at its end, which reads the latest
// state (the flush callback takes only the key, so intermediate states are never sent).

export interface NotifyCoalescer {
  /** Something changed for `key`: flush now, or once when the interval since the last flush ends. */
  touch(key: string): void;
  /** Keys with a flush scheduled. */
  readonly pending: number;
  /** Cancels scheduled flushes (shutdown). */
  clear(): void;
}

export interface NotifyCoalescerOptions {
  readonly minIntervalMs: number;
  readonly flush: (key: string) => void;
  readonly now?: () => number;
}

export function createNotifyCoalescer(opts: NotifyCoalescerOptions): NotifyCoalescer {
  const now = opts.now ?? Date.now;
  const lastFlush = new Map<string, number>();
  const scheduled = new Map<string, NodeJS.Timeout>();

  const run = (key: string) => {
    scheduled.delete(key);
    lastFlush.set(key, now());
    opts.flush(key);
  };
  // Entries older than the interval carry no information; drop them so the map tracks only busy keys.
  const prune = () => {
    if (lastFlush.size < 1024) return;
    const cutoff = now() - opts.minIntervalMs;
    for (const [k, t] of lastFlush) if (t <= cutoff && !scheduled.has(k)) lastFlush.delete(k);
  };

  return {
    touch(key) {
      if (scheduled.has(key)) return;
      const last = lastFlush.get(key);
      const wait = last === undefined ? 0 : last + opts.minIntervalMs - now();
      if (wait <= 0) {
        prune();
        run(key);
        return;
      }
      const t = setTimeout(() => run(key), wait);
      t.unref?.();
      scheduled.set(key, t);
    },
    get pending() { return scheduled.size; },
    clear() {
      for (const t of scheduled.values()) clearTimeout(t);
      scheduled.clear();
    },
  };
}
