// docs/errors.md is generated from mappings/errors.ts; this fails when someone edits one without the other.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "@jest/globals";
import { gatewayErrorMap, sipStatusToXmpp, xmppConditionToSip } from "../../../mappings/errors.js";
import { renderErrorDocs } from "../../../scripts/render-error-docs.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const doc = readFileSync(join(root, "docs/errors.md"), "utf8");

describe("docs/errors.md", () => {
  it("is up to date (run: node --import ./scripts/ts-register.mjs scripts/render-error-docs.ts)", () => {
    expect(doc).toBe(renderErrorDocs());
  });

  it("shows every row of every table", () => {
    for (const [status, row] of Object.entries(sipStatusToXmpp)) expect(doc).toContain(`| ${status} | ${row.type} | \`${row.condition}\``);
    for (const [condition, row] of Object.entries(xmppConditionToSip)) expect(doc).toMatch(new RegExp(`\\| \`${condition}\` \\| \\w+ \\| ${row.status} \\|`));
    for (const [code, row] of Object.entries(gatewayErrorMap)) expect(doc).toContain(`| \`${code}\` | ${row.sip.status} |`);
  });
});
