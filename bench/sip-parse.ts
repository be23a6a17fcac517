// SIP message parse benchmark: a realistic 1.2 KB NOTIFY with a PIDF body, parsed (and serialised)
// in a loop on one core. Not part of the test suite. Run:
//   node --import ./scripts/ts-register.mjs bench/sip-parse.ts [--seconds 3]
//   node --import ./scripts/ts-register.mjs bench/sip-parse.ts --callgrind [--iterations 20000]
// The callgrind mode runs this file twice under `valgrind --tool=callgrind` (warm-up only, then
// warm-up + N parses) and prints the difference per parse, so start-up and JIT warm-up cancel out.
// Node runs --single-threaded there: with concurrent JIT and GC threads the count varied by ±10%
// from run to run; on one thread it repeats within 0.5%.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseMessage } from "../src/sip/message/parse.js";
import { serializeMessage } from "../src/sip/message/serialize.js";
import { topVia } from "../src/sip/message/via.js";
import { getTag } from "../src/sip/message/name-addr.js";
import { parseCSeq } from "../src/sip/message/cseq.js";

const PIDF = `<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model"
    xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:alice@example.com">
  <tuple id="a8098a.792"><status><basic>open</basic></status>
    <contact priority="0.8">sip:alice@pc33.example.com</contact><timestamp>2026-11-25T13:00:00Z</timestamp></tuple>
  <tuple id="b2c91f.117"><status><basic>closed</basic></status>
    <contact priority="0.2">sip:alice@mobile.example.com</contact></tuple>
  <dm:person id="p1"><rpid:activities><rpid:away/></rpid:activities><dm:note>Out to lunch</dm:note></dm:person>
</presence>
`;

export function benchNotify(): Buffer {
  const head = [
    "NOTIFY sip:bob@192.0.2.4:5060;transport=udp SIP/2.0",
    "Via: SIP/2.0/UDP gw.example.com:5060;branch=z9hG4bK776asdhds8a7sdf9a;rport",
    "Max-Forwards: 70",
    "To: \"Bob\" <sip:bob@example.com>;tag=1928301774",
    "From: \"Alice\" <sip:alice@example.com>;tag=a73kszlfl",
    "Call-ID: a84b4c76e66710a84b4c76e66710@gw.example.com",
    "CSeq: 314159 NOTIFY",
    "Contact: <sip:alice@gw.example.com:5060;transport=udp>",
    "Event: presence",
    "Subscription-State: active;expires=3599",
    "User-Agent: stox/0.1",
    "Content-Type: application/pidf+xml",
    `Content-Length: ${Buffer.byteLength(PIDF)}`,
  ].join("\r\n");
  return Buffer.from(`${head}\r\n\r\n${PIDF}`);
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

function parseOnce(msg: Buffer): number {
  const r = parseMessage(msg);
  if (!r.ok) throw new Error(r.error.reason);
  return r.message.body.length;
}

export interface Rate {
  /** Calls per wall-clock second. */
  readonly wall: number;
  /** Calls per second of this process's CPU time (user + system): what one dedicated core would do. */
  readonly cpu: number;
}

/**
 * Runs `op` for `seconds`, checking the clock every 1000 calls. CPU time is reported next to wall
 * time because the machine is shared: on a loaded host the wall rate understates one core's rate.
 */
function rate(seconds: number, op: () => number): Rate {
  let n = 0;
  let sink = 0;
  const end = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  const start = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  for (;;) {
    for (let i = 0; i < 1000; i++) sink += op();
    n += 1000;
    if (process.hrtime.bigint() >= end) break;
  }
  const cpu = process.cpuUsage(cpu0);
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  if (sink < 0) console.log(sink);
  return { wall: n / elapsed, cpu: n / ((cpu.user + cpu.system) / 1e6) };
}

function loop(iterations: number): void {
  const msg = benchNotify();
  let sink = 0;
  for (let i = 0; i < 20_000; i++) sink += parseOnce(msg); // warm-up: tiered up before measuring
  for (let i = 0; i < iterations; i++) sink += parseOnce(msg);
  if (sink < 0) console.log(sink);
}

function callgrindTotal(iterations: number): number {
  const dir = mkdtempSync(join(tmpdir(), "sip-parse-cg-"));
  const out = join(dir, "callgrind.out");
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync("valgrind", ["--tool=callgrind", "--smc-check=all-non-file", `--callgrind-out-file=${out}`,
    process.execPath, "--single-threaded", ...process.execArgv, self, "--loop", String(iterations)], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`valgrind failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const m = /^(?:summary|totals):\s*(\d+)/m.exec(readFileSync(out, "utf8"));
  rmSync(dir, { recursive: true, force: true });
  if (m === null) throw new Error("no totals in callgrind output");
  return Number(m[1]);
}

function main(): void {
  if (process.argv.includes("--loop")) return loop(arg("--loop", 0));
  const msg = benchNotify();
  if (process.argv.includes("--callgrind")) {
    const n = arg("--iterations", 20_000);
    const base = callgrindTotal(0);
    const full = callgrindTotal(n);
    console.log(`callgrind: ${((full - base) / n).toFixed(0)} instructions per parse (${n} parses, ${msg.length}-byte NOTIFY; Ir ${full} − ${base})`);
    return;
  }
  const seconds = arg("--seconds", 3);
  rate(1, () => parseOnce(msg)); // warm-up
  const parse = rate(seconds, () => parseOnce(msg));
  const roundTrip = rate(seconds, () => {
    const r = parseMessage(msg);
    if (!r.ok) throw new Error(r.error.reason);
    return serializeMessage(r.message).length;
  });
  const withViews = rate(seconds, () => {
    const r = parseMessage(msg);
    if (!r.ok) throw new Error(r.error.reason);
    const h = r.message.headers;
    return (topVia(r.message)?.params.size ?? 0) + (getTag(h.get("from")!)?.length ?? 0) + (getTag(h.get("to")!)?.length ?? 0)
      + (parseCSeq(h.get("cseq")!)?.seq ?? 0);
  });
  const fmt = (r: Rate) => `${Math.round(r.cpu).toLocaleString("en-US")}/s per CPU-second (${(1e9 / r.cpu).toFixed(0)} ns); wall ${Math.round(r.wall).toLocaleString("en-US")}/s`;
  console.log(`message: ${msg.length}-byte NOTIFY with PIDF body; node ${process.version}; ${seconds}s per figure; load ${loadavg().map((l) => l.toFixed(1)).join(" ")}`);
  console.log(`parse:                   ${fmt(parse)}`);
  console.log(`parse + serialize:       ${fmt(roundTrip)}`);
  console.log(`parse + Via/tags/CSeq:   ${fmt(withViews)}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
