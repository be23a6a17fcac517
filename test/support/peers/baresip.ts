// baresip 1.0 as a SIP user agent peer (peers.md): headless, its own config directory, an account
// and contacts. Contacts marked `presence=p2p` make it SUBSCRIBE to them directly; its log (with
// -s SIP trace) is the evidence of what it sent and received.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, startProcess, tempDir, waitFor, type PeerProcess } from "./process.js";

export interface BaresipOptions {
  /** The account line's AOR, e.g. "sip:bob@127.0.0.1". Port is added from `port`. */
  readonly user: string;
  /** Contacts to subscribe to (p2p presence), full SIP URIs with port. */
  readonly presenceContacts?: readonly { readonly name: string; readonly uri: string }[];
  /** Quit after this many seconds (-t), so a hung run cannot outlive the test. */
  readonly quitAfterS?: number;
  readonly port?: number;
}

export interface BaresipPeer {
  readonly process: PeerProcess;
  readonly port: number;
  readonly aor: string;
  log(): string;
  /** Resolves once the log matches. */
  waitForLog(what: string, re: RegExp, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startBaresip(o: BaresipOptions): Promise<BaresipPeer> {
  const dir = tempDir("baresip");
  const port = o.port ?? (await freePort());
  writeFileSync(join(dir, "config"), [
    "poll_method\tepoll",
    `sip_listen\t127.0.0.1:${port}`,
    "module_path\t/usr/lib/baresip/modules",
    "module\tg711.so",
    "module\taufile.so",
    "audio_player\taufile,/dev/null",
    "audio_source\taufile,/dev/null",
    "audio_alert\taufile,/dev/null",
    "module_app\taccount.so",
    "module_app\tcontact.so",
    "module_app\tmenu.so",
    "module_app\tpresence.so",
    "",
  ].join("\n"));
  const aor = `${o.user}:${port}`;
  writeFileSync(join(dir, "accounts"), `<${aor}>;regint=0;pubint=0\n`);
  writeFileSync(join(dir, "contacts"), (o.presenceContacts ?? []).map((c) => `"${c.name}" <${c.uri}>;presence=p2p\n`).join(""));
  const proc = startProcess({ name: "baresip", cmd: "baresip", args: ["-f", dir, "-s", "-t", String(o.quitAfterS ?? 30)], dir });
  await waitFor("baresip ready", () => proc.log().includes("baresip is ready"), { peer: proc, timeoutMs: 10_000 });
  return {
    process: proc,
    port,
    aor,
    log: () => proc.log(),
    waitForLog: (what, re, timeoutMs = 15_000) => waitFor(what, () => re.test(proc.log()), { peer: proc, timeoutMs }),
    stop: () => proc.stop({ graceMs: 2000 }),
  };
}
