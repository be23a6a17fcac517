import { describe, expect, it } from "@jest/globals";
import pino from "pino";
import { createAdmission } from "../../../src/lifecycle/admission.js";
import { runPhases, shutDown } from "../../../src/lifecycle/shutdown.js";
import type { SipRequest } from "../../../src/sip/message/types.js";

const req = {} as SipRequest; // the check looks at the state only
const silent = pino({ level: "silent" });

describe("admission", () => {
  it("admits while serving and refuses standby and draining with 503 + Retry-After", () => {
    const a = createAdmission({ retryAfterSeconds: 4.6, initial: "standby" });
    expect(a.check(req)).toEqual({ status: 503, reason: "Standby Replica", headers: { "retry-after": "5" } });
    a.set("serving");
    expect(a.check(req)).toBeUndefined();
    a.set("draining");
    expect(a.check(req)).toEqual({ status: 503, reason: "Shutting Down", headers: { "retry-after": "5" } });
  });

  it("never leaves draining (a lease acquired during shutdown does not reopen)", () => {
    const a = createAdmission({ retryAfterSeconds: 0 });
    a.set("draining");
    a.set("serving");
    expect(a.state).toBe("draining");
    expect(a.check(req)?.headers).toEqual({ "retry-after": "1" });
  });
});

describe("shutdown", () => {
  it("runs the phases in order and keeps going after a failing one", async () => {
    const seen: string[] = [];
    await runPhases([
      { name: "one", run: () => { seen.push("one"); } },
      { name: "two", run: async () => { seen.push("two"); throw new Error("stuck"); } },
      { name: "three", run: () => { seen.push("three"); } },
    ], silent);
    expect(seen).toEqual(["one", "two", "three"]);
  });

  it("goes not ready before refusing, keeps refusing for the window, then closes SIP, XMPP, lease, store, HTTP", async () => {
    const seen: string[] = [];
    const at = (s: string) => () => { seen.push(s); };
    const started = Date.now();
    let refusedAt = 0;
    let sipClosedAt = 0;
    await shutDown({
      notReady: at("not-ready"),
      refuseNew: () => { refusedAt = Date.now(); seen.push("refuse"); },
      refuseWindowMs: 120,
      idle: () => true,
      closeSip: async () => { sipClosedAt = Date.now(); seen.push("sip"); },
      stopXmpp: async () => { seen.push("xmpp"); },
      releaseLink: async () => { seen.push("lease"); },
      closeStore: async () => { seen.push("store"); },
      closeHttp: async () => { seen.push("http"); },
    }, silent);
    expect(seen).toEqual(["not-ready", "refuse", "sip", "xmpp", "lease", "store", "http"]);
    expect(refusedAt).toBeGreaterThanOrEqual(started);
    // Timers may fire a little early on a busy machine; the window is held to within a few ms.
    expect(sipClosedAt - refusedAt).toBeGreaterThanOrEqual(110);
  });
});
