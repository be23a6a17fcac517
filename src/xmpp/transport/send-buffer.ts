// Bounded FIFO of serialized stanzas held while the component link is offline. Bounded in count and
// in bytes so an XMPP outage costs a known amount of memory; the caller gets a "rejected" result
// (and decides: SIP 503/480, retry later) instead of the process growing until it dies.

export interface BufferLimits {
  readonly maxStanzas: number;
  readonly maxBytes: number;
}

export interface BufferedStanza {
  readonly xml: string;
  readonly bytes: number;
}

export interface SendBuffer {
  readonly size: number;
  readonly bytes: number;
  /** False (and nothing stored) when either limit would be exceeded. */
  push(item: BufferedStanza): boolean;
  /** Puts back stanzas whose socket write failed, ahead of everything queued later (keeps order). */
  requeueFront(items: readonly BufferedStanza[]): void;
  /** Removes and returns up to `maxBytes` of stanzas (at least one if any), oldest first. */
  takeBatch(maxBytes: number): BufferedStanza[];
  clear(): number;
}

export function createSendBuffer(limits: BufferLimits): SendBuffer {
  // Array + head index: push and shift are O(1) amortised; compacted when the dead prefix dominates.
  let items: BufferedStanza[] = [];
  let head = 0;
  let bytes = 0;
  const compact = () => {
    if (head > 1024 && head * 2 > items.length) { items = items.slice(head); head = 0; }
  };
  return {
    get size() { return items.length - head; },
    get bytes() { return bytes; },
    push(item) {
      if (items.length - head >= limits.maxStanzas || bytes + item.bytes > limits.maxBytes) return false;
      items.push(item);
      bytes += item.bytes;
      return true;
    },
    requeueFront(back) {
      // Failed writes are re-queued even past the limits: they were accepted once, dropping them now
      // would break the "buffered means delivered" promise made to the caller.
      items = [...back, ...items.slice(head)];
      head = 0;
      for (const b of back) bytes += b.bytes;
    },
    takeBatch(maxBytes) {
      const out: BufferedStanza[] = [];
      let taken = 0;
      while (head < items.length) {
        const next = items[head]!;
        if (out.length > 0 && taken + next.bytes > maxBytes) break;
        out.push(next);
        taken += next.bytes;
        head++;
      }
      bytes -= taken;
      compact();
      return out;
    },
    clear() {
      const n = items.length - head;
      items = []; head = 0; bytes = 0;
      return n;
    },
  };
}
