// DNS cannot run here (no network, no zone to query): these tests inject a fake resolver holding
// NAPTR/SRV/A/AAAA records, which is exactly the seam createSipResolver exposes for node:dns.
import { describe, it, expect } from "@jest/globals";
import { createSipResolver, type DnsLookup } from "../../../../src/sip/resolve/rfc3263.js";
import { orderSrv } from "../../../../src/sip/resolve/srv-order.js";
import type { SipUri } from "../../../../src/sip/message/types.js";

const uri = (scheme: string, host: string, port?: number, params: Record<string, string | null> = {}): SipUri =>
  ({ scheme, host, ...(port !== undefined ? { port } : {}), params: new Map(Object.entries(params)), headers: new Map() });

interface Zone {
  naptr?: Record<string, Array<{ flags: string; service: string; regexp: string; replacement: string; order: number; preference: number }>>;
  srv?: Record<string, Array<{ name: string; port: number; priority: number; weight: number }>>;
  a?: Record<string, string[]>;
  aaaa?: Record<string, string[]>;
}
function fakeDns(zone: Zone): DnsLookup & { queries: string[] } {
  const queries: string[] = [];
  const answer = <T>(kind: string, table: Record<string, T[]> | undefined, name: string): Promise<T[]> => {
    queries.push(`${kind} ${name}`);
    const v = table?.[name];
    return v ? Promise.resolve(v) : Promise.reject(Object.assign(new Error("ENOTFOUND"), { code: "ENOTFOUND" }));
  };
  return {
    queries,
    resolveNaptr: (n) => answer("NAPTR", zone.naptr, n),
    resolveSrv: (n) => answer("SRV", zone.srv, n),
    resolve4: (n) => answer("A", zone.a, n),
    resolve6: (n) => answer("AAAA", zone.aaaa, n),
  };
}

