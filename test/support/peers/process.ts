// Shared plumbing for starting real peers (Prosody, Redis, SIPp, baresip, Kamailio, ...) on loopback.
// Every peer gets free ports, its own throwaway directory, and its output in a log file that is kept
// (and printed) when a test fails. A missing binary fails loudly with the Debian install hint.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, openSync, readFileSync, rmSync, closeSync, existsSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { createSocket } from "node:dgram";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Debian package for each peer binary, for the install hint. */
const PACKAGE_OF: Record<string, string> = {
  prosody: "prosody",
  prosodyctl: "prosody",
  "redis-server": "redis-server",
  sipp: "sip-tester",
  baresip: "baresip",
  kamailio: "kamailio",
  erl: "ejabberd",
  sipsak: "sipsak",
};

/** Throws (never skips) when a peer binary is missing: the suite must not pass without its peers. */
export function requireBinary(bin: string): string {
  const r = spawnSync("sh", ["-c", `command -v ${bin}`], { encoding: "utf8" });
  const path = r.stdout.trim();
  if (r.status !== 0 || !path) {
    const pkg = PACKAGE_OF[bin] ?? bin;
    throw new Error(`required peer binary "${bin}" is not installed: run \`apt-get install -y ${pkg}\` (npm test does this when run as root)`);
  }
  return path;
}

/** A TCP port that was free a moment ago on 127.0.0.1 (also checked free for UDP). */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once("error", reject);
      srv.listen(0, "127.0.0.1", () => {
        const p = (srv.address() as AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
    if (await udpPortFree(port)) return port;
  }
}

/**
 * A port p free for TCP and UDP whose neighbour p+1 is free for TCP too: baresip binds its SIP/TLS
 * listener on sip_listen's port + 1 and exits (98) when that one is taken (seen in CI).
 */
export async function freePortWithTlsNeighbour(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port < 65535 && (await tcpPortFree(port + 1))) return port;
  }
}

function udpPortFree(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const s = createSocket("udp4");
    s.once("error", () => resolve(false));
    s.bind(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

function tcpPortFree(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `stox-${prefix}-`));
}

export interface PeerProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly dir: string;
  readonly logFile: string;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  log(): string;
  /** SIGTERM, then SIGKILL after `graceMs`. Removes the directory unless `keep` or STOX_KEEP_PEERS is set. */
  stop(opts?: { graceMs?: number; keep?: boolean }): Promise<void>;
}

export interface StartOptions {
  readonly name: string;
  readonly cmd: string;
  readonly args: readonly string[];
  readonly dir: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

export function startProcess(opts: StartOptions): PeerProcess {
  requireBinary(opts.cmd);
  const logFile = join(opts.dir, `${opts.name}.log`);
  const fd = openSync(logFile, "a");
  const child = spawn(opts.cmd, [...opts.args], {
    cwd: opts.cwd ?? opts.dir,
    env: { ...process.env, ...opts.env },
    stdio: ["ignore", fd, fd],
    detached: true, // own process group: stop() reaches forked workers too
  });
  closeSync(fd);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const log = () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : "");
  return {
    name: opts.name,
    child,
    dir: opts.dir,
    logFile,
    exited,
    log,
    async stop({ graceMs = 3000, keep = false } = {}) {
      if (child.exitCode === null && child.signalCode === null && child.pid) {
        try { process.kill(-child.pid, "SIGTERM"); } catch { /* already gone */ }
        const timer = setTimeout(() => { try { process.kill(-child.pid!, "SIGKILL"); } catch { /* gone */ } }, graceMs);
        await exited;
        clearTimeout(timer);
      }
      if (!keep && !process.env.STOX_KEEP_PEERS) rmSync(opts.dir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns true; on timeout throws with the peer's log tail for the failure report. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, opts: { timeoutMs?: number; intervalMs?: number; peer?: PeerProcess } = {}): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  for (;;) {
    if (await check()) return;
    if (opts.peer && opts.peer.child.exitCode !== null) {
      throw new Error(`${opts.peer.name} exited (${opts.peer.child.exitCode}) while waiting for ${what}\n--- ${opts.peer.logFile} ---\n${opts.peer.log().slice(-4000)}`);
    }
    if (Date.now() > deadline) {
      const tail = opts.peer ? `\n--- ${opts.peer.logFile} ---\n${opts.peer.log().slice(-4000)}` : "";
      throw new Error(`timed out waiting for ${what}${tail}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 50));
  }
}

/** True once something accepts TCP connections on 127.0.0.1:port. */
export async function tcpListening(port: number): Promise<boolean> {
  const { connect } = await import("node:net");
  return new Promise((resolve) => {
    const s = connect(port, "127.0.0.1");
    s.once("connect", () => { s.destroy(); resolve(true); });
    s.once("error", () => resolve(false));
  });
}
