// Node module hooks that run TypeScript sources directly through @swc/core (type-stripping only; type
// checking is `npm run typecheck`). Used by scripts such as render-config-docs.ts:
//   node --import ./scripts/ts-register.mjs scripts/render-config-docs.ts
import { readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import swc from "@swc/core";

export async function resolve(specifier, context, next) {
  // Sources import "./x.js" (NodeNext); map to x.ts when only the .ts exists.
  if (specifier.endsWith(".js") && (specifier.startsWith(".") || specifier.startsWith("file:")) && context.parentURL) {
    const url = new URL(specifier, context.parentURL);
    const ts = url.href.replace(/\.js$/, ".ts");
    if (!existsSync(fileURLToPath(url)) && existsSync(fileURLToPath(ts))) return { url: ts, shortCircuit: true, format: "module" };
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (!url.endsWith(".ts")) return next(url, context);
  const source = await readFile(fileURLToPath(url), "utf8");
  const out = await swc.transform(source, {
    filename: fileURLToPath(url),
    jsc: { target: "es2022", parser: { syntax: "typescript" } },
    module: { type: "es6" },
    sourceMaps: "inline",
  });
  return { format: "module", source: out.code, shortCircuit: true };
}
