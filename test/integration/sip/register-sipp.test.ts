// Upstream REGISTER with digest credentials, verified by SIPp's <verifyauth> (MD5, qop=auth): the
// endpoint answers each 401 once with the identity's credentials; a wrong password ends in 403.
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { fileURLToPath } from "node:url";
import pino from "pino";
import { createSipEndpoint, type SipEndpoint } from "../../../src/sip/endpoint.js";
import { freePort } from "../../support/peers/process.js";
import { describeSipp, startSipp } from "../../support/peers/sipp.js";

const scenario = fileURLToPath(new URL("../scenarios/dialog-register-uas.xml", import.meta.url));
const logger = pino({ level: process.env.STOX_TEST_LOG ?? "silent" });

describe("REGISTER with digest against SIPp", () => {
  let ep: SipEndpoint;
  let password = "s3cret";
  const lookups: string[] = [];
  beforeEach(async () => {
    const port = await freePort();
    ep = createSipEndpoint({
      listen: [{ transport: "UDP", host: "127.0.0.1", port }],
      stackOptions: { timers: { t1: 100 } },
      credentials: (identity, realm) => { lookups.push(`${identity}|${realm}`); return { username: "alice", password }; },
    }, logger);
    await ep.start();
  });
  afterEach(async () => { await ep.close(); }, 20_000);

  it("registers, learns the granted expiry, and unregisters, each time through a 401", async () => {
    password = "s3cret";
    const sipp = await startSipp({ scenario, transport: "u1", calls: 1, timeoutS: 30 });
    const reg = ep.register({ aor: "sip:alice@sip.test", registrar: `sip:127.0.0.1:${sipp.localPort}`, expires: 600 });
    expect((await reg.ready).status).toBe(200);
    expect(reg.status()).toEqual({ state: "registered", expires: 300 });
    expect(lookups).toContain("sip:alice@sip.test|sip.test");
    expect((await reg.unregister())?.status).toBe(200);
    const r = await sipp.result();
    await sipp.stop();
    if (r.exitCode !== 0) throw new Error(describeSipp(r));
  }, 60_000);

  it("fails with 403 when the password is wrong", async () => {
    password = "wrong";
    const sipp = await startSipp({ scenario, transport: "u1", calls: 1, timeoutS: 30 });
    const reg = ep.register({ aor: "sip:alice@sip.test", registrar: `sip:127.0.0.1:${sipp.localPort}`, expires: 600 });
    expect((await reg.ready).status).toBe(403);
    expect(reg.status()).toMatchObject({ state: "failed", status: 403 });
    await reg.unregister();
    await sipp.stop();
  }, 60_000);
});
