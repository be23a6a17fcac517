// One timer for many deadlines: an indexed binary min-heap of items ordered by `expiresAt`, driven by a
// single (unref'd) timer armed for the earliest one. Replaces one `setTimeout` per subscription (≈ 120 B
// of `Timeout` each, plus its closure): the heap costs one array slot per item. The item carries its own
// heap position, so a refresh re-positions it in O(log n) with no stale entries left behind.

/** What the queue orders; `expiryIndex` belongs to the queue (-1 while not queued). */
export interface ExpiryItem {
  readonly expiresAt: number;
  expiryIndex: number;
}

export interface ExpiryQueue<T extends ExpiryItem> {
  /** Queues the item, or re-positions it after its `expiresAt` changed. */
  schedule(item: T): void;
  /** Removes the item if it is queued (no-op otherwise). */
  cancel(item: T): void;
  /** Removes every item and stops the timer. */
  clear(): void;
  readonly size: number;
}

/** Node's setTimeout overflows above 2^31-1 ms (it then fires after 1 ms): wait in steps instead. */
const MAX_DELAY = 2_147_483_647;

export function createExpiryQueue<T extends ExpiryItem>(onExpire: (item: T) => void, now: () => number = Date.now): ExpiryQueue<T> {
  const heap: T[] = [];
  let timer: NodeJS.Timeout | undefined;
  let armedFor = Infinity;

  const place = (item: T, i: number): void => { heap[i] = item; item.expiryIndex = i; };
  const up = (i: number): void => {
    const item = heap[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (p.expiresAt <= item.expiresAt) break;
      place(p, i);
      i = parent;
    }
    place(item, i);
  };
  const down = (i: number): void => {
    const item = heap[i]!;
    const n = heap.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && heap[r]!.expiresAt < heap[l]!.expiresAt ? r : l;
      const child = heap[c]!;
      if (child.expiresAt >= item.expiresAt) break;
      place(child, i);
      i = c;
    }
    place(item, i);
  };
  const removeAt = (i: number): void => {
    const item = heap[i]!;
    const last = heap.pop()!;
    item.expiryIndex = -1;
    if (last === item) return;
    place(last, i);
    up(i);
    down(last.expiryIndex);
  };

  // The timer only moves earlier on schedule(); a later head (after a cancel or a refresh) just lets it
  // fire early, find nothing due and re-arm: fewer clearTimeout/setTimeout pairs on the refresh path.
  const arm = (): void => {
    const head = heap[0];
    if (head === undefined) {
      if (timer) clearTimeout(timer);
      timer = undefined;
      armedFor = Infinity;
      return;
    }
    if (timer && armedFor <= head.expiresAt) return;
    if (timer) clearTimeout(timer);
    armedFor = head.expiresAt;
    timer = setTimeout(fire, Math.min(MAX_DELAY, Math.max(0, head.expiresAt - now())));
    timer.unref?.();
  };
  const fire = (): void => {
    timer = undefined;
    armedFor = Infinity;
    const t = now();
    // onExpire may cancel or schedule other items: re-read the head each round.
    for (let head = heap[0]; head !== undefined && head.expiresAt <= t; head = heap[0]) {
      removeAt(0);
      onExpire(head);
    }
    arm();
  };

  return {
    schedule(item) {
      const i = item.expiryIndex;
      if (i >= 0 && heap[i] === item) {
        up(i);
        down(item.expiryIndex);
      } else {
        heap.push(item);
        up(heap.length - 1);
      }
      arm();
    },
    cancel(item) {
      const i = item.expiryIndex;
      if (i < 0 || heap[i] !== item) return;
      removeAt(i);
      if (heap.length === 0) arm();
    },
    clear() {
      for (const item of heap) item.expiryIndex = -1;
      heap.length = 0;
      arm();
    },
    get size() { return heap.length; },
  };
}
