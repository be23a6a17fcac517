// The files generated from src/config/schema.ts, by repository-relative path (shared by the render
// script and the staleness test, so both produce byte-identical output).
import { renderConfigDocs, renderSampleYaml } from "../src/config/render-docs.js";

export function generatedFiles(): Record<string, string> {
  return {
    "docs/config.md": renderConfigDocs(),
    "examples/stox.sample.yaml": renderSampleYaml(),
  };
}
