import { describe, it, expect } from "@jest/globals";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { generatedFiles } from "../../../scripts/config-artifacts.js";
import { loadConfig, formatConfigErrors } from "../../../src/config/load.js";
import { configObjectSchema } from "../../../src/config/schema.js";
import { leaves, formatPath } from "../../../src/config/schema-walk.js";
import { effectiveMappings, addressPlanConfig } from "../../../src/config/schema.js";
import { compileAddressPlan } from "../../../src/translate/address-plan.js";

const root = join(import.meta.dirname ?? new URL(".", import.meta.url).pathname, "../../..");
const fakeSecrets = (p: string): string => (p.startsWith("/run/secrets/") ? "secret" : readFileSync(p, "utf8"));

describe("files generated from the config schema", () => {
  it.each(Object.keys(generatedFiles()))("%s is up to date (run: node --import ./scripts/ts-register.mjs scripts/render-config-docs.ts)", (rel) => {
    expect(readFileSync(join(root, rel), "utf8")).toBe(generatedFiles()[rel]);
  });

  it("documents every key of the schema, each with a description", () => {
    const doc = generatedFiles()["docs/config.md"] ?? "";
    for (const leaf of leaves(configObjectSchema)) {
      expect(doc).toContain(`| \`${formatPath(leaf.path)}\` |`);
      expect(leaf.info.description ?? "").not.toBe("");
    }
  });

  it("the sample file loads as a valid config", () => {
    const r = loadConfig({ file: join(root, "examples/stox.sample.yaml"), env: {}, readFile: fakeSecrets });
    if (!r.ok) throw new Error(formatConfigErrors(r.error));
  });

  it.each(["federation", "transport"])("examples/%s.yaml loads with its secret from the environment", (name) => {
    const r = loadConfig({ file: join(root, `examples/${name}.yaml`), env: { STOX_XMPP__COMPONENTS__0__SECRET_FILE: "/run/secrets/component-secret" }, readFile: fakeSecrets });
    if (!r.ok) throw new Error(formatConfigErrors(r.error));
    expect(effectiveMappings(r.value)[0]?.style).toBe(name === "federation" ? "same-domain" : "transport");
    // The config's addressing section is exactly what the address layer compiles.
    expect(compileAddressPlan(addressPlanConfig(r.value)).ok).toBe(true);
  });
});
