// Loads the config: file (YAML or JSON) → STOX_* environment overrides → `<secret>File` / `…_FILE`
// indirection → strict zod validation → frozen Config. Fails with every problem at once, each naming
// the exact key path and how to set it, so a bad deployment stops at startup and says why.
import { readFileSync } from "node:fs";
import { parse as parseYaml, YAMLParseError } from "yaml";
import type { z } from "zod";
import type { Result } from "../domain/errors.js";
import { applyEnv, envName, type RawTree } from "./env.js";
import { configSchema, type Config } from "./schema.js";
import { formatPath, inspect, shapeOf, elementOf } from "./schema-walk.js";

export type { Result };

export type ConfigErrorCode = "file-unreadable" | "syntax" | "required" | "invalid" | "unknown-key" | "env";

export interface ConfigError {
  /** Key path such as "xmpp.components[0].secret" ("" for the whole file). */
  readonly path: string;
  readonly code: ConfigErrorCode;
  readonly message: string;
}

export interface LoadOptions {
  /** Config file; otherwise `--config FILE` from argv, otherwise STOX_CONFIG, otherwise none (env only). */
  readonly file?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly argv?: readonly string[];
  /** Injected for tests; defaults to fs.readFileSync(path, "utf8"). */
  readonly readFile?: (path: string) => string;
}

export function configFileFrom(opts: LoadOptions): string | undefined {
  if (opts.file) return opts.file;
  const argv = opts.argv ?? [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? "";
    if (a === "--config" || a === "-c") return argv[i + 1];
    if (a.startsWith("--config=")) return a.slice("--config=".length);
  }
  return opts.env.STOX_CONFIG || undefined;
}

export function loadConfig(opts: LoadOptions): Result<Config, readonly ConfigError[]> {
  const read = opts.readFile ?? ((p: string) => readFileSync(p, "utf8"));
  const errors: ConfigError[] = [];
  let raw: RawTree = {};
  const file = configFileFrom(opts);
  if (file !== undefined) {
    const parsed = readConfigFile(file, read);
    if (!parsed.ok) return parsed;
    raw = parsed.value;
  }
  const env = applyEnv(raw, opts.env, configSchema);
  for (const i of env.issues) errors.push({ path: "", code: "env", message: `${i.variable}: ${i.message}` });
  resolveSecretFiles(raw, configSchema, [], read, errors);
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    // A secret whose file was unreadable is already reported once; skip the "required" echo.
    const unreadable = new Set(errors.filter((e) => e.code === "file-unreadable").map((e) => e.path.replace(/File$/, "")));
    errors.push(...result.error.issues.flatMap((i) => describeIssue(i, env.origins)).filter((e) => !(e.code === "required" && unreadable.has(e.path))));
  }
  if (errors.length > 0) return { ok: false, error: errors };
  if (!result.success) throw new Error("unreachable: failed parse without issues");
  return { ok: true, value: deepFreeze(result.data) as Config };
}

export function parseConfigText(text: string, file: string): Result<RawTree, readonly ConfigError[]> {
  try {
    // YAML 1.2 is a superset of JSON, so one parser serves .yaml, .yml and .json.
    const doc: unknown = parseYaml(text) ?? {};
    if (typeof doc !== "object" || Array.isArray(doc)) return { ok: false, error: [{ path: "", code: "syntax", message: `${file}: the top level must be a mapping` }] };
    return { ok: true, value: doc as RawTree };
  } catch (e) {
    const where = e instanceof YAMLParseError && e.linePos ? ` (line ${e.linePos[0].line})` : "";
    return { ok: false, error: [{ path: "", code: "syntax", message: `${file}${where}: ${(e as Error).message.split("\n")[0]}` }] };
  }
}

function readConfigFile(file: string, read: (p: string) => string): Result<RawTree, readonly ConfigError[]> {
  let text: string;
  try {
    text = read(file);
  } catch (e) {
    return { ok: false, error: [{ path: "", code: "file-unreadable", message: `${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }] };
  }
  return parseConfigText(text, file);
}

/** Replaces `<key>File: /path` by the file's content for secret keys (one trailing newline trimmed). */
function resolveSecretFiles(node: unknown, schema: z.ZodTypeAny, path: (string | number)[], read: (p: string) => string, errors: ConfigError[]): void {
  const info = inspect(schema);
  if (info.kind === "array" && Array.isArray(node)) {
    const el = elementOf(info.core);
    if (el) node.forEach((v, i) => resolveSecretFiles(v, el, [...path, i], read, errors));
    return;
  }
  if (info.kind !== "object" || typeof node !== "object" || node === null || Array.isArray(node)) return;
  const obj = node as Record<string, unknown>;
  for (const [key, sub] of shapeOf(info.core)) {
    const fileKey = `${key}File`;
    if (inspect(sub).secret && typeof obj[fileKey] === "string") {
      const p = obj[fileKey] as string;
      try {
        obj[key] = read(p).replace(/\r?\n$/, "");
        delete obj[fileKey];
      } catch (e) {
        errors.push({ path: formatPath([...path, fileKey]), code: "file-unreadable", message: `cannot read secret file ${p}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
      }
    } else if (obj[key] !== undefined) resolveSecretFiles(obj[key], sub, [...path, key], read, errors);
  }
}

function describeIssue(issue: z.ZodIssue, origins: ReadonlyMap<string, string>): ConfigError[] {
  const path = formatPath(issue.path);
  const from = origins.get(path);
  const suffix = from ? ` (from ${from})` : "";
  if (issue.code === "unrecognized_keys") {
    // A `<secret>File` left over means its file was unreadable, which is already reported.
    const keys = issue.keys.filter((k) => !(k.endsWith("File") && isSecretPath([...issue.path, k.slice(0, -4)])));
    return keys.map((k) => ({ path: formatPath([...issue.path, k]), code: "unknown-key" as const, message: `${formatPath([...issue.path, k])}: unknown key` }));
  }
  if (issue.code === "invalid_type" && issue.received === "undefined") {
    const env = envName(issue.path);
    const secret = isSecretPath(issue.path);
    const how = secret ? `set it in the file (or ${String(issue.path.at(-1))}File), ${env} or ${env}_FILE` : `set it in the file or ${env}`;
    return [{ path, code: "required", message: `${path}: required (${how})` }];
  }
  return [{ path, code: "invalid", message: `${path || "config"}: ${issue.message}${suffix}` }];
}

function isSecretPath(path: readonly (string | number)[]): boolean {
  let schema: z.ZodTypeAny = configSchema;
  for (const seg of path) {
    const info = inspect(schema);
    const next = typeof seg === "number" ? elementOf(info.core) : shapeOf(info.core).get(seg);
    if (!next) return false;
    schema = next;
  }
  return inspect(schema).secret;
}

function deepFreeze<T>(v: T): T {
  if (typeof v === "object" && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const child of Object.values(v)) deepFreeze(child);
  }
  return v;
}

/** One line per error, for the startup failure message. */
export function formatConfigErrors(errors: readonly ConfigError[]): string {
  return `invalid configuration:\n${errors.map((e) => `  - ${e.message}`).join("\n")}`;
}
