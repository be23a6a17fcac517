// Table-driven golden tests: every directory under test/golden/presence is one case, either
// SIP → XMPP (input.pidf.xml → expected.json) or XMPP → SIP (input.xmpp.json → expected.pidf.xml).
// Expected files are reviewed by hand; UPDATE_GOLDEN=1 rewrites them after an intended change.
import { describe, expect, it } from "@jest/globals";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { XmppPresenceState } from "../../../src/domain/presence.js";
import { buildPidf } from "../../../src/simple/pidf/build.js";
import { parsePidf } from "../../../src/simple/pidf/parse.js";
import { pidfToXmppPresences, presenceEquals, xmppPresencesToPidf } from "../../../src/translate/presence.js";

const root = fileURLToPath(new URL("../../golden/presence/", import.meta.url));
const cases = readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
const update = process.env["UPDATE_GOLDEN"] === "1";

interface XmppInput {
  readonly presentity: string;
  readonly sipAor: string;
  readonly resources: readonly XmppPresenceState[];
}

function parseOk(xml: string) {
  const r = parsePidf(xml, { contentType: "application/pidf+xml" });
  if (!r.ok) throw new Error(`${r.error.kind}: ${r.error.reason}`);
  return r.value;
}

const sipCases = cases.filter((c) => existsSync(`${root}${c}/input.pidf.xml`));
const xmppCases = cases.filter((c) => existsSync(`${root}${c}/input.xmpp.json`));

describe("golden presence: SIP → XMPP", () => {
  it.each(sipCases)("%s", (name) => {
    const actual = pidfToXmppPresences(parseOk(readFileSync(`${root}${name}/input.pidf.xml`, "utf8")));
    const file = `${root}${name}/expected.json`;
    if (update) writeFileSync(file, `${JSON.stringify(actual, null, 2)}\n`);
    expect(actual).toEqual(JSON.parse(readFileSync(file, "utf8")));
  });
});

describe("golden presence: XMPP → SIP", () => {
  it.each(xmppCases)("%s", (name) => {
    const input = JSON.parse(readFileSync(`${root}${name}/input.xmpp.json`, "utf8")) as XmppInput;
    const actual = buildPidf(xmppPresencesToPidf(input.presentity, input.resources, { sipAor: input.sipAor }));
    const file = `${root}${name}/expected.pidf.xml`;
    if (update) writeFileSync(file, `${actual}\n`);
    expect(`${actual}\n`).toBe(readFileSync(file, "utf8"));
  });

  it.each(xmppCases)("%s survives the way back: show, statuses, availability and delay are kept", (name) => {
    const input = JSON.parse(readFileSync(`${root}${name}/input.xmpp.json`, "utf8")) as XmppInput;
    const back = pidfToXmppPresences(parseOk(buildPidf(xmppPresencesToPidf(input.presentity, input.resources, { sipAor: input.sipAor }))));
    expect(back).toHaveLength(input.resources.length);
    input.resources.forEach((r, i) => {
      const b = back[i];
      // Priority and caps are not carried back by default (docs/presence-mapping.md).
      const { priority: _p, caps: _c, ...rest } = r;
      expect(b && presenceEquals(b, rest)).toBe(true);
      expect(b?.delay).toBe(r.delay);
    });
  });
});
