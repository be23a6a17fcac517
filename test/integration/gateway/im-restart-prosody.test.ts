// Nothing the gateway answered 200 is lost when the XMPP server restarts under load (RFC 7572 page
// mode; docs/architecture.md "When a SIP MESSAGE is answered"). SIPp sends a steady stream while
// Prosody is stopped and started again; every MESSAGE answered 200 must reach alice (live, or from
// Prosody's offline storage at her next login); the rest must have been answered with an error.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Element } from "../../../src/xmpp/xml.js";
import { startDeployment, SIP_DOMAIN, XMPP_DOMAIN, type Deployment } from "../../support/gateway-harness.js";
import { describeSipp, startSipp } from "../../support/peers/sipp.js";
import { messageUacAcceptOrRefuse, scenarioFile } from "../../support/sipp-im-scenarios.js";

const CALLS = 100;
const RATE = 20;

// Accepts 200 or 503 and logs which one each call got, so the test knows what the gateway promised.
const scenarioXml = messageUacAcceptOrRefuse({
  from: `sip:bob@${SIP_DOMAIN}`, to: `sip:alice@${XMPP_DOMAIN}`, contentType: "text/plain;charset=UTF-8",
  body: "restart [call_number]", logOutcome: true,
});

describe("IM across an XMPP server restart", () => {
  let d: Deployment;
  beforeAll(async () => {
    d = await startDeployment({ users: ["alice"] });
  }, 30_000);
  afterAll(async () => {
    await d?.stop();
  });

  it("delivers every MESSAGE it answered 200, and answers the others with an error", async () => {
    const before = await d.client("alice", { resource: "before" });
    const sipp = await startSipp({
      scenario: scenarioFile("restart.xml", scenarioXml),
      remote: `127.0.0.1:${d.sipPort}`,
      calls: CALLS, rate: RATE, timeoutS: 60,
      extraArgs: ["-trace_logs"],
    });
    await new Promise((r) => setTimeout(r, 1000));
    await d.prosody.stopServer();
    // Down longer than the gateway holds a MESSAGE for the link (8 s): the first ones sent during the
    // outage must be refused with 503, the later ones wait for the link and are delivered.
    await new Promise((r) => setTimeout(r, 9500));
    await d.prosody.startServer();
    const result = await sipp.result();
    const logFile = readdirSync(sipp.process.dir).find((f) => f.endsWith("_logs.log"));
    const logLines = logFile ? readFileSync(join(sipp.process.dir, logFile), "utf8").split("\n") : [];
    await sipp.stop();
    const accepted = logLines.flatMap((l) => /accepted (\d+)/.exec(l)?.[1] ?? []).map(Number);
    const refused = logLines.flatMap((l) => /refused (\d+)/.exec(l)?.[1] ?? []).map(Number);
    expect({ exit: result.exitCode, why: result.exitCode === 0 ? "" : describeSipp(result) }).toEqual({ exit: 0, why: "" });
    // Every call got a final answer; the restart happened mid-stream, so both kinds may occur.
    expect(accepted.length + refused.length).toBe(CALLS);
    expect(accepted.length).toBeGreaterThan(CALLS / 4);
    expect(refused.length).toBeGreaterThan(0);

    // alice logs in again after the restart: messages stored while she was cut off come now.
    const after = await d.client("alice", { resource: "after" });
    const received = new Set<number>();
    const collect = (el: Element) => {
      const m = /^restart (\d+)/.exec(el.getChildText("body") ?? "");
      if (el.name === "message" && m) received.add(Number(m[1]));
    };
    const settle = async () => {
      for (let i = 0; i < 50; i++) {
        before.stanzas.forEach(collect);
        after.stanzas.forEach(collect);
        if (accepted.every((n) => received.has(n))) return;
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    await settle();
    const lost = accepted.filter((n) => !received.has(n));
    expect({ lost, accepted: accepted.length, refused: refused.length }).toEqual({ lost: [], accepted: accepted.length, refused: refused.length });
  });
});
