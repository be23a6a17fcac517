// SIPp 3.6 (Debian package sip-tester) as a peer: run a scenario file as UAC or UAS over UDP (-t u1),
// one TCP connection (-t t1) or one TCP connection per call (-t tn), collect the exit code and the
// -trace_stat / -trace_err / -trace_screen files, and put them in the failure message.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, startProcess, tcpListening, tempDir, waitFor, type PeerProcess } from "./process.js";

export type SippTransport = "u1" | "un" | "t1" | "tn" | "l1" | "ln";

export interface SippOptions {
  readonly scenario: string;
  /** UAC: where to send ("host:port"); omit for a UAS. */
  readonly remote?: string;
  readonly transport?: SippTransport;
  /** -m: stop after this many calls. */
  readonly calls?: number;
  /** -r: calls per second (UAC). */
  readonly rate?: number;
  /** -l: concurrent calls cap. */
  readonly limit?: number;
  /** -s: Request-URI user. */
  readonly service?: string;
  readonly localPort?: number;
  /** -timeout seconds with -timeout_error: a hung run fails instead of blocking the test. */
  readonly timeoutS?: number;
  readonly extraArgs?: readonly string[];
}

export interface SippResult {
  readonly exitCode: number | null;
  /** Columns of the last -trace_stat row (SuccessfulCall(C), FailedCall(C), Retransmissions(C), ...). */
  readonly stats: Readonly<Record<string, string>>;
  readonly errors: string;
  readonly screen: string;
  readonly log: string;
}

export interface SippPeer {
  readonly process: PeerProcess;
  readonly localPort: number;
  /** Waits for SIPp to exit and collects its evidence. */
  result(): Promise<SippResult>;
  stop(): Promise<void>;
}

function readIf(path: string): string {
  return existsSync(path) ? readFileSync(path, "utf8") : "";
}

/** Last row of SIPp's ';'-separated statistics CSV, keyed by column name. */
export function parseSippStats(csv: string): Record<string, string> {
  const lines = csv.split("\n").filter((l) => l.trim().length > 0);
  const head = lines[0]?.split(";") ?? [];
  const last = lines.length > 1 ? lines[lines.length - 1]!.split(";") : [];
  const out: Record<string, string> = {};
  head.forEach((h, i) => { if (h) out[h] = last[i] ?? ""; });
  return out;
}

export async function startSipp(opts: SippOptions): Promise<SippPeer> {
  const dir = tempDir("sipp");
  const localPort = opts.localPort ?? (await freePort());
  const args = [
    ...(opts.remote !== undefined ? [opts.remote] : []),
    "-sf", opts.scenario,
    "-i", "127.0.0.1",
    "-p", String(localPort),
    "-t", opts.transport ?? "u1",
    "-nostdin",
    // SIPp's default of 50000 sockets exceeds the usual open-file limit and makes -t tn refuse to start.
    "-max_socket", "2000",
    "-trace_err", "-error_file", join(dir, "errors.log"),
    "-trace_stat", "-stf", join(dir, "stats.csv"), "-fd", "1",
    "-trace_screen", "-screen_file", join(dir, "screen.log"),
    "-timeout", `${opts.timeoutS ?? 60}s`, "-timeout_error",
    ...(opts.calls !== undefined ? ["-m", String(opts.calls)] : []),
    ...(opts.rate !== undefined ? ["-r", String(opts.rate)] : []),
    ...(opts.limit !== undefined ? ["-l", String(opts.limit)] : []),
    ...(opts.service !== undefined ? ["-s", opts.service] : []),
    ...(opts.extraArgs ?? []),
  ];
  const proc = startProcess({ name: "sipp", cmd: "sipp", args, dir });
  if (opts.remote === undefined) {
    // A UAS is ready once its socket is bound (TCP: accepting; UDP: give it a moment to bind).
    const tcp = (opts.transport ?? "u1").startsWith("t");
    if (tcp) {
      await waitFor(`sipp UAS on ${localPort}`, () => tcpListening(localPort), { peer: proc });
    } else await new Promise((r) => setTimeout(r, 300));
  }
  return {
    process: proc,
    localPort,
    async result() {
      const exitCode = await proc.exited;
      return {
        exitCode,
        stats: parseSippStats(readIf(join(dir, "stats.csv"))),
        errors: readIf(join(dir, "errors.log")),
        screen: readIf(join(dir, "screen.log")),
        log: proc.log(),
      };
    },
    stop: () => proc.stop({ keep: false }),
  };
}

/** Runs SIPp to completion (UAC use). */
export async function runSipp(opts: SippOptions): Promise<SippResult> {
  const peer = await startSipp(opts);
  const r = await peer.result();
  await peer.stop();
  return r;
}

/** Failure text with every piece of SIPp evidence (use as the message of a failed expectation). */
export function describeSipp(r: SippResult): string {
  const stats = ["SuccessfulCall(C)", "FailedCall(C)", "Retransmissions(C)", "OutOfCallMsgs(C)"]
    .map((k) => `${k}=${r.stats[k] ?? "?"}`).join(" ");
  return `sipp exit ${r.exitCode}; ${stats}\n--- errors ---\n${r.errors.slice(-3000)}\n--- screen ---\n${r.screen.slice(-3000)}\n--- log ---\n${r.log.slice(-2000)}`;
}

/** Throws with the evidence unless SIPp exited 0. */
export function expectSippSuccess(r: SippResult): void {
  if (r.exitCode !== 0) throw new Error(describeSipp(r));
}

/** Absolute path of a scenario file in test/integration/scenarios/. */
export function scenario(name: string): string {
  return new URL(`../../integration/scenarios/${name}`, import.meta.url).pathname;
}
