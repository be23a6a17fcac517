// The operations HTTP server: /metrics (Prometheus), /healthz (the process answers), /readyz (every
// registered readiness check passes: component links online, SIP transports bound, store reachable).
// Kubernetes restarts on /healthz failures and stops routing on /readyz failures (style.md principle 10).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

export type ReadinessCheck = () => boolean | Promise<boolean>;
export type CheckResult = "ok" | "failing" | "timeout" | "error";

export interface ReadinessReport {
  readonly ready: boolean;
  readonly draining: boolean;
  readonly checks: Readonly<Record<string, CheckResult>>;
}

export interface Readiness {
  /** Adds (or replaces) a named check. */
  register(name: string, check: ReadinessCheck): void;
  /** From now on report not-ready (SIGTERM: let the load balancer drain us before we stop). */
  drain(): void;
  evaluate(): Promise<ReadinessReport>;
}

export function createReadiness(opts: { timeoutMs?: number } = {}): Readiness {
  const checks = new Map<string, ReadinessCheck>();
  const timeoutMs = opts.timeoutMs ?? 2000;
  let draining = false;
  const run = async (check: ReadinessCheck): Promise<CheckResult> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<CheckResult>((resolve) => { timer = setTimeout(() => resolve("timeout"), timeoutMs); });
    try {
      // A hung dependency (e.g. Redis PING) must not hang the probe itself.
      return await Promise.race([Promise.resolve().then(check).then((ok): CheckResult => (ok ? "ok" : "failing")), timeout]);
    } catch {
      return "error";
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    register: (name, check) => void checks.set(name, check),
    drain: () => { draining = true; },
    async evaluate() {
      const names = [...checks.keys()];
      const results = await Promise.all([...checks.values()].map(run));
      const out: Record<string, CheckResult> = {};
      names.forEach((n, i) => { out[n] = results[i] ?? "error"; });
      // No checks yet means the composition root has not finished starting: not ready.
      const ready = !draining && names.length > 0 && results.every((r) => r === "ok");
      return { ready, draining, checks: out };
    },
  };
}

export interface HttpServerOptions {
  readonly registry: Registry;
  readonly readiness: Readiness;
}

export interface HttpServer {
  /** The bound port (useful with port 0). */
  readonly port: number;
  close(): Promise<void>;
}

export async function startHttp(cfg: { readonly host: string; readonly port: number }, opts: HttpServerOptions): Promise<HttpServer> {
  const started = Date.now();
  const send = (res: ServerResponse, status: number, type: string, body: string): void => {
    res.writeHead(status, { "content-type": type, "cache-control": "no-store" }).end(body);
  };
  const json = (res: ServerResponse, status: number, body: unknown): void => send(res, status, "application/json", JSON.stringify(body));
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== "GET" && req.method !== "HEAD") return json(res, 405, { error: "method not allowed" });
    const path = (req.url ?? "/").split("?")[0];
    switch (path) {
      case "/metrics":
        return send(res, 200, opts.registry.contentType, await opts.registry.metrics());
      case "/healthz":
      case "/livez":
        return json(res, 200, { status: "ok", uptimeSeconds: Math.round((Date.now() - started) / 1000) });
      case "/readyz": {
        const report = await opts.readiness.evaluate();
        return json(res, report.ready ? 200 : 503, { status: report.ready ? "ready" : "not ready", ...report });
      }
      default:
        return json(res, 404, { error: "not found" });
    }
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) json(res, 500, { error: e instanceof Error ? e.message : "internal error" });
      else res.destroy();
    });
  });
  // Probes are short requests; don't let idle keep-alive sockets delay shutdown.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(cfg.port, cfg.host, () => { server.off("error", reject); resolve(); });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve, reject) => {
      server.close((e) => (e ? reject(e) : resolve()));
      server.closeAllConnections();
    }),
  };
}
