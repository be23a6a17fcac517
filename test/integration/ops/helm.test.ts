// The Helm chart, rendered by a real helm 3 (test/support/helm.ts): lint, template with default and
// production-like values, every manifest validated against the Kubernetes OpenAPI schemas
// (kubernetes-models), bad values refused by the generated values.schema.json, and the rendered
// ConfigMap loaded by the gateway's own config loader (the chart and src/config cannot drift).
import { describe, it, expect, afterAll } from "@jest/globals";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import { helm } from "../../support/helm.js";
import { tempDir } from "../../support/peers/process.js";
import { loadConfig, formatConfigErrors } from "../../../src/config/load.js";
import { configObjectSchema } from "../../../src/config/schema.js";
import { leaves, formatPath, shapeOf } from "../../../src/config/schema-walk.js";
import { parse as parseYaml } from "yaml";
import { chartValuesSchema } from "../../../scripts/helm-values.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const CHART = join(root, "helm/stox");
const PRODUCTION = join(root, "test/fixtures/helm/production.yaml");
const SECRET = ["--set", "secrets.files.component-secret=s3cret-value"];

type Manifest = { apiVersion: string; kind: string; metadata: { name: string }; [k: string]: unknown };

function template(args: readonly string[]): Manifest[] {
  const r = helm(["template", "gw", CHART, ...args]);
  if (r.status !== 0) throw new Error(`helm template failed:\n${r.stderr}`);
  return parseAllDocuments(r.stdout).map((d) => d.toJS() as Manifest).filter((m) => m !== null);
}

const scratch = tempDir("helm-values");
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let files = 0;
function valuesFile(yaml: string): string {
  const f = join(scratch, `values-${files++}.yaml`);
  writeFileSync(f, yaml);
  return f;
}

/** kubernetes-models class for each kind the chart renders (ServiceMonitor is a CRD: checked by hand). */
async function validate(m: Manifest): Promise<void> {
  const models: Record<string, () => Promise<new (o: object) => { validate(): void }>> = {
    "apps/v1/Deployment": async () => (await import("kubernetes-models/apps/v1")).Deployment,
    "v1/Service": async () => (await import("kubernetes-models/v1")).Service,
    "v1/ConfigMap": async () => (await import("kubernetes-models/v1")).ConfigMap,
    "v1/Secret": async () => (await import("kubernetes-models/v1")).Secret,
    "policy/v1/PodDisruptionBudget": async () => (await import("kubernetes-models/policy/v1")).PodDisruptionBudget,
  };
  const key = `${m.apiVersion}/${m.kind}`;
  if (key === "monitoring.coreos.com/v1/ServiceMonitor") {
    const spec = m.spec as { selector?: { matchLabels?: object }; endpoints?: { port?: string }[] };
    expect(spec.selector?.matchLabels).toBeDefined();
    expect(spec.endpoints?.[0]?.port).toBe("metrics");
    return;
  }
  const load = models[key];
  if (!load) throw new Error(`unexpected manifest kind ${key}`);
  const Model = await load();
  new Model(m).validate();
}

const byKind = (ms: Manifest[], kind: string): Manifest[] => ms.filter((m) => m.kind === kind);

/** Loads the rendered stox.yaml with the gateway's loader, reading secret files from the given map. */
function loadRenderedConfig(ms: Manifest[], secretFiles: Record<string, string>) {
  const cm = byKind(ms, "ConfigMap")[0] as unknown as { data: Record<string, string> };
  const text = cm.data["stox.yaml"] ?? "";
  return { text, result: loadConfig({ file: "/etc/stox/stox.yaml", env: {}, readFile: (p) => {
    if (p === "/etc/stox/stox.yaml") return text;
    const name = p.replace("/run/secrets/stox/", "");
    const v = secretFiles[name];
    if (v === undefined) throw Object.assign(new Error("ENOENT"), { code: "ENOENT" });
    return v;
  } }) };
}

