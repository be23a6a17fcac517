// Diff of two V8 heap snapshots (bench/presence-subscriptions.ts --heap-snapshot DIR writes a before and
// an after), per N units of work (e.g. subscriptions): what each unit keeps, grouped by node type and
// name (plain objects by their property names), and, for the nodes new in `after`, by their first
// retainer two levels up (which object and field holds them). Not part of the test suite. Run:
//   node --max-old-space-size=6000 --import ./scripts/ts-register.mjs bench/heap-diff.ts BEFORE AFTER N [--top 40]
import { readFileSync } from "node:fs";

interface Snapshot {
  readonly snapshot: { readonly meta: { readonly node_fields: string[]; readonly node_types: [string[]]; readonly edge_fields: string[]; readonly edge_types: [string[]] } };
  readonly nodes: number[];
  readonly edges: number[];
  readonly strings: string[];
}

const STRINGS = new Set(["string", "concatenated string", "sliced string"]);

function open(path: string) {
  const s = JSON.parse(readFileSync(path, "utf8")) as Snapshot;
  const m = s.snapshot.meta;
  const nf = m.node_fields.length, ef = m.edge_fields.length;
  const f = (name: string) => m.node_fields.indexOf(name);
  const e = (name: string) => m.edge_fields.indexOf(name);
  return {
    s, nf, ef, types: m.node_types[0], etypes: m.edge_types[0],
    iType: f("type"), iName: f("name"), iSize: f("self_size"), iEdges: f("edge_count"), iId: f("id"),
    eType: e("type"), eName: e("name_or_index"), eTo: e("to_node"),
  };
}
type Opened = ReturnType<typeof open>;

/** Type + name per node; plain objects get their property names (their shape). */
function labels(h: Opened): string[] {
  const { s, nf, ef } = h;
  const out: string[] = [];
  let edge = 0;
  for (let i = 0; i < s.nodes.length; i += nf) {
    const type = h.types[s.nodes[i + h.iType]!]!;
    let name = s.strings[s.nodes[i + h.iName]!]!;
    const count = s.nodes[i + h.iEdges]!;
    if (STRINGS.has(type)) name = "";
    else if (type === "object" && (name === "Object" || name === "")) {
      const props: string[] = [];
      for (let k = 0; k < count; k++) {
        if (h.etypes[s.edges[edge + k * ef + h.eType]!] === "property") props.push(s.strings[s.edges[edge + k * ef + h.eName]!]!);
      }
      name = `${name}{${props.slice(0, 12).join(",")}}`;
    } else name = name.slice(0, 60);
    out.push(`${type}\t${name}`);
    edge += count * ef;
  }
  return out;
}

function main(): void {
  const [beforePath, afterPath, unitsText] = process.argv.slice(2);
  if (!beforePath || !afterPath || !unitsText) throw new Error("usage: heap-diff.ts BEFORE AFTER N [--top 40]");
  const units = Number(unitsText);
  const topAt = process.argv.indexOf("--top");
  const top = topAt >= 0 ? Number(process.argv[topAt + 1]) : 40;
  const a = open(beforePath);
  const before = new Map<string, { n: number; size: number }>();
  const idsBefore = new Set<number>();
  labels(a).forEach((l, i) => {
    const g = before.get(l) ?? { n: 0, size: 0 };
    g.n++; g.size += a.s.nodes[i * a.nf + a.iSize]!;
    before.set(l, g);
    idsBefore.add(a.s.nodes[i * a.nf + a.iId]!);
  });
  const b = open(afterPath);
  const lb = labels(b);
  const after = new Map<string, { n: number; size: number }>();
  lb.forEach((l, i) => {
    const g = after.get(l) ?? { n: 0, size: 0 };
    g.n++; g.size += b.s.nodes[i * b.nf + b.iSize]!;
    after.set(l, g);
  });
  const rows: Array<{ key: string; dn: number; ds: number }> = [];
  for (const [key, g] of after) { const o = before.get(key) ?? { n: 0, size: 0 }; rows.push({ key, dn: g.n - o.n, ds: g.size - o.size }); }
  for (const [key, o] of before) if (!after.has(key)) rows.push({ key, dn: -o.n, ds: -o.size });
  rows.sort((x, y) => y.ds - x.ds);
  const total = rows.reduce((t, r) => t + r.ds, 0);
  console.log(`total ${total} B, per unit ${(total / units).toFixed(1)} B`);
  const byType = new Map<string, number>();
  for (const r of rows) { const t = r.key.split("\t")[0]!; byType.set(t, (byType.get(t) ?? 0) + r.ds); }
  for (const [t, size] of [...byType].sort((x, y) => y[1] - x[1])) console.log(`  ${t}: ${(size / units).toFixed(1)} B/unit`);
  console.log("\n# by type and name: count per unit, bytes per unit");
  for (const r of rows.slice(0, top)) console.log(`${(r.dn / units).toFixed(2)}\t${(r.ds / units).toFixed(1)}\t${r.key}`);

  // First (strong) retainer of every node of `after`, for the new nodes' attribution.
  const count = b.s.nodes.length / b.nf;
  const retainer = new Int32Array(count).fill(-1);
  const via: string[] = new Array<string>(count);
  let edge = 0;
  for (let n = 0; n < count; n++) {
    const edges = b.s.nodes[n * b.nf + b.iEdges]!;
    for (let k = 0; k < edges; k++) {
      const at = edge + k * b.ef;
      const et = b.etypes[b.s.edges[at + b.eType]!]!;
      if (et === "weak" || et === "shortcut") continue;
      const to = b.s.edges[at + b.eTo]! / b.nf;
      if (retainer[to] !== -1) continue;
      retainer[to] = n;
      via[to] = et === "element" || et === "hidden" ? `[${et}]` : String(b.s.strings[b.s.edges[at + b.eName]!] ?? b.s.edges[at + b.eName]);
    }
    edge += edges * b.ef;
  }
  const short = (n: number) => lb[n]!.replace("\t", ":").slice(0, 70);
  const held = new Map<string, { n: number; size: number }>();
  for (let n = 0; n < count; n++) {
    if (idsBefore.has(b.s.nodes[n * b.nf + b.iId]!)) continue;
    const r = retainer[n]!;
    let path = r === -1 ? "-" : `${short(r)}.${via[n]}`;
    const rr = r === -1 ? -1 : retainer[r]!;
    if (rr !== -1) path = `${short(rr)}.${via[r]} > ${path}`;
    const key = `${short(n)}  <=  ${path}`;
    const g = held.get(key) ?? { n: 0, size: 0 };
    g.n++; g.size += b.s.nodes[n * b.nf + b.iSize]!;
    held.set(key, g);
  }
  console.log("\n# new nodes by retainer: count per unit, bytes per unit");
  for (const [key, g] of [...held].sort((x, y) => y[1].size - x[1].size).slice(0, top)) {
    console.log(`${(g.n / units).toFixed(2)}\t${(g.size / units).toFixed(1)}\t${key}`);
  }
}

main();
