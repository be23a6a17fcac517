// A real Docker daemon for the image tests, per /work/shared/reference/ops-tooling.md: Debian's
// docker.io on a private socket (no bridge, no iptables: containers use the host's loopback with
// --network host), a local debootstrap base image, and a local stand-in for node:20-bookworm-slim
// built from this machine's Node 20, so the project's Dockerfile builds unchanged without a registry.
// Everything lives under one cache dir and is reused across runs; setup needs root.
import { spawn, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir, waitFor } from "./peers/process.js";

export const DOCKER_DIR = process.env.STOX_DOCKER_DIR ?? "/var/cache/stox-test/docker";
const SOCKET = join(DOCKER_DIR, "docker.sock");
const PIDFILE = join(DOCKER_DIR, "dockerd.pid");
export const BASE_IMAGE = "local/debian:bookworm";
export const NODE_IMAGE = "node:20-bookworm-slim";
// Bumped whenever the recipe below changes, so cached images from an older recipe are rebuilt.
const RECIPE = "2";

export interface RunResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Docker {
  readonly host: string;
  /** Runs the docker CLI against the private daemon; never throws on a non-zero exit. */
  run(args: readonly string[], opts?: { timeoutMs?: number; input?: string }): Promise<RunResult>;
  /** Like run, but throws with the output when the command fails. */
  must(args: readonly string[], opts?: { timeoutMs?: number }): Promise<string>;
}

function sh(cmd: string, args: readonly string[], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): SpawnSyncReturns<string> {
  return spawnSync(cmd, [...args], { encoding: "utf8", timeout: opts.timeoutMs ?? 600_000, env: { ...process.env, ...opts.env }, maxBuffer: 64 * 1024 * 1024 });
}

function onPath(bin: string): boolean {
  return sh("sh", ["-c", `command -v ${bin}`]).status === 0;
}

/** Debian's docker CLI (matching its dockerd) when installed, else whatever `docker` is on PATH. */
const dockerBin = (): string => (existsSync("/usr/bin/docker") ? "/usr/bin/docker" : "docker");

function ensurePackages(): void {
  const missing = [["dockerd", "docker.io"], ["debootstrap", "debootstrap"]].filter(([bin]) => !onPath(bin!)).map(([, pkg]) => pkg!);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) throw new Error(`docker tests need ${missing.join(", ")}: run \`apt-get install -y ${missing.join(" ")}\` as root`);
  const opts = { env: { DEBIAN_FRONTEND: "noninteractive" } };
  let r = sh("apt-get", ["-o", "DPkg::Lock::Timeout=300", "install", "-y", "--no-install-recommends", ...missing], opts);
  if (r.status !== 0) {
    sh("apt-get", ["-o", "DPkg::Lock::Timeout=300", "update"], opts);
    r = sh("apt-get", ["-o", "DPkg::Lock::Timeout=300", "install", "-y", "--no-install-recommends", ...missing], opts);
  }
  if (r.status !== 0) throw new Error(`apt-get install ${missing.join(" ")} failed:\n${r.stderr.slice(-3000)}`);
}

function daemonAnswers(): boolean {
  return existsSync(SOCKET) && sh(dockerBin(), ["-H", `unix://${SOCKET}`, "version", "--format", "{{.Server.Version}}"], { timeoutMs: 10_000 }).status === 0;
}

async function ensureDaemon(): Promise<void> {
  if (daemonAnswers()) return;
  mkdirSync(DOCKER_DIR, { recursive: true });
  rmSync(SOCKET, { force: true });
  const log = openSync(join(DOCKER_DIR, "dockerd.log"), "a");
  const child = spawn("dockerd", [
    "--data-root", join(DOCKER_DIR, "data"), "--exec-root", join(DOCKER_DIR, "exec"),
    "--host", `unix://${SOCKET}`, "--pidfile", PIDFILE,
    "--bridge=none", "--iptables=false", "--ip6tables=false",
  ], { detached: true, stdio: ["ignore", log, log] });
  closeSync(log);
  // Deliberately outlives the test run: the next run reuses it (stopDocker() ends it by its pid file).
  child.unref();
  await waitFor("dockerd on its private socket", daemonAnswers, { timeoutMs: 90_000, intervalMs: 500 });
}

/** Stops the private daemon started by ensureDocker (by its pid file). */
export function stopDocker(): void {
  if (!existsSync(PIDFILE)) return;
  const pid = Number(readFileSync(PIDFILE, "utf8").trim());
  if (pid > 0) try { process.kill(pid, "SIGTERM"); } catch { /* already gone */ }
}

