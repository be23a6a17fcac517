#!/usr/bin/env node
// One entry point for a fresh Debian machine with Node 20: `npm test` and `npm run demo` both come here.
// It uses only Node built-ins because it runs before node_modules exists: it installs the npm
// dependencies (npm ci), the Debian packages of the real peers the tests and the demo start
// (apt-get when root, otherwise it fails naming them), builds, and then runs the job.
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const job = process.argv[2] ?? "test";

/** Binaries the real-peer tests need, and the Debian package that provides each. */
export const PEERS = [
  ["prosody", "prosody"],
  ["prosodyctl", "prosody"],
  ["redis-server", "redis-server"],
  ["sipp", "sip-tester"],
  ["baresip", "baresip"],
  ["kamailio", "kamailio"],
  ["ejabberdctl", "ejabberd"],
];
const DEMO_PEERS = PEERS.filter(([bin]) => ["prosody", "prosodyctl"].includes(bin));
// Packages with no binary of their own to look for.
const EXTRA_PACKAGES = {
  test: ["kamailio-presence-modules", "kamailio-xml-modules"],
  demo: [],
};

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: "inherit", cwd: root, ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}
function must(cmd, args, opts) {
  const code = run(cmd, args, opts);
  if (code !== 0) {
    console.error(`\n✖ ${cmd} ${args.join(" ")} exited with ${code}`);
    process.exit(code);
  }
}
function onPath(bin) {
  return spawnSync("sh", ["-c", `command -v ${bin}`], { stdio: "ignore" }).status === 0;
}
function packageInstalled(pkg) {
  const r = spawnSync("dpkg-query", ["-W", "-f=${Status}", pkg], { encoding: "utf8" });
  return r.status === 0 && r.stdout.includes("install ok installed");
}

function ensureNodeModules() {
  const lock = join(root, "package-lock.json");
  const marker = join(root, "node_modules", ".package-lock.json");
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  console.log("→ installing npm dependencies (npm ci)");
  must("npm", ["ci", "--no-audit", "--no-fund"]);
}

function ensureDebianPackages(peers, extra) {
  const missing = new Set(peers.filter(([bin]) => !onPath(bin)).map(([, pkg]) => pkg));
  for (const pkg of extra) if (!packageInstalled(pkg)) missing.add(pkg);
  if (missing.size === 0) return;
  const list = [...missing];
  if (process.getuid?.() !== 0) {
    console.error(`✖ missing Debian packages: ${list.join(" ")}\n  install them with: sudo apt-get install -y ${list.join(" ")}`);
    process.exit(1);
  }
  console.log(`→ installing Debian packages: ${list.join(" ")}`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  if (run("apt-get", ["install", "-y", "-q", ...list], { env }) !== 0) {
    must("apt-get", ["update", "-q"], { env });
    must("apt-get", ["install", "-y", "-q", ...list], { env });
  }
}

ensureNodeModules();
const jest = ["--experimental-vm-modules", "node_modules/jest/bin/jest.js"];
switch (job) {
  case "test":
    ensureDebianPackages(PEERS, EXTRA_PACKAGES.test);
    must("npx", ["tsc", "-p", "tsconfig.json", "--noEmit"]);
    must("node", [...jest, "--selectProjects", "unit"]);
    must("node", [...jest, "--selectProjects", "integration", "--maxWorkers=2"]);
    break;
  case "demo":
    ensureDebianPackages(DEMO_PEERS, EXTRA_PACKAGES.demo);
    must("node", ["--import", "./scripts/ts-register.mjs", "scripts/demo.ts", ...process.argv.slice(3)]);
    break;
  default:
    console.error(`unknown job ${job}: use test or demo`);
    process.exit(2);
}
