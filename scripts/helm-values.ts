// The Helm chart's values, as a zod schema next to the gateway's config schema: values.schema.json
// and the chart README's values table are generated from both, so `config:` in values.yaml cannot
// drift from src/config/schema.ts. Secrets never appear in `config:`: each secret key K is replaced
// by `KFile` (a path under secrets.mountPath), and the files come from a Secret.
import { z } from "zod";
import { zodToJsonSchema } from "zod-to-json-schema";
import { configObjectSchema } from "../src/config/schema.js";
import { elementOf, formatPath, inspect, leaves, shapeOf } from "../src/config/schema-walk.js";

const k8sObject = (d: string) => z.record(z.unknown()).describe(d).default({});

export const chartValuesSchema = z
  .object({
    nameOverride: z.string().describe("Overrides the chart name in resource names.").default(""),
    fullnameOverride: z.string().describe("Overrides the full resource name.").default(""),
    image: z
      .object({
        repository: z.string().min(1).describe("Image repository.").default("stox"),
        tag: z.string().describe("Image tag; empty means the chart's appVersion.").default(""),
        pullPolicy: z.enum(["Always", "IfNotPresent", "Never"]).describe("Image pull policy.").default("IfNotPresent"),
      })
      .strict()
      .describe("Container image.")
      .default({}),
    imagePullSecrets: z.array(z.object({ name: z.string().describe("Name of a docker-registry Secret.") }).strict()).describe("Pull secrets for a private registry.").default([]),
    replicaCount: z
      .number().int().min(0).max(1)
      .describe("Pods running the gateway. At most 1: Prosody accepts one connection per component domain, a second is refused with <conflict/> (mod_component, component_conflict_resolve = kick_new).")
      .default(1),
    strategy: z
      .object({
        type: z.enum(["Recreate", "RollingUpdate"]).describe("Recreate (default) stops the old pod before the new one connects. RollingUpdate only works with Prosody's component_conflict_resolve = \"kick_old\", and then the old pod is cut off mid-drain.").default("Recreate"),
      })
      .strict()
      .describe("Deployment update strategy.")
      .default({}),
    podAnnotations: k8sObject("Extra pod annotations."),
    podLabels: k8sObject("Extra pod labels."),
    podSecurityContext: k8sObject("Pod securityContext.").default({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } }),
    securityContext: k8sObject("Container securityContext.").default({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } }),
    resources: k8sObject("Container resources.").default({ requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "512Mi" } }),
    nodeSelector: k8sObject("Node selector."),
    tolerations: z.array(z.record(z.unknown())).describe("Tolerations.").default([]),
    affinity: k8sObject("Affinity rules."),
    extraEnv: z
      .array(z.record(z.unknown()))
      .describe("Extra container env entries (Kubernetes EnvVar), e.g. STOX_LOG__LEVEL overrides.")
      .default([]),
    service: z
      .object({
        type: z.enum(["ClusterIP", "NodePort", "LoadBalancer"]).describe("Type of the SIP Service; its ports follow config.sip.listen (UDP and TCP).").default("ClusterIP"),
        annotations: k8sObject("SIP Service annotations (e.g. load balancer settings)."),
      })
      .strict()
      .describe("Services: SIP (ports from config.sip.listen) and metrics (port config.http.port).")
      .default({}),
    probes: z
      .object({
        enabled: z.boolean().describe("Startup/liveness on /healthz, readiness on /readyz.").default(true),
        periodSeconds: z.number().int().min(1).describe("Probe period.").default(10),
        startupFailureThreshold: z.number().int().min(1).describe("Startup probe attempts (2 s apart) before the pod is restarted.").default(30),
      })
      .strict()
      .describe("Probes.")
      .default({}),
    pdb: z
      .object({
        enabled: z.boolean().describe("Create a PodDisruptionBudget.").default(true),
        minAvailable: z.union([z.number().int(), z.string()]).describe("minAvailable (takes precedence over maxUnavailable).").optional(),
        maxUnavailable: z.union([z.number().int(), z.string()]).describe("maxUnavailable. With one replica, 1 lets node drains proceed (the gateway reconnects after rescheduling).").default(1),
      })
      .strict()
      .describe("PodDisruptionBudget.")
      .default({}),
    serviceMonitor: z
      .object({
        enabled: z.boolean().describe("Create a Prometheus Operator ServiceMonitor.").default(false),
        interval: z.string().describe("Scrape interval.").default("30s"),
        labels: k8sObject("Extra labels (to match the Prometheus selector)."),
      })
      .strict()
      .describe("Prometheus Operator integration.")
      .default({}),
    secrets: z
      .object({
        existingSecret: z.string().describe("Name of an existing Secret whose keys are the files the config's *File keys point to. Preferred in production.").default(""),
        files: z.record(z.string()).describe("Content of the chart-managed Secret (file name → content), used when existingSecret is empty.").default({}),
        mountPath: z.string().describe("Where the Secret's files are mounted.").default("/run/secrets/stox"),
      })
      .strict()
      .describe("Secret files (component secrets, passwords, TLS key). One of existingSecret or files is required.")
      .default({}),
  })
  .strict();

type Json = Record<string, unknown>;

