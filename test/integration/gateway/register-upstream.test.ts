// sip.register: the gateway registers upstream with digest (SIPp <verifyauth> checks the credentials
// from the config) at start, and removes its binding on stop (REGISTER Expires: 0, challenged again).
import { describe, expect, it } from "@jest/globals";
import { fileURLToPath } from "node:url";
import { startDeployment } from "../../support/gateway-harness.js";
import { describeSipp, startSipp } from "../../support/peers/sipp.js";
import { waitFor } from "../../support/peers/process.js";

const scenario = fileURLToPath(new URL("../scenarios/dialog-register-uas.xml", import.meta.url));

describe("upstream REGISTER from config", () => {
  it("registers at start with the configured credentials and unregisters on stop", async () => {
    const registrar = await startSipp({ scenario, calls: 1, timeoutS: 30 });
    const d = await startDeployment({
      config: (base) => ({
        ...base,
        sip: { ...base.sip!, register: { registrar: `sip:127.0.0.1:${registrar.localPort}`, aor: "sip:alice@sip.test", username: "alice", password: "s3cret", expires: 600 } },
      }),
    });
    try {
      // The scenario grants 300 s once <verifyauth> accepted the credentials (else 403 → "failed").
      await waitFor("registered upstream", () => d.gateway.registration?.status()?.state === "registered", { timeoutMs: 10_000 });
      expect(d.gateway.registration?.status()).toEqual({ state: "registered", expires: 300 });
    } finally {
      await d.stop();
    }
    const r = await registrar.result();
    await registrar.stop();
    expect({ exit: r.exitCode, why: r.exitCode === 0 ? "" : describeSipp(r) }).toEqual({ exit: 0, why: "" });
  });
});