describe("RFC 3263 §4 server location", () => {
  it("uses a numeric IP directly: UDP for sip, TLS for sips, no DNS", async () => {
    const dns = fakeDns({});
    const r = createSipResolver({ dns });
    expect(await r.resolve(uri("sip", "192.0.2.1"))).toEqual([{ transport: "UDP", host: "192.0.2.1", port: 5060 }]);
    expect(await r.resolve(uri("sips", "192.0.2.1"))).toEqual([{ transport: "TLS", host: "192.0.2.1", port: 5061 }]);
    expect(await r.resolve(uri("sip", "2001:db8::1", 5070, { transport: "tcp" }))).toEqual([{ transport: "TCP", host: "2001:db8::1", port: 5070 }]);
    expect(dns.queries).toEqual([]);
  });
  it("prefers maddr over the host (§4.1 TARGET)", async () => {
    const r = createSipResolver({ dns: fakeDns({}) });
    expect(await r.resolve(uri("sip", "example.com", undefined, { maddr: "198.51.100.7" })))
      .toEqual([{ transport: "UDP", host: "198.51.100.7", port: 5060 }]);
  });
  it("with an explicit port does A/AAAA only", async () => {
    const dns = fakeDns({ a: { "example.com": ["192.0.2.5"] }, aaaa: { "example.com": ["2001:db8::5"] } });
    const r = createSipResolver({ dns });
    expect(await r.resolve(uri("sip", "example.com", 5080))).toEqual([
      { transport: "UDP", host: "192.0.2.5", port: 5080 }, { transport: "UDP", host: "2001:db8::5", port: 5080 },
    ]);
    expect(dns.queries.some((q) => q.startsWith("NAPTR") || q.startsWith("SRV"))).toBe(false);
  });
  it("follows NAPTR → SRV → A in order and preference, skipping unsupported services", async () => {
    const dns = fakeDns({
      naptr: { "example.com": [
        { flags: "s", service: "SIP+D2U", regexp: "", replacement: "_sip._udp.example.com", order: 20, preference: 10 },
        { flags: "s", service: "SIP+D2T", regexp: "", replacement: "_sip._tcp.example.com", order: 10, preference: 10 },
        { flags: "s", service: "SIP+D2S", regexp: "", replacement: "_sip._sctp.example.com", order: 1, preference: 1 },
      ] },
      srv: {
        "_sip._tcp.example.com": [{ name: "tcp1.example.com", port: 5060, priority: 0, weight: 0 }],
        "_sip._udp.example.com": [{ name: "udp1.example.com", port: 5062, priority: 0, weight: 0 }],
      },
      a: { "tcp1.example.com": ["192.0.2.10"], "udp1.example.com": ["192.0.2.11"] },
    });
    const r = createSipResolver({ dns });
    expect(await r.resolve(uri("sip", "example.com"))).toEqual([
      { transport: "TCP", host: "192.0.2.10", port: 5060 }, { transport: "UDP", host: "192.0.2.11", port: 5062 },
    ]);
  });
  it("for sips keeps only secure NAPTR services", async () => {
    const dns = fakeDns({
      naptr: { "example.com": [
        { flags: "s", service: "SIP+D2U", regexp: "", replacement: "_sip._udp.example.com", order: 1, preference: 1 },
        { flags: "s", service: "SIPS+D2T", regexp: "", replacement: "_sips._tcp.example.com", order: 2, preference: 1 },
      ] },
      srv: { "_sips._tcp.example.com": [{ name: "tls.example.com", port: 5061, priority: 0, weight: 0 }], "_sip._udp.example.com": [{ name: "u.example.com", port: 5060, priority: 0, weight: 0 }] },
      a: { "tls.example.com": ["192.0.2.20"], "u.example.com": ["192.0.2.21"] },
    });
    expect(await createSipResolver({ dns }).resolve(uri("sips", "example.com"))).toEqual([{ transport: "TLS", host: "192.0.2.20", port: 5061 }]);
  });
  it("without NAPTR queries SRV per supported transport, then falls back to A with the default port", async () => {
    const dns = fakeDns({ srv: { "_sip._tcp.b.example": [{ name: "h.b.example", port: 5090, priority: 1, weight: 0 }] }, a: { "h.b.example": ["192.0.2.30"], "c.example": ["192.0.2.31"] } });
    const r = createSipResolver({ dns, transports: ["UDP", "TCP"] });
    expect(await r.resolve(uri("sip", "b.example"))).toEqual([{ transport: "TCP", host: "192.0.2.30", port: 5090 }]);
    expect(await r.resolve(uri("sip", "c.example"))).toEqual([{ transport: "UDP", host: "192.0.2.31", port: 5060 }]);
    expect(await r.resolve(uri("sip", "nowhere.example"))).toEqual([]);
  });
  it("uses the transport parameter's SRV name when no port is given", async () => {
    const dns = fakeDns({ srv: { "_sip._tcp.d.example": [{ name: "t.d.example", port: 5070, priority: 0, weight: 0 }] }, a: { "t.d.example": ["192.0.2.40"] } });
    expect(await createSipResolver({ dns }).resolve(uri("sip", "d.example", undefined, { transport: "tcp" })))
      .toEqual([{ transport: "TCP", host: "192.0.2.40", port: 5070 }]);
  });
  it("lets a static route beat the outbound proxy, and the proxy beat DNS", async () => {
    const dns = fakeDns({ a: { "xmpp.example": ["203.0.113.1"] } });
    const r = createSipResolver({
      dns,
      outboundProxy: uri("sip", "10.0.0.1", 5070, { transport: "tcp", lr: null }),
      staticRoutes: new Map([["sip.example", uri("sip", "10.0.0.2", 5080)]]),
    });
    expect(await r.resolve(uri("sip", "sip.example"))).toEqual([{ transport: "UDP", host: "10.0.0.2", port: 5080 }]);
    expect(await r.resolve(uri("sip", "other.example"))).toEqual([{ transport: "TCP", host: "10.0.0.1", port: 5070 }]);
    expect(r.nextHop(uri("sip", "other.example"))?.host).toBe("10.0.0.1");
    expect(dns.queries).toEqual([]);
  });
  it("caches a resolution for the TTL", async () => {
    let t = 0;
    const dns = fakeDns({ a: { "e.example": ["192.0.2.50"] } });
    const r = createSipResolver({ dns, now: () => t, cacheTtlMs: 1000 });
    await r.resolve(uri("sip", "e.example", 5060));
    await r.resolve(uri("sip", "e.example", 5060));
    expect(dns.queries.filter((q) => q === "A e.example")).toHaveLength(1);
    t = 2000;
    await r.resolve(uri("sip", "e.example", 5060));
    expect(dns.queries.filter((q) => q === "A e.example")).toHaveLength(2);
  });
  it("answers from the cache without a lookup only while the entry is fresh (resolveCached)", async () => {
    let t = 0;
    const dns = fakeDns({ a: { "e.example": ["192.0.2.50"] } });
    const r = createSipResolver({ dns, now: () => t, cacheTtlMs: 1000, staticRoutes: new Map([["routed.example", uri("sip", "e.example", 5070)]]) });
    expect(r.resolveCached?.(uri("sip", "e.example", 5060))).toBeUndefined();
    await r.resolve(uri("sip", "e.example", 5060));
    const hit = r.resolveCached?.(uri("sip", "e.example", 5060));
    expect(hit).toEqual([{ transport: "UDP", host: "192.0.2.50", port: 5060 }]);
    hit?.pop(); // a copy: the caller may not change the cache
    expect(r.resolveCached?.(uri("sip", "e.example", 5060))).toHaveLength(1);
    expect(r.resolveCached?.(uri("sip", "e.example", 5070))).toBeUndefined(); // another port, another entry
    // The next hop (static route) is what is cached, as in resolve.
    expect(r.resolveCached?.(uri("sip", "routed.example"))).toBeUndefined();
    await r.resolve(uri("sip", "routed.example"));
    expect(r.resolveCached?.(uri("sip", "routed.example"))).toEqual([{ transport: "UDP", host: "192.0.2.50", port: 5070 }]);
    t = 2000;
    expect(r.resolveCached?.(uri("sip", "e.example", 5060))).toBeUndefined();
    expect(dns.queries.filter((q) => q === "A e.example")).toHaveLength(2);
  });
});

