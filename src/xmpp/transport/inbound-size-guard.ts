// ltx has no size limit of its own: a peer could stream one endless stanza into memory. This guard
// counts the bytes read since the last complete element; the check runs after the chunk was parsed
// (microtask), so a chunk carrying many complete stanzas never trips it. The bound is therefore
// "maxBytes plus at most one read", which is what a stream-level limit needs.

export interface InboundSizeGuard {
  onChunk(chunk: string): void;
  onElement(): void;
  reset(): void;
}

export function createInboundSizeGuard(maxBytes: number, onExceeded: () => void): InboundSizeGuard {
  let sinceElement = 0;
  let tripped = false;
  return {
    onChunk(chunk) {
      // UTF-16 length ≤ UTF-8 bytes ≤ 3 × length: skip the exact count while far from the limit.
      sinceElement += chunk.length * 3 < maxBytes - sinceElement ? chunk.length : Buffer.byteLength(chunk, "utf8");
      queueMicrotask(() => {
        if (!tripped && sinceElement > maxBytes) {
          tripped = true;
          onExceeded();
        }
      });
    },
    onElement() {
      sinceElement = 0;
    },
    reset() {
      sinceElement = 0;
      tripped = false;
    },
  };
}
