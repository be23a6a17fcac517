// A memo for pure functions of one string (address translations per From / Request-URI): traffic
// repeats a few thousand addresses, and each translation (URI parse, IDNA, PRECIS, XEP-0106) costs
// more than the map lookup. Bounded: emptied when full, so hostile variety costs a bounded amount.

export function boundedMemo<T>(fn: (key: string) => T, maxEntries = 4096): (key: string) => T {
  const memo = new Map<string, T>();
  return (key) => {
    let v = memo.get(key);
    if (v === undefined) {
      v = fn(key);
      if (memo.size >= maxEntries) memo.clear();
      memo.set(key, v);
    }
    return v;
  };
}
