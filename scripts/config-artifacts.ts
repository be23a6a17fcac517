// The files generated from src/config/schema.ts, by repository-relative path (shared by the render
// script and the staleness test, so both produce byte-identical output).
import { renderConfigDocs, renderSampleYaml } from "../src/config/render-docs.js";
import { helmValuesJsonSchema, renderChartReadme } from "./helm-values.js";

export function generatedFiles(): Record<string, string> {
  return {
    "docs/config.md": renderConfigDocs(),
    "examples/stox.sample.yaml": renderSampleYaml(),
    "helm/stox/values.schema.json": `${JSON.stringify(helmValuesJsonSchema(), null, 2)}\n`,
    "helm/stox/README.md": renderChartReadme(),
  };
}
