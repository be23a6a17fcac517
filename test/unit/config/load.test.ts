import { describe, it, expect } from "@jest/globals";
import { loadConfig, formatConfigErrors, type ConfigError } from "../../../src/config/load.js";
import { effectiveMappings, type Config } from "../../../src/config/schema.js";

const MINIMAL = `
xmpp:
  components:
    - domain: sip.example
      secret: s3cret
sip:
  domains: [sip.example]
`;

function files(map: Record<string, string>): (p: string) => string {
  return (p) => {
    const v = map[p];
    if (v === undefined) throw Object.assign(new Error(`ENOENT: ${p}`), { code: "ENOENT" });
    return v;
  };
}

function ok(r: ReturnType<typeof loadConfig>): Config {
  if (!r.ok) throw new Error(formatConfigErrors(r.error));
  return r.value;
}
function errors(r: ReturnType<typeof loadConfig>): readonly ConfigError[] {
  if (r.ok) throw new Error("expected the config to be refused");
  return r.error;
}

describe("loadConfig", () => {
  it("applies defaults to a minimal YAML file and freezes the result", () => {
    const c = ok(loadConfig({ file: "/c.yaml", env: {}, readFile: files({ "/c.yaml": MINIMAL }) }));
    const comp = c.xmpp.components[0]!;
    expect(comp).toMatchObject({ domain: "sip.example", host: "127.0.0.1", port: 5347, secret: "s3cret", keepaliveSeconds: 60, maxStanzaBytes: 262144 });
    expect(comp.reconnect).toEqual({ minMs: 500, maxMs: 30000 });
    expect(c.sip.timers).toEqual({ t1Ms: 500, t2Ms: 4000, t4Ms: 5000 });
    expect(c.http).toEqual({ host: "0.0.0.0", port: 9090 });
    expect(Object.isFrozen(c.xmpp.components)).toBe(true);
    expect(effectiveMappings(c)).toEqual([{ style: "same-domain", sipDomain: "sip.example" }]);
  });

  it("reads JSON files and takes the file from --config in argv", () => {
    const json = JSON.stringify({ xmpp: { components: [{ domain: "sip.example", secret: "x" }] }, sip: { domains: ["sip.example"] } });
    const c = ok(loadConfig({ argv: ["node", "cli.js", "--config", "/etc/stox/stox.json"], env: {}, readFile: files({ "/etc/stox/stox.json": json }) }));
    expect(c.xmpp.components[0]?.secret).toBe("x");
  });

  it("lets environment variables override the file, by index and with numeric coercion", () => {
    const c = ok(loadConfig({
      file: "/c.yaml",
      env: { STOX_XMPP__COMPONENTS__0__PORT: "5348", STOX_SIP__LIMITS__BURST: "7", STOX_LOG__BODIES: "true", STOX_XMPP__LOCAL_DOMAINS: "a.example, b.example" },
      readFile: files({ "/c.yaml": MINIMAL }),
    }));
    expect(c.xmpp.components[0]?.port).toBe(5348);
    expect(c.sip.limits.burst).toBe(7);
    expect(c.log.bodies).toBe(true);
    expect(c.xmpp.localDomains).toEqual(["a.example", "b.example"]);
  });

  it("builds a whole config from the environment alone, secret from a *_FILE", () => {
    const c = ok(loadConfig({
      env: { STOX_XMPP__COMPONENTS__0__DOMAIN: "sip.example", STOX_XMPP__COMPONENTS__0__SECRET_FILE: "/run/secrets/c", STOX_SIP__DOMAINS: "sip.example" },
      readFile: files({ "/run/secrets/c": "from-file\n" }),
    }));
    expect(c.xmpp.components[0]?.secret).toBe("from-file");
  });

  it("reads <secret>File keys in the file, and an env secret beats the file's secretFile", () => {
    const yaml = MINIMAL.replace("secret: s3cret", "secretFile: /s");
    const fromFile = ok(loadConfig({ file: "/c.yaml", env: {}, readFile: files({ "/c.yaml": yaml, "/s": "one" }) }));
    expect(fromFile.xmpp.components[0]?.secret).toBe("one");
    const fromEnv = ok(loadConfig({ file: "/c.yaml", env: { STOX_XMPP__COMPONENTS__0__SECRET: "two" }, readFile: files({ "/c.yaml": yaml }) }));
    expect(fromEnv.xmpp.components[0]?.secret).toBe("two");
  });

  it("names the exact key and how to set it when a secret is missing", () => {
    const errs = errors(loadConfig({ file: "/c.yaml", env: {}, readFile: files({ "/c.yaml": MINIMAL.replace("      secret: s3cret\n", "") }) }));
    expect(errs).toEqual([{
      path: "xmpp.components[0].secret",
      code: "required",
      message: "xmpp.components[0].secret: required (set it in the file (or secretFile), STOX_XMPP__COMPONENTS__0__SECRET or STOX_XMPP__COMPONENTS__0__SECRET_FILE)",
    }]);
  });

  it("refuses unknown keys, wrong types and bad values, all at once", () => {
    const yaml = `${MINIMAL}
  listen:
    - { transport: sctp, port: 5060 }
  trust: { proxies: [10.0.0.0/33] }
log: { level: loud, colour: true }
`;
    const errs = errors(loadConfig({ file: "/c.yaml", env: { STOX_SIP__LIMITS__BURST: "many" }, readFile: files({ "/c.yaml": yaml }) }));
    const byPath = new Map(errs.map((e) => [e.path, e]));
    expect(byPath.get("log.colour")?.code).toBe("unknown-key");
    expect(byPath.get("log.level")?.code).toBe("invalid");
    expect(byPath.get("sip.listen[0].transport")?.code).toBe("invalid");
    expect(byPath.get("sip.trust.proxies[0]")?.message).toContain("CIDR");
    expect(byPath.get("sip.limits.burst")?.message).toContain("(from STOX_SIP__LIMITS__BURST)");
  });

  it("refuses env variables that name no key, and hints at the __ separator", () => {
    const errs = errors(loadConfig({ file: "/c.yaml", env: { STOX_LOG_LEVEL: "debug", STOX_SIP__LIMTS__BURST: "1", STOX_KEEP_PEERS: "1" }, readFile: files({ "/c.yaml": MINIMAL }) }));
    expect(errs.map((e) => e.message)).toEqual([
      'STOX_LOG_LEVEL: no such key; nested keys are separated by "__" (e.g. STOX_LOG__LEVEL)',
      'STOX_SIP__LIMTS__BURST: sip has no key matching "LIMTS"',
    ]);
  });

  it("reports unreadable files and YAML syntax errors with their location", () => {
    expect(errors(loadConfig({ file: "/missing.yaml", env: {}, readFile: files({}) }))[0]).toMatchObject({ code: "file-unreadable", message: "/missing.yaml: ENOENT" });
    const syntax = errors(loadConfig({ file: "/c.yaml", env: {}, readFile: files({ "/c.yaml": "xmpp:\n  components: [\n" }) }))[0];
    expect(syntax?.code).toBe("syntax");
    expect(syntax?.message).toMatch(/^\/c\.yaml \(line \d+\): /);
    const secretFile = errors(loadConfig({ file: "/c.yaml", env: { STOX_XMPP__COMPONENTS__0__SECRET_FILE: "/nope" }, readFile: files({ "/c.yaml": MINIMAL }) }));
    expect(secretFile).toEqual([{ path: "xmpp.components[0].secretFile", code: "file-unreadable", message: "cannot read secret file /nope: ENOENT" }]);
  });

  it("checks cross-field rules: tls listeners need certificates, redis needs a URL, mappings need known domains", () => {
    const yaml = `${MINIMAL}
  listen: [{ transport: tls, port: 5061 }]
store: { kind: redis }
addressing:
  mappings: [{ style: transport, componentDomain: gw.example, sipDomains: [other.example] }]
`;
    const paths = errors(loadConfig({ file: "/c.yaml", env: {}, readFile: files({ "/c.yaml": yaml }) })).map((e) => e.message);
    expect(paths).toEqual(expect.arrayContaining([
      "sip.listen[0].transport: tls needs sip.tls (certFile, keyFile)",
      "store.redisUrl: required when store.kind is redis",
      "addressing.mappings[0]: gw.example is not a configured component domain (xmpp.components[].domain)",
      "addressing.mappings[0]: other.example is not in sip.domains",
      "addressing.mappings: SIP domain sip.example has no component domain: add a same-domain or transport mapping",
    ]));
  });
});
