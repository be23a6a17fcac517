// Renders docs/errors.md from mappings/errors.ts:
//   node --import ./scripts/ts-register.mjs scripts/render-error-docs.ts
// test/unit/mappings/errors-doc.test.ts fails when the committed doc is stale.
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  gatewayErrorMap,
  sipClassDefault,
  sipStatusToXmpp,
  xmppConditionDefaultType,
  xmppConditionToSip,
} from "../mappings/errors.js";

const mark = (recalled: boolean): string => (recalled ? "yes" : "no");

export function renderErrorDocs(): string {
  const out: string[] = [];
  out.push(
    "# Errors across the boundary",
    "",
    "<!-- Generated from mappings/errors.ts by scripts/render-error-docs.ts. Do not edit by hand. -->",
    "",
    "Every error the gateway emits is read from `mappings/errors.ts` through `src/translate/errors.ts`:",
    "`sipStatusToXmppError(status)`, `xmppErrorToSipStatus(condition, type?)`, `gatewayErrorToSip(err)`,",
    "`gatewayErrorToXmpp(err)`. Handlers never choose a status or a condition themselves.",
    "",
    "## Provenance: rows marked *recalled*",
    "",
    "The body of RFC 7247 could not be read in this environment (only its title pages were stored), so",
    "every RFC 7247 row below is marked `recalled: true`: it was written from memory of the RFC's error",
    "tables and must be checked against the RFC text. The section numbers (§7.1 XMPP→SIP, §7.2 SIP→XMPP)",
    "are recalled too. The default error types per condition are recalled from the examples of",
    "RFC 6120 §8.3.3 and agree with Smack's `StanzaError` table. Rows of the gateway's own codes are",
    "decisions of this project, each citing the RFC sections it rests on.",
    "",
    "Where two recollections disagree, the table takes the mapping that keeps the SIP meaning; check these",
    "first against the RFC: 413/513 (`policy-violation` here, `bad-request` in Kamailio's `pua_xmpp`),",
    "414/416 (`jid-malformed` here), 415 (`not-acceptable` here), 420 (`feature-not-implemented`), 423",
    "(`resource-constraint`), 484 (`item-not-found`; `jid-malformed` in Kamailio), 486",
    "(`recipient-unavailable`; unmapped in Kamailio, so it falls to its `not-acceptable` default), and",
    "XMPP `feature-not-implemented` → 405 (501 is the other candidate).",
    "",
    "## SIP response → XMPP stanza error (RFC 7247 §7.2)",
    "",
    "| SIP status | XMPP type | XMPP condition | Reference | Recalled |",
    "|---|---|---|---|---|",
  );
  for (const [status, row] of Object.entries(sipStatusToXmpp)) {
    out.push(`| ${status} | ${row.type} | \`${row.condition}\` | ${row.ref} | ${mark(row.recalled)} |`);
  }
  out.push(
    "",
    "Codes not listed take the row of their class's x00 code (RFC 3261 §8.1.3.2: an unrecognised final",
    "response is treated as x00). 1xx and 2xx are not errors and map to nothing.",
    "",
    "| Class | Treated as |",
    "|---|---|",
  );
  for (const [cls, code] of Object.entries(sipClassDefault)) out.push(`| ${cls}xx | ${code} |`);
  out.push(
    "",
    "## XMPP stanza error → SIP response (RFC 7247 §7.1)",
    "",
    "All 22 defined conditions of RFC 6120 §8.3.3. An unknown condition is handled as",
    "`undefined-condition` (RFC 6120 §8.3.2).",
    "",
    "| XMPP condition | Default type (RFC 6120 §8.3.3) | SIP status | Note | Recalled |",
    "|---|---|---|---|---|",
  );
  for (const [condition, row] of Object.entries(xmppConditionToSip)) {
    const type = xmppConditionDefaultType[condition as keyof typeof xmppConditionDefaultType];
    const note = "note" in row ? row.note : "";
    out.push(`| \`${condition}\` | ${type} | ${row.status} | ${note} | ${mark(row.recalled)} |`);
  }
  out.push(
    "",
    "## Gateway error codes",
    "",
    "`GatewayError` (`src/domain/errors.ts`) is a value `{ code, detail?, cause?, retryAfterS? }`, never a",
    "thrown string. The compiler requires exactly one row per code (`satisfies Record<GatewayErrorCode, …>`).",
    "`retryAfterS` on an error overrides the table's Retry-After default.",
    "",
    "| Code | SIP status | Reason | Retry-After (s) | XMPP type | XMPP condition | Reference |",
    "|---|---|---|---|---|---|---|",
  );
  for (const [code, row] of Object.entries(gatewayErrorMap)) {
    const retry = "retryAfterS" in row.sip ? String(row.sip.retryAfterS) : "";
    out.push(`| \`${code}\` | ${row.sip.status} | ${row.sip.reason} | ${retry} | ${row.xmpp.type} | \`${row.xmpp.condition}\` | ${row.ref} |`);
  }
  out.push(
    "",
    "### Decisions",
    "",
    "- **rateLimited → 503 + Retry-After / wait `policy-violation`.** SIP has no rate-limit status (its 429 is",
    "  *Provide Referrer Identity*, RFC 3892), so 503 with Retry-After (RFC 3261 §21.5.4) is the SIP answer.",
    "  On XMPP, `policy-violation` says the sender broke a local policy, and type `wait` (RFC 6120 §8.3.2)",
    "  says retrying later will work; `resource-constraint` would blame the gateway's capacity instead, which",
    "  is what `bufferFull` means.",
    "- **unsupportedMediaType → 415 / cancel `feature-not-implemented`.** The recipient side cannot carry the",
    "  payload at all (RFC 6120 §8.3.3.3); `bad-request` would tell the sender its XML is broken, which it is not.",
    "- **unknownDomain → 404 / cancel `remote-server-not-found`.** RFC 3261 §21.4.5 names 404 for a",
    "  Request-URI domain the recipient does not handle; on XMPP the domain behind the gateway does not exist.",
    "- **unroutable → 404 / cancel `item-not-found`.** The domain is ours but the direction is not (SIP to a SIP",
    "  domain, XMPP to a local XMPP domain): relaying would loop.",
    "- **incompleteAddress → 484.** A URI or JID without the user it needs (RFC 3261 §21.4.22).",
    "",
  );
  return out.join("\n");
}

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(join(root, "docs/errors.md"), renderErrorDocs());
  console.log("wrote docs/errors.md");
}
