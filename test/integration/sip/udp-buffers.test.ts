// SO_RCVBUF / SO_SNDBUF of UDP listeners (config sip.udp): what is requested, and what Linux grants and
// the gateway logs. Linux caps a request at net.core.rmem_max / wmem_max silently (socket(7)), read here
// from /proc so the test holds whatever this machine's sysctls are.
import { describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import { Writable } from "node:stream";
import pino from "pino";
import { createSipStack } from "../../../src/sip/stack.js";

interface Line { readonly msg: string; readonly level: number; readonly requested?: number; readonly granted?: number; readonly reported?: number }

async function bindWith(receiveBufferBytes: number | undefined, sendBufferBytes: number | undefined): Promise<Line[]> {
  const lines: Line[] = [];
  const sink = new Writable({ write(chunk: Buffer, _enc, cb) { for (const l of chunk.toString().split("\n")) if (l) lines.push(JSON.parse(l) as Line); cb(); } });
  const logger = pino({ level: "info" }, sink);
  const stack = createSipStack({
    listen: [{
      transport: "UDP", host: "127.0.0.1", port: 0,
      ...(receiveBufferBytes !== undefined ? { receiveBufferBytes } : {}), ...(sendBufferBytes !== undefined ? { sendBufferBytes } : {}),
    }],
    logger,
  });
  await stack.start();
  await stack.close();
  return lines.filter((l) => l.msg.includes("buffer"));
}

const sysctl = (name: string) => Number(readFileSync(`/proc/sys/net/core/${name}`, "utf8").trim());

describe("UDP listener socket buffers", () => {
  it("sets receive and send buffers below the (default Linux) caps and logs the size granted", async () => {
    const lines = await bindWith(100_000, 50_000);
    expect(lines.map((l) => [l.msg, l.requested, l.granted])).toEqual([
      ["UDP receive buffer set", 100_000, 100_000],
      ["UDP send buffer set", 50_000, 50_000],
    ]);
    // socket(7): the kernel reports twice what it set.
    expect(lines[0]?.reported).toBe(200_000);
  });

  it("warns when the kernel grants less than configured (net.core.rmem_max / wmem_max)", async () => {
    const big = 4 * Math.max(sysctl("rmem_max"), sysctl("wmem_max"));
    const lines = await bindWith(big, big);
    expect(lines.map((l) => [l.msg, l.level, l.granted])).toEqual([
      ["UDP receive buffer smaller than configured (raise net.core.rmem_max)", 40, sysctl("rmem_max")],
      ["UDP send buffer smaller than configured (raise net.core.wmem_max)", 40, sysctl("wmem_max")],
    ]);
  });

  it("0 leaves the OS default alone; no setting means 4 MiB requested", async () => {
    expect(await bindWith(0, 0)).toEqual([]);
    const lines = await bindWith(undefined, undefined);
    expect(lines.map((l) => l.requested)).toEqual([4 * 1024 * 1024, 4 * 1024 * 1024]);
  });
});
