// Throwaway redis-server on a free loopback port. Never the system Redis on 6379: every test gets its
// own process, its own directory, and (optionally) an append-only file there for restart tests.
import { createConnection } from "node:net";
import { freePort, startProcess, tempDir, waitFor, type PeerProcess } from "./process.js";

export interface RedisPeer {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  /** Stops the process (SIGTERM, then SIGKILL); with `keepData` the directory survives for a restart. */
  stop(opts?: { keepData?: boolean }): Promise<void>;
  /** SIGKILL: no shutdown save, like a crashed pod. The directory is kept. */
  kill(): Promise<void>;
  /** Starts a new process on the same port and directory (AOF data is reloaded when `persistent`). */
  restart(): Promise<void>;
  log(): string;
}

export interface RedisPeerOptions {
  /** appendonly yes + appendfsync always in the peer's directory, so data survives stop/kill + restart. */
  readonly persistent?: boolean;
  /** Extra `--name value` arguments, e.g. ["--maxmemory", "64mb"]. */
  readonly extraArgs?: readonly string[];
}

/** Sends one inline PING and resolves true on "+PONG" (no client library: this checks the peer itself). */
export function redisPing(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(port, "127.0.0.1");
    const done = (ok: boolean): void => { clearTimeout(timer); socket.destroy(); resolve(ok); };
    const timer = setTimeout(() => done(false), timeoutMs);
    let buf = "";
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.on("data", (d) => { buf += d.toString("latin1"); if (buf.includes("\r\n")) done(buf.startsWith("+PONG")); });
    socket.once("error", () => done(false));
  });
}

export async function startRedis(opts: RedisPeerOptions = {}): Promise<RedisPeer> {
  const port = await freePort();
  const dir = tempDir("redis");
  const args = [
    "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--dir", dir,
    "--appendonly", opts.persistent ? "yes" : "no",
    ...(opts.persistent ? ["--appendfsync", "always"] : []),
    ...(opts.extraArgs ?? []),
  ];
  let peer: PeerProcess;
  const launch = async (): Promise<void> => {
    peer = startProcess({ name: "redis", cmd: "redis-server", args, dir });
    await waitFor(`redis-server PING on ${port}`, () => redisPing(port), { peer, timeoutMs: 10_000 });
  };
  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    stop: ({ keepData = false } = {}) => peer.stop({ keep: keepData }),
    async kill() {
      const pid = peer.child.pid;
      if (pid !== undefined && peer.child.exitCode === null && peer.child.signalCode === null) {
        try { process.kill(-pid, "SIGKILL"); } catch { /* already gone */ }
        await peer.exited;
      }
    },
    restart: launch,
    log: () => peer.log(),
  };
}