describe("helm chart", () => {
  it("passes helm lint --strict with default and production values", () => {
    for (const args of [SECRET, ["-f", PRODUCTION]]) {
      const r = helm(["lint", "--strict", CHART, ...args]);
      expect(`${r.status}\n${r.stdout}${r.stderr}`).toMatch(/^0\n/);
    }
  });

  it("renders valid Kubernetes manifests with default values, secrets kept out of the ConfigMap", async () => {
    const ms = template(SECRET);
    expect(ms.map((m) => m.kind).sort()).toEqual(["ConfigMap", "Deployment", "PodDisruptionBudget", "Secret", "Service", "Service"]);
    for (const m of ms) await validate(m);
    const dep = byKind(ms, "Deployment")[0] as unknown as { spec: { strategy: { type: string }; replicas: number; template: { spec: { containers: { livenessProbe: { httpGet: { path: string } }; readinessProbe: { httpGet: { path: string } }; securityContext: { allowPrivilegeEscalation: boolean } }[]; securityContext: { runAsNonRoot: boolean } } } } };
    expect(dep.spec.strategy.type).toBe("Recreate");
    const c = dep.spec.template.spec.containers[0]!;
    expect([c.livenessProbe.httpGet.path, c.readinessProbe.httpGet.path]).toEqual(["/healthz", "/readyz"]);
    expect(dep.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    const sip = byKind(ms, "Service").find((s) => !s.metadata.name.endsWith("-metrics")) as unknown as { spec: { ports: { protocol: string; port: number }[] } };
    expect(sip.spec.ports.map((p) => `${p.protocol}/${p.port}`)).toEqual(["UDP/5060", "TCP/5060"]);
    const { text, result } = loadRenderedConfig(ms, { "component-secret": "s3cret-value" });
    expect(text).not.toContain("s3cret-value");
    if (!result.ok) throw new Error(formatConfigErrors(result.error));
    expect(result.value.xmpp.components[0]?.secret).toBe("s3cret-value");
  });

  it("renders the production values: existing Secret, TLS port, ServiceMonitor, ports from the config", async () => {
    const ms = template(["-f", PRODUCTION]);
    for (const m of ms) await validate(m);
    expect(byKind(ms, "Secret")).toEqual([]);
    expect(byKind(ms, "ServiceMonitor")).toHaveLength(1);
    const sip = byKind(ms, "Service").find((s) => !s.metadata.name.endsWith("-metrics")) as unknown as { spec: { type: string; ports: { protocol: string; port: number }[] } };
    expect(sip.spec.type).toBe("LoadBalancer");
    expect(sip.spec.ports.map((p) => `${p.protocol}/${p.port}`)).toEqual(["UDP/5060", "TCP/5060", "TCP/5061"]);
    const metrics = byKind(ms, "Service").find((s) => s.metadata.name.endsWith("-metrics")) as unknown as { spec: { ports: { port: number }[] } };
    expect(metrics.spec.ports[0]?.port).toBe(9100);
    const dep = byKind(ms, "Deployment")[0] as unknown as { spec: { template: { spec: { terminationGracePeriodSeconds: number; volumes: { secret?: { secretName: string } }[] } } } };
    expect(dep.spec.template.spec.terminationGracePeriodSeconds).toBe(40);
    expect(dep.spec.template.spec.volumes.map((v) => v.secret?.secretName).filter(Boolean)).toEqual(["stox-production"]);
    const { result } = loadRenderedConfig(ms, { "component-secret": "c", "tls.crt": "crt", "tls.key": "key", "redis-password": "pw" });
    if (!result.ok) throw new Error(formatConfigErrors(result.error));
    expect(result.value.store.redisPassword).toBe("pw");
  });

  it.each([
    ["a wrong type", "replicaCount: two\n", /replicaCount/],
    ["a second replica (component conflict)", "replicaCount: 2\n", /replicaCount/],
    ["an unknown chart key", "replicas: 1\n", /replicas/],
    ["an unknown config key", "config:\n  log: { colour: true }\n", /colour/],
    ["a secret written into the config", "config:\n  xmpp:\n    components:\n      - { domain: sip.example, secret: plain }\n", /secret/],
    ["a config value of the wrong type", "config:\n  sip:\n    limits: { burst: lots }\n", /burst/],
  ])("refuses %s", (_name, yaml, mention) => {
    const r = helm(["template", "gw", CHART, ...SECRET, "-f", valuesFile(yaml)]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("values don't meet the specifications of the schema");
    expect(r.stderr).toMatch(mention);
  });

  it("refuses to render without a secret source", () => {
    const r = helm(["template", "gw", CHART]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("secrets: set secrets.existingSecret");
  });

  it("values.yaml sets every chart value (so each is commented there) and nothing else", () => {
    const values = parseYaml(readFileSync(join(CHART, "values.yaml"), "utf8")) as Record<string, unknown>;
    const optional = new Set(["pdb.minAvailable"]);
    const expected = leaves(chartValuesSchema).map((l) => formatPath(l.path)).filter((p) => !p.includes("[]") && !optional.has(p));
    const present = (path: string): boolean => path.split(".").reduce<unknown>((o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined), values) !== undefined;
    expect(expected.filter((p) => !present(p))).toEqual([]);
    expect(Object.keys(values).sort()).toEqual([...shapeOf(chartValuesSchema).keys(), "config"].sort());
  });

  it("values.schema.json's config section matches the zod schema key by key (secret K ⇄ KFile)", () => {
    const schema = JSON.parse(readFileSync(join(CHART, "values.schema.json"), "utf8")) as { properties: { config: JsonNode } };
    const fromJson = new Set(jsonPaths(schema.properties.config, []));
    const fromZod = new Set(leaves(configObjectSchema).map(({ path, info }) => {
      const last = path[path.length - 1] ?? "";
      return formatPath(info.secret ? [...path.slice(0, -1), `${last}File`] : path);
    }));
    expect([...fromJson].sort()).toEqual([...fromZod].sort());
  });
});

type JsonNode = { properties?: Record<string, JsonNode>; items?: JsonNode; anyOf?: JsonNode[] };

function jsonPaths(node: JsonNode, path: string[]): string[] {
  const out: string[] = [];
  const visit = (n: JsonNode, p: string[]): void => {
    for (const [k, v] of Object.entries(n.properties ?? {})) {
      out.push(formatPath([...p, k]));
      visit(v, [...p, k]);
    }
    if (n.items) visit(n.items, [...p, "[]"]);
    for (const o of n.anyOf ?? []) visit(o, p);
  };
  visit(node, path);
  return [...new Set(out)];
}
