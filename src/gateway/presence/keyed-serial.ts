// Runs async work one at a time per key: two stanzas about one subscription pair (a SUBSCRIBE and the
// XMPP user's approval, say) must not read the store, decide and write concurrently.
export type KeyedSerial = <T>(key: string, work: () => Promise<T>) => Promise<T>;

export function createKeyedSerial(): KeyedSerial {
  const tails = new Map<string, Promise<unknown>>();
  return (key, work) => {
    const prev = tails.get(key) ?? Promise.resolve();
    const run = prev.then(work, work);
    const tail = run.catch(() => undefined);
    tails.set(key, tail);
    // Forget the key once nothing is queued behind this run, so the map holds only busy keys.
    void tail.then(() => { if (tails.get(key) === tail) tails.delete(key); });
    return run;
  };
}
