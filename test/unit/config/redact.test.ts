import { describe, it, expect } from "@jest/globals";
import { loadConfig } from "../../../src/config/load.js";
import { redactConfig, REDACTED } from "../../../src/config/redact.js";

describe("redactConfig", () => {
  it("replaces every secret marked in the schema and masks Redis URL passwords", () => {
    const r = loadConfig({
      env: {
        STOX_XMPP__COMPONENTS__0__DOMAIN: "sip.example",
        STOX_XMPP__COMPONENTS__0__SECRET: "component-secret",
        STOX_SIP__DOMAINS: "sip.example",
        STOX_SIP__REGISTER__REGISTRAR: "sip:reg.sip.example",
        STOX_SIP__REGISTER__AOR: "sip:gw@sip.example",
        STOX_SIP__REGISTER__USERNAME: "gw",
        STOX_SIP__REGISTER__PASSWORD: "register-password",
        STOX_SIP__CREDENTIALS__0__REALM: "sip.example",
        STOX_SIP__CREDENTIALS__0__USERNAME: "gw",
        STOX_SIP__CREDENTIALS__0__PASSWORD: "digest-password",
        STOX_STORE__KIND: "redis",
        STOX_STORE__REDIS_URL: "redis://:redis-password@redis:6379/0",
      },
    });
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    const red = redactConfig(r.value);
    const text = JSON.stringify(red);
    for (const s of ["component-secret", "register-password", "digest-password", "redis-password"]) expect(text).not.toContain(s);
    expect(red.xmpp.components[0]?.secret).toBe(REDACTED);
    expect(red.sip.register?.password).toBe(REDACTED);
    expect(red.store.redisUrl).toBe(`redis://:${REDACTED}@redis:6379/0`);
    // Non-secrets survive untouched and the original is not modified.
    expect(red.sip.credentials[0]?.username).toBe("gw");
    expect(r.value.xmpp.components[0]?.secret).toBe("component-secret");
  });
});