/** The config JSON Schema with every secret K replaced by KFile (path of the mounted secret file). */
function secretsToFiles(json: Json, schema: z.ZodTypeAny): void {
  const info = inspect(schema);
  if (info.kind === "array") {
    const el = elementOf(info.core);
    if (el && json.items && typeof json.items === "object") secretsToFiles(json.items as Json, el);
    return;
  }
  if (Array.isArray(json.anyOf) && info.core instanceof z.ZodDiscriminatedUnion) {
    const options = info.core.options as z.ZodTypeAny[];
    (json.anyOf as Json[]).forEach((o, i) => { const opt = options[i]; if (opt) secretsToFiles(o, opt); });
    return;
  }
  const props = json.properties as Record<string, Json> | undefined;
  if (!props) return;
  const required = (json.required as string[] | undefined) ?? [];
  for (const [key, sub] of shapeOf(info.core)) {
    const p = props[key];
    if (!p) continue;
    if (inspect(sub).secret) {
      delete props[key];
      props[`${key}File`] = { type: "string", minLength: 1, description: `Path of the mounted secret file holding: ${inspect(sub).description ?? key}` };
      const at = required.indexOf(key);
      if (at >= 0) required[at] = `${key}File`;
    } else secretsToFiles(p, sub);
  }
}

export function helmConfigJsonSchema(): Json {
  const json = zodToJsonSchema(configObjectSchema, { $refStrategy: "none", effectStrategy: "input" }) as Json;
  delete json.$schema;
  secretsToFiles(json, configObjectSchema);
  json.description = "The gateway configuration (docs/config.md), rendered into the ConfigMap. Secrets: use <key>File paths under secrets.mountPath.";
  return json;
}

export function helmValuesJsonSchema(): Json {
  const chart = zodToJsonSchema(chartValuesSchema, { $refStrategy: "none", effectStrategy: "input" }) as Json;
  (chart.properties as Json).config = helmConfigJsonSchema();
  chart.required = [...((chart.required as string[] | undefined) ?? []), "config"];
  chart.title = "stox chart values (GENERATED by scripts/render-config-docs.ts)";
  return chart;
}

export function renderChartReadme(): string {
  const row = (key: string, type: string, dflt: string, desc: string): string => `| \`${key}\` | ${type} | ${dflt} | ${desc.replace(/\|/g, "\\|")} |`;
  const chartRows = leaves(chartValuesSchema).map(({ path, info }) => {
    const section = info.core instanceof z.ZodObject;
    const dflt = section ? "" : info.hasDefault ? `\`${JSON.stringify(info.defaultValue)}\`` : info.optional ? "(unset)" : "";
    return row(formatPath(path), info.values ? info.values.join(" \\| ") : info.kind === "other" ? "object" : info.kind, dflt, info.description ?? "");
  });
  const configRows = leaves(configObjectSchema).map(({ path, info, variant }) => {
    const last = path[path.length - 1] ?? "";
    const key = info.secret ? formatPath([...path.slice(0, -1), `${last}File`]) : formatPath(path);
    const dflt = info.secret ? "" : info.hasDefault && info.kind !== "object" ? `\`${JSON.stringify(info.defaultValue)}\`` : info.optional || info.hasDefault ? "" : "**required**";
    return row(`config.${key}`, info.secret ? "secret file path" : info.kind, dflt, `${info.description ?? ""}${variant ? ` (when ${variant})` : ""}`);
  });
  return [
    "# stox Helm chart",
    "",
    "<!-- GENERATED by scripts/render-config-docs.ts from scripts/helm-values.ts and src/config/schema.ts: do not edit by hand. -->",
    "",
    "Deploys the stox SIP/SIMPLE ⇄ XMPP gateway: a ConfigMap with the config file (no secrets), a Secret",
    "(or your `secrets.existingSecret`) mounted as files, a Deployment probed on `/healthz` and `/readyz`, a",
    "SIP Service with the UDP and TCP ports of `config.sip.listen`, a metrics Service, a PodDisruptionBudget",
    "and an optional ServiceMonitor. `values.schema.json` is generated from the gateway's own config schema:",
    "`helm install` refuses wrong types, unknown keys and missing required keys before anything is deployed.",
    "",
    "**One replica, Recreate.** Prosody accepts one connection per component domain; a second one is closed",
    "with `<conflict/>` (`component_conflict_resolve = kick_new`, the default). A rolling update would start a",
    "new pod that cannot connect while the old one lives, so the chart uses `strategy: Recreate` and",
    "`replicaCount` ≤ 1. With `kick_old` on the XMPP server a RollingUpdate works, at the price of cutting the",
    "old pod off during its drain.",
    "",
    "```sh",
    "helm install stox ./helm/stox -f my-values.yaml --set-file secrets.files.component-secret=./component-secret",
    "```",
    "",
    "See docs/operations.md for the full procedure and docs/config.md for the config keys.",
    "",
    "## Chart values",
    "",
    "| Key | Type | Default | Description |",
    "|---|---|---|---|",
    ...chartRows,
    "",
    "## Gateway config (`config:`)",
    "",
    "| Key | Type | Default | Description |",
    "|---|---|---|---|",
    ...configRows,
    "",
  ].join("\n");
}
