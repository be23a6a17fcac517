// What the IQ answerer needs to know about the gateway; built once at startup by the composition root.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface IqAnswerConfig {
  /** Component domains (lowercase); IQs to other domains are not ours to answer. */
  readonly domains: ReadonlySet<string>;
  /** XEP-0030 identity name of the gateway itself, e.g. "SIP gateway". */
  readonly identityName: string;
  /** Features of the gateway JID: what the gateway really implements, supplied by the caller. */
  readonly features: readonly string[];
  /** Features of user JIDs (SIP users seen through the gateway), supplied by the caller. */
  readonly userFeatures: readonly string[];
  /** XEP-0092 answer; `os` is left out unless configured (it helps attackers more than users). */
  readonly version: { readonly name: string; readonly version: string; readonly os?: string };
  /** XEP-0115 node the presence side advertises, so `node#ver` disco#info queries are answered. */
  readonly capsNode?: string;
}

/** Version field of the nearest package.json named "stox" above this module (src/ or dist/src/). */
export function readPackageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "stox" && typeof pkg.version === "string") return pkg.version;
    } catch { /* not here: keep walking up */ }
    dir = dirname(dir);
  }
  throw new Error("package.json of stox not found above src/xmpp/ingress");
}
