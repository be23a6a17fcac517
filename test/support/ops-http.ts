// The gateway's operations endpoints as a monitoring system sees them: /metrics parsed from the
// Prometheus text exposition format, /readyz and /healthz as status + JSON.
export type Samples = ReadonlyMap<string, number>;

/** `name{a="x",b="y"}` with labels sorted, so lookups do not depend on exposition order. */
export function sampleKey(name: string, labels: Readonly<Record<string, string>> = {}): string {
  const parts = Object.keys(labels).sort().map((k) => `${k}="${labels[k]}"`);
  return parts.length === 0 ? name : `${name}{${parts.join(",")}}`;
}

/** Parses text format 0.0.4 sample lines (label values here never contain `"` or `,`). */
export function parseExposition(text: string): Samples {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line.length === 0 || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!m) throw new Error(`unparsable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (m[2] ?? "").split(",").filter((p) => p.length > 0)) {
      const eq = pair.indexOf("=");
      labels[pair.slice(0, eq)] = pair.slice(eq + 2, -1);
    }
    out.set(sampleKey(m[1]!, labels), Number(m[3]));
  }
  return out;
}

export async function scrape(port: number): Promise<Samples> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  return parseExposition(await res.text());
}

/** Value of one series (0 when absent: a counter that never moved has no series yet). */
export function valueOf(s: Samples, name: string, labels: Readonly<Record<string, string>> = {}): number {
  return s.get(sampleKey(name, labels)) ?? 0;
}

/** Sum over every series of `name` (all label values). */
export function sumOf(s: Samples, name: string): number {
  let total = 0;
  for (const [k, v] of s) if (k === name || k.startsWith(`${name}{`)) total += v;
  return total;
}

export interface Probe {
  readonly status: number;
  readonly body: { readonly ready?: boolean; readonly draining?: boolean; readonly checks?: Readonly<Record<string, string>> };
}

export async function probe(port: number, path: "/readyz" | "/healthz"): Promise<Probe> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: (await res.json()) as Probe["body"] };
}
