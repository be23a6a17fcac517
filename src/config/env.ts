// Environment overrides: STOX_ + key path, `__` between levels, camelCase keys as SNAKE_CASE, array
// elements by index (STOX_XMPP__COMPONENTS__0__SECRET), and `<SECRET>_FILE` for secrets kept in files
// (Docker/Kubernetes secrets mounted as files). Names are derived from the schema, never listed by hand.
import type { z } from "zod";
import { elementOf, formatPath, inspect, shapeOf } from "./schema-walk.js";

export const ENV_PREFIX = "STOX_";

export function snake(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
}

/** STOX_XMPP__COMPONENTS__0__SECRET for ["xmpp","components",0,"secret"]; "[]" segments render as <i>. */
export function envName(path: readonly (string | number)[]): string {
  return ENV_PREFIX + path.map((seg) => (typeof seg === "number" ? String(seg) : seg === "[]" ? "<i>" : snake(seg))).join("__");
}

export interface EnvIssue {
  readonly variable: string;
  readonly message: string;
}

export type RawTree = Record<string, unknown>;

export interface EnvResult {
  /** Config path ("sip.limits.burst") → the variable that set it, for error messages. */
  readonly origins: ReadonlyMap<string, string>;
  readonly issues: readonly EnvIssue[];
}

/** Variables whose first segment is not a section are left alone (STOX_CONFIG, test knobs), unless they look like a typo of one. */
export function applyEnv(raw: RawTree, env: Readonly<Record<string, string | undefined>>, root: z.ZodTypeAny): EnvResult {
  const origins = new Map<string, string>();
  const issues: EnvIssue[] = [];
  const sections = [...shapeOf(inspect(root).core).keys()].map(snake);
  for (const variable of Object.keys(env).sort()) {
    const value = env[variable];
    if (!variable.startsWith(ENV_PREFIX) || value === undefined) continue;
    const segs = variable.slice(ENV_PREFIX.length).split("__");
    const head = segs[0] ?? "";
    if (!sections.includes(head)) {
      const near = sections.find((s) => head.startsWith(`${s}_`));
      if (near) issues.push({ variable, message: `no such key; nested keys are separated by "__" (e.g. ${ENV_PREFIX}${near}__${head.slice(near.length + 1)})` });
      continue;
    }
    const r = setPath(raw, segs, value, root);
    if (typeof r === "string") issues.push({ variable, message: r });
    else origins.set(formatPath(r), variable);
  }
  return { origins, issues };
}

type Container = Record<string, unknown> | unknown[];

/** Walks schema and raw tree together; returns the config path set, or a message. */
function setPath(raw: RawTree, segs: readonly string[], value: string, root: z.ZodTypeAny): (string | number)[] | string {
  let schema = root;
  let node: Container = raw;
  const path: (string | number)[] = [];
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i] ?? "";
    const last = i === segs.length - 1;
    const info = inspect(schema);
    let key: string | number;
    let next: z.ZodTypeAny;
    if (info.kind === "array") {
      if (!/^\d+$/.test(seg)) return `${formatPath(path)} is a list: expected an index, got "${seg}"`;
      key = Number(seg);
      next = elementOf(info.core) as z.ZodTypeAny;
    } else if (info.kind === "object") {
      const found = resolveKey(info.core, seg, last);
      if (!found) return `${formatPath(path) || "config"} has no key matching "${seg}"`;
      [key, next] = found;
    } else return `${formatPath(path)} has no sub-keys`;
    path.push(key);
    if (last) {
      const coerced = coerce(next, value);
      if (Array.isArray(node)) node[key as number] = coerced;
      else {
        node[key] = coerced;
        // Env beats the file: a value given by env replaces the file's `<key>File` and vice versa.
        const sibling = typeof key === "string" && key.endsWith("File") ? key.slice(0, -4) : `${String(key)}File`;
        delete node[sibling];
      }
      return path;
    }
    const child: unknown = Array.isArray(node) ? node[key as number] : node[key];
    const wantArray = inspect(next).kind === "array";
    let container: Container;
    if (typeof child === "object" && child !== null) container = child as Container;
    else {
      container = wantArray ? [] : {};
      if (Array.isArray(node)) node[key as number] = container;
      else node[key] = container;
    }
    node = container;
    schema = next;
  }
  return path;
}

function resolveKey(core: z.ZodTypeAny, seg: string, last: boolean): [string, z.ZodTypeAny] | undefined {
  const shape = shapeOf(core);
  for (const [k, v] of shape) if (snake(k) === seg) return [k, v];
  if (last && seg.endsWith("_FILE")) {
    const base = seg.slice(0, -5);
    for (const [k, v] of shape) if (snake(k) === base && inspect(v).secret) return [`${k}File`, v];
  }
  return undefined;
}

/** Env values are strings; turn them into what the schema expects so zod reports real type errors. */
function coerce(schema: z.ZodTypeAny, value: string): unknown {
  const info = inspect(schema);
  switch (info.kind) {
    case "number": {
      const n = Number(value);
      return value.trim() !== "" && Number.isFinite(n) ? n : value;
    }
    case "boolean":
      return value === "true" ? true : value === "false" ? false : value;
    case "array": {
      const el = elementOf(info.core);
      // A list of scalars may be given whole: STOX_SIP__DOMAINS=a.example,b.example
      if (el && inspect(el).kind !== "object") return value.split(",").map((v) => coerce(el, v.trim()));
      return value;
    }
    default:
      return value;
  }
}
