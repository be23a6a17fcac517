// RFC 2782 target selection ("Usage rules"): lowest priority first; within one priority, a weighted
// random draw without replacement, weight-0 records placed first in the running sum so they get a
// small but non-zero chance.

export interface SrvRecord {
  readonly name: string;
  readonly port: number;
  readonly priority: number;
  readonly weight: number;
}

/** Records in the order to try them. `random` returns [0, 1) (injectable for tests). */
export function orderSrv(records: readonly SrvRecord[], random: () => number = Math.random): SrvRecord[] {
  // RFC 2782: a single record with target "." means the service is decidedly not available.
  if (records.length === 1 && (records[0]!.name === "." || records[0]!.name === "")) return [];
  const byPriority = new Map<number, SrvRecord[]>();
  for (const r of records) {
    const list = byPriority.get(r.priority);
    if (list) list.push(r); else byPriority.set(r.priority, [r]);
  }
  const out: SrvRecord[] = [];
  for (const priority of [...byPriority.keys()].sort((a, b) => a - b)) {
    const pool = byPriority.get(priority)!.slice().sort((a, b) => a.weight - b.weight);
    while (pool.length > 0) {
      const total = pool.reduce((s, r) => s + r.weight, 0);
      const pick = Math.floor(random() * (total + 1)); // uniform integer in [0, total]
      let sum = 0;
      let idx = pool.length - 1;
      for (let i = 0; i < pool.length; i++) {
        sum += pool[i]!.weight;
        if (sum >= pick) { idx = i; break; }
      }
      out.push(pool[idx]!);
      pool.splice(idx, 1);
    }
  }
  return out;
}
