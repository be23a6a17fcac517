// baresip 1.0 as a SIP user agent peer (peers.md): headless, its own config directory, an account
// and contacts. Contacts marked `presence=p2p` make it SUBSCRIBE to them directly; its log (with
// -s SIP trace) is the evidence of what it sent and received.
import { writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { join } from "node:path";
import { freePort, freePortWithTlsNeighbour, startProcess, tempDir, waitFor, type PeerProcess } from "./process.js";

export interface BaresipOptions {
  /** The account line's AOR, e.g. "sip:bob@127.0.0.1". Port is added from `port`. */
  readonly user: string;
  /** Contacts to subscribe to (p2p presence), full SIP URIs with port. */
  readonly presenceContacts?: readonly { readonly name: string; readonly uri: string }[];
  /** Quit after this many seconds (-t), so a hung run cannot outlive the test. */
  readonly quitAfterS?: number;
  /** sip_listen port; baresip also binds port + 1 for TLS, so pick it with freePortWithTlsNeighbour(). */
  readonly port?: number;
  /** Use `user` as the AOR verbatim (e.g. "sip:bob@sip.example"), without appending the port. */
  readonly exactAor?: boolean;
  /** Account `outbound` proxy (e.g. "sip:127.0.0.1:5060;lr"): every request goes there (RFC 3261 §8.1.2). */
  readonly outboundProxy?: string;
  /** Load ctrl_tcp on a free port so that `command()` can drive the UA during a run. */
  readonly control?: boolean;
}

export interface BaresipPeer {
  readonly process: PeerProcess;
  readonly port: number;
  readonly aor: string;
  log(): string;
  /** Resolves once the log matches. */
  waitForLog(what: string, re: RegExp, timeoutMs?: number): Promise<void>;
  /** Runs a baresip command through ctrl_tcp (needs `control`), e.g. "presence_online"; resolves with its reply JSON. */
  command(name: string, params?: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startBaresip(o: BaresipOptions): Promise<BaresipPeer> {
  const dir = tempDir("baresip");
  const port = o.port ?? (await freePortWithTlsNeighbour());
  let ctrlPort = o.control ? await freePort() : undefined;
  while (ctrlPort === port + 1) ctrlPort = await freePort();
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
    ...(ctrlPort !== undefined ? ["module_app\tctrl_tcp.so", `ctrl_tcp_listen\t127.0.0.1:${ctrlPort}`] : []),
    "",
  ].join("\n"));
  const aor = o.exactAor ? o.user : `${o.user}:${port}`;
  const outbound = o.outboundProxy !== undefined ? `;outbound="${o.outboundProxy}"` : "";
  writeFileSync(join(dir, "accounts"), `<${aor}>${outbound};regint=0;pubint=0\n`);
  writeFileSync(join(dir, "contacts"), (o.presenceContacts ?? []).map((c) => `"${c.name}" <${c.uri}>;presence=p2p\n`).join(""));
  const proc = startProcess({ name: "baresip", cmd: "baresip", args: ["-f", dir, "-s", "-t", String(o.quitAfterS ?? 30)], dir });
  await waitFor("baresip ready", () => proc.log().includes("baresip is ready"), { peer: proc, timeoutMs: 10_000 });
  return {
    process: proc,
    port,
    aor,
    log: () => proc.log(),
    waitForLog: (what, re, timeoutMs = 15_000) => waitFor(what, () => re.test(proc.log()), { peer: proc, timeoutMs }),
    command: (name, params = "") => {
      if (ctrlPort === undefined) return Promise.reject(new Error("baresip started without control: true"));
      return ctrlCommand(ctrlPort, name, params);
    },
    stop: () => proc.stop({ graceMs: 2000 }),
  };
}

/** ctrl_tcp speaks netstrings of JSON: `{"command","params","token"}` in, `{"response":true,...}` out. */
function ctrlCommand(port: number, command: string, params: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = createConnection(port, "127.0.0.1");
    const token = `t${Date.now()}`;
    const json = JSON.stringify({ command, params, token });
    let buf = "";
    const timer = setTimeout(() => { sock.destroy(); reject(new Error(`baresip ${command}: no reply in ${timeoutMs} ms`)); }, timeoutMs);
    sock.once("connect", () => sock.write(`${Buffer.byteLength(json)}:${json},`));
    sock.on("data", (d) => {
      buf += d.toString("utf8");
      const m = /^(\d+):/.exec(buf);
      if (m === null) return;
      const body = buf.slice(m[0].length, m[0].length + Number(m[1]));
      if (body.length < Number(m[1])) return;
      // Events are pushed on the same connection; the reply is the message carrying our token.
      if (body.includes(token)) { clearTimeout(timer); sock.destroy(); resolve(body); return; }
      buf = buf.slice(m[0].length + Number(m[1]) + 1);
    });
    sock.once("error", (err) => { clearTimeout(timer); reject(err); });
  });
}
