// Reads the zod config schema back as data: the one place that knows zod's wrapper types, so the
// loader (env names, coercion, secret files), redaction and the docs renderer never disagree.
import { z } from "zod";
import { isSecretSchema } from "./fields.js";

export type FieldKind = "string" | "number" | "boolean" | "enum" | "object" | "array" | "other";

export interface FieldInfo {
  /** The schema with defaults/optional/refinements peeled off. */
  readonly core: z.ZodTypeAny;
  readonly kind: FieldKind;
  readonly description: string | undefined;
  readonly hasDefault: boolean;
  readonly defaultValue: unknown;
  readonly optional: boolean;
  readonly secret: boolean;
  /** Allowed values of an enum or literal. */
  readonly values: readonly string[] | undefined;
}

export function inspect(schema: z.ZodTypeAny): FieldInfo {
  let s = schema;
  let description: string | undefined;
  let hasDefault = false;
  let defaultValue: unknown;
  let optional = false;
  let secret = false;
  for (;;) {
    description ??= s.description;
    secret ||= isSecretSchema(s);
    if (s instanceof z.ZodDefault) {
      // The outermost default is the one zod applies.
      if (!hasDefault) defaultValue = s._def.defaultValue();
      hasDefault = true;
      s = s._def.innerType;
    } else if (s instanceof z.ZodOptional || s instanceof z.ZodNullable) {
      optional = true;
      s = s.unwrap();
    } else if (s instanceof z.ZodEffects) {
      s = s.innerType();
    } else break;
  }
  return { core: s, kind: kindOf(s), description, hasDefault, defaultValue, optional, secret, values: valuesOf(s) };
}

function kindOf(s: z.ZodTypeAny): FieldKind {
  if (s instanceof z.ZodString) return "string";
  if (s instanceof z.ZodNumber) return "number";
  if (s instanceof z.ZodBoolean) return "boolean";
  if (s instanceof z.ZodEnum || s instanceof z.ZodLiteral) return "enum";
  if (s instanceof z.ZodObject || s instanceof z.ZodDiscriminatedUnion) return "object";
  if (s instanceof z.ZodArray) return "array";
  return "other";
}

function valuesOf(s: z.ZodTypeAny): readonly string[] | undefined {
  if (s instanceof z.ZodEnum) return s.options as string[];
  if (s instanceof z.ZodLiteral) return [String(s.value)];
  return undefined;
}

/** Keys of an object schema; for a discriminated union, the union of its variants' keys (first variant wins). */
export function shapeOf(core: z.ZodTypeAny): ReadonlyMap<string, z.ZodTypeAny> {
  const out = new Map<string, z.ZodTypeAny>();
  if (core instanceof z.ZodObject) {
    for (const [k, v] of Object.entries(core.shape as Record<string, z.ZodTypeAny>)) out.set(k, v);
  } else if (core instanceof z.ZodDiscriminatedUnion) {
    for (const option of core.options as z.ZodObject<z.ZodRawShape>[]) {
      for (const [k, v] of Object.entries(option.shape as Record<string, z.ZodTypeAny>)) if (!out.has(k)) out.set(k, v);
    }
  }
  return out;
}

export function elementOf(core: z.ZodTypeAny): z.ZodTypeAny | undefined {
  return core instanceof z.ZodArray ? (core.element as z.ZodTypeAny) : undefined;
}

/** A path segment: a key, or "[]" for "every element of an array". */
export type PathTemplate = readonly string[];

export interface Leaf {
  readonly path: PathTemplate;
  readonly info: FieldInfo;
  /** Variant this key belongs to when it sits in a discriminated union ("style=transport"). */
  readonly variant: string | undefined;
}

/** Every documented key, depth first in declaration order; objects and arrays of objects are also listed. */
export function leaves(schema: z.ZodTypeAny, prefix: PathTemplate = []): Leaf[] {
  const out: Leaf[] = [];
  const info = inspect(schema);
  const visitShape = (core: z.ZodTypeAny, base: PathTemplate): void => {
    if (core instanceof z.ZodDiscriminatedUnion) {
      const disc = core.discriminator as string;
      const options = core.options as z.ZodObject<z.ZodRawShape>[];
      const tags = options.map((o) => inspect(o.shape[disc] as z.ZodTypeAny));
      const first = tags[0];
      if (first) {
        const description = tags.map((t) => `\`${t.values?.[0] ?? ""}\`: ${t.description ?? ""}`).join(" ");
        out.push({ path: [...base, disc], info: { ...first, description, values: tags.map((t) => t.values?.[0] ?? "") }, variant: undefined });
      }
      options.forEach((option, i) => {
        for (const [k, v] of Object.entries(option.shape as Record<string, z.ZodTypeAny>)) {
          if (k !== disc) for (const l of leaves(v, [...base, k])) out.push({ ...l, variant: `${disc}=${tags[i]?.values?.[0] ?? ""}` });
        }
      });
      return;
    }
    for (const [k, v] of shapeOf(core)) out.push(...leaves(v, [...base, k]));
  };
  if (prefix.length > 0) out.push({ path: prefix, info, variant: undefined });
  if (info.kind === "object") visitShape(info.core, prefix);
  const el = elementOf(info.core);
  if (el && inspect(el).kind === "object") visitShape(inspect(el).core, [...prefix, "[]"]);
  return out;
}

/** "xmpp.components[0].secret" from ["xmpp","components",0,"secret"] (or "[]" template segments). */
export function formatPath(path: readonly (string | number)[]): string {
  let s = "";
  for (const seg of path) {
    if (typeof seg === "number" || seg === "[]" || /^\d+$/.test(seg)) s += `[${seg === "[]" ? "" : seg}]`;
    else s += s === "" ? seg : `.${seg}`;
  }
  return s;
}