function debianMirror(): string {
  const sources = existsSync("/etc/apt/sources.list.d/debian.sources") ? readFileSync("/etc/apt/sources.list.d/debian.sources", "utf8") : "";
  const m = /^URIs:\s*(\S+debian)\s*$/m.exec(sources) ?? /^deb\s+(\S+debian)\s/m.exec(existsSync("/etc/apt/sources.list") ? readFileSync("/etc/apt/sources.list", "utf8") : "");
  return m?.[1] ?? "http://deb.debian.org/debian";
}

async function ensureBaseImage(d: Docker): Promise<void> {
  if (await hasCurrentImage(d, BASE_IMAGE)) return;
  const rootfs = join(DOCKER_DIR, "rootfs");
  rmSync(rootfs, { recursive: true, force: true });
  const r = sh("debootstrap", ["--variant=minbase", "bookworm", rootfs, debianMirror()], { timeoutMs: 900_000 });
  if (r.status !== 0) throw new Error(`debootstrap failed:\n${(r.stdout + r.stderr).slice(-3000)}`);
  // debootstrap leaves its downloaded .debs behind; the official images ship without them.
  sh("sh", ["-c", `rm -rf '${rootfs}'/var/cache/apt/archives/*.deb '${rootfs}'/var/lib/apt/lists/*`]);
  const imp = sh("sh", ["-c", `tar -C '${rootfs}' -c . | ${dockerBin()} -H unix://${SOCKET} import --change 'LABEL stox.recipe=${RECIPE}' - ${BASE_IMAGE}`], { timeoutMs: 600_000 });
  if (imp.status !== 0) throw new Error(`docker import failed: ${imp.stderr}`);
  rmSync(rootfs, { recursive: true, force: true });
}

/** node:20-bookworm-slim stand-in: this machine's Node 20 + npm + CA bundle, and the image's `node` user (uid 1000). */
async function ensureNodeImage(d: Docker): Promise<void> {
  if (await hasCurrentImage(d, NODE_IMAGE)) return;
  const ctx = tempDir("node-image");
  try {
    copyFileSync(process.execPath, join(ctx, "node"));
    cpSync("/usr/lib/node_modules/npm", join(ctx, "npm"), { recursive: true });
    copyFileSync("/etc/ssl/certs/ca-certificates.crt", join(ctx, "ca.crt"));
    writeFileSync(join(ctx, "Dockerfile"), [
      `FROM ${BASE_IMAGE}`,
      `LABEL stox.recipe=${RECIPE}`,
      "RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates libstdc++6 && apt-get clean && rm -rf /var/lib/apt/lists/*",
      "COPY node /usr/local/bin/node",
      "COPY npm /usr/local/lib/node_modules/npm",
      "COPY ca.crt /usr/local/share/ca-certificates/stox-host-bundle.crt",
      "RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\",
      " && npm config set --global cafile /usr/local/share/ca-certificates/stox-host-bundle.crt \\",
      " && groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node",
      "ENV NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/stox-host-bundle.crt",
      'CMD ["node"]',
      "",
    ].join("\n"));
    await d.must(["build", "--network", "host", "-t", NODE_IMAGE, ctx], { timeoutMs: 900_000 });
  } finally {
    rmSync(ctx, { recursive: true, force: true });
  }
}

async function hasCurrentImage(d: Docker, image: string): Promise<boolean> {
  const r = await d.run(["image", "inspect", "--format", "{{ index .Config.Labels \"stox.recipe\" }}", image]);
  return r.status === 0 && r.stdout.trim() === RECIPE;
}

export async function ensureDocker(): Promise<Docker> {
  ensurePackages();
  await ensureDaemon();
  const host = `unix://${SOCKET}`;
  const d: Docker = {
    host,
    run: (args, opts = {}) => new Promise<RunResult>((resolve) => {
      const child = spawn(dockerBin(), ["-H", host, ...args], { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, DOCKER_BUILDKIT: "0" } });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (c: Buffer) => { stdout += c.toString(); });
      child.stderr.on("data", (c: Buffer) => { stderr += c.toString(); });
      const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 600_000);
      child.on("close", (code) => { clearTimeout(timer); resolve({ status: code ?? 1, stdout, stderr }); });
      child.stdin.end(opts.input ?? "");
    }),
    async must(args, opts) {
      const r = await d.run(args, opts);
      if (r.status !== 0) throw new Error(`docker ${args.join(" ")} failed (${r.status}):\n${(r.stdout + r.stderr).slice(-4000)}`);
      return r.stdout;
    },
  };
  await ensureBaseImage(d);
  await ensureNodeImage(d);
  return d;
}
