// A loggable copy of the config: secret keys (as marked in the schema) become "[redacted]" and
// passwords inside Redis URLs are masked, so `config` can be logged at startup.
import type { z } from "zod";
import { configSchema, type Config } from "./schema.js";
import { elementOf, inspect, shapeOf } from "./schema-walk.js";

export const REDACTED = "[redacted]";

export function redactConfig(config: Config): Config {
  return redactNode(config, configSchema) as Config;
}

export function redactUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:@/]*:)[^@/]*@/i, `$1${REDACTED}@`);
}

function redactNode(node: unknown, schema: z.ZodTypeAny): unknown {
  const info = inspect(schema);
  if (info.secret && node !== undefined) return REDACTED;
  if (Array.isArray(node)) {
    const el = elementOf(info.core);
    return node.map((v: unknown) => (el ? redactNode(v, el) : v));
  }
  if (typeof node === "object" && node !== null) {
    const shape = shapeOf(info.core);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      const sub = shape.get(k);
      out[k] = sub ? redactNode(v, sub) : v;
    }
    return out;
  }
  if (typeof node === "string" && /^rediss?:\/\//.test(node)) return redactUrl(node);
  return node;
}
