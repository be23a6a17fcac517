// A memo for pure functions of one string (address translations per From / Request-URI): traffic
// repeats a few thousand addresses, and each translation (URI parse, IDNA, PRECIS, XEP-0106) costs
// more than the map lookup. Bounded: emptied when full, so hostile variety costs a bounded amount.
// Bounded in bytes too: the keys are attacker-controlled header text (a From of 60 KB fits a SIP
// message), and the results repeat the key (JIDs, error details), so 4096 such entries held ~250 MB.
// Real addresses are far shorter than MAX_KEY_LENGTH; longer ones are computed and not kept.

const MAX_KEY_LENGTH = 512;

export function boundedMemo<T>(fn: (key: string) => T, maxEntries = 4096, maxKeyLength = MAX_KEY_LENGTH): (key: string) => T {
  const memo = new Map<string, T>();
  return (key) => {
    if (key.length > maxKeyLength) return fn(key);
    let v = memo.get(key);
    if (v === undefined) {
      v = fn(key);
      if (memo.size >= maxEntries) memo.clear();
      memo.set(key, v);
    }
    return v;
  };
}
