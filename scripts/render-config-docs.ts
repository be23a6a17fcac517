// Regenerates the files derived from the config schema:
//   node --import ./scripts/ts-register.mjs scripts/render-config-docs.ts
// test/unit/config/generated.test.ts fails when any of them is stale.
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { generatedFiles } from "./config-artifacts.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
for (const [rel, content] of Object.entries(generatedFiles())) {
  writeFileSync(join(root, rel), content);
  console.log(`wrote ${rel}`);
}
