// Minimal INVITE dialogs against SIPp's built-in scenarios: SIPp's `uac` (INVITE with SDP → 200 →
// ACK → BYE) calls the endpoint, and the endpoint calls SIPp's `uas` (INVITE → 180/200 → our ACK →
// our BYE; its scenario ends with a fixed 4 s pause). SIPp fails the call on any missing or malformed
// step, and counts retransmissions (an unACKed 2xx would show there).
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import pino from "pino";
import { createSipEndpoint, type InviteSession, type SipEndpoint } from "../../../src/sip/endpoint.js";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, requireBinary, tempDir, waitFor } from "../../support/peers/process.js";
import { describeSipp, runSipp, startSipp } from "../../support/peers/sipp.js";

const logger = pino({ level: process.env.STOX_TEST_LOG ?? "silent" });
const answer = "v=0\r\no=stox 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

describe("INVITE dialogs with SIPp", () => {
  let ep: SipEndpoint;
  let port: number;
  const sessions: InviteSession[] = [];
  const ended: string[] = [];
  const builtIn: Record<string, string> = {};
  beforeAll(async () => {
    // SIPp's own built-in scenarios, dumped with `sipp -sd NAME` so the shared runner can use -sf.
    requireBinary("sipp");
    const dir = tempDir("sipp-builtin");
    for (const name of ["uac", "uas"]) {
      builtIn[name] = join(dir, `${name}.xml`);
      writeFileSync(builtIn[name]!, spawnSync("sipp", ["-sd", name], { encoding: "utf8" }).stdout);
    }
    port = await freePort();
    ep = createSipEndpoint({ listen: [{ transport: "UDP", host: "127.0.0.1", port }], stackOptions: { timers: { t1: 100 } } }, logger);
    ep.onInvite((ctx) => {
      const s = ctx.accept(answer);
      s.onEnded((by) => ended.push(by));
      sessions.push(s);
    });
    await ep.start();
  });
  afterAll(async () => { await ep.close(); }, 20_000);

  it("answers SIPp's INVITEs with SDP and takes their ACK and BYE", async () => {
    const r = await runSipp({ scenario: builtIn.uac!, remote: `127.0.0.1:${port}`, transport: "u1", calls: 5, rate: 10, service: "alice", timeoutS: 30, extraArgs: ["-d", "100"] });
    if (r.exitCode !== 0) throw new Error(describeSipp(r));
    expect(r.stats["SuccessfulCall(C)"]).toBe("5");
    await waitFor("5 BYEs", () => ended.length === 5);
    expect(ended).toEqual(Array(5).fill("remote"));
    expect(sessions[0]!.remoteSdp).toContain("m=audio");
  }, 60_000);

  it("calls SIPp's uas: ACKs its 200 and ends with BYE", async () => {
    const sipp = await startSipp({ scenario: builtIn.uas!, transport: "u1", calls: 1, timeoutS: 30 });
    const { response, session } = await ep.invite("sip:alice@gw.test", `sip:service@127.0.0.1:${sipp.localPort}`, answer);
    expect(response.status).toBe(200);
    expect(session).toBeDefined();
    expect((await session!.bye())?.status).toBe(200);
    const r = await sipp.result();
    await sipp.stop();
    if (r.exitCode !== 0) throw new Error(describeSipp(r));
    expect(r.stats["Retransmissions(C)"]).toBe("0"); // our ACK stopped SIPp's 2xx at once
  }, 60_000);
});