describe("RFC 2782 ordering", () => {
  const recs = [
    { name: "b", port: 1, priority: 10, weight: 60 }, { name: "a", port: 1, priority: 5, weight: 0 },
    { name: "c", port: 1, priority: 10, weight: 20 }, { name: "d", port: 1, priority: 10, weight: 0 },
  ];
  it("orders by priority and draws by weight", () => {
    // random 0 → the first running sum ≥ 0: the weight-0 record sorted first in its priority.
    expect(orderSrv(recs, () => 0).map((r) => r.name)).toEqual(["a", "d", "c", "b"]);
    expect(orderSrv(recs, () => 0.99).map((r) => r.name)).toEqual(["a", "b", "c", "d"]);
  });
  it("chooses in proportion to weight over many draws", () => {
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const firsts = { b: 0, c: 0, d: 0 } as Record<string, number>;
    for (let i = 0; i < 4000; i++) firsts[orderSrv(recs, rnd)[1]!.name]!++;
    expect(firsts.b! / 4000).toBeGreaterThan(0.65);
    expect(firsts.b! / 4000).toBeLessThan(0.8);
    expect(firsts.d! / 4000).toBeLessThan(0.05);
  });
  it("treats a lone '.' target as no service", () => {
    expect(orderSrv([{ name: ".", port: 0, priority: 0, weight: 0 }])).toEqual([]);
  });
});
