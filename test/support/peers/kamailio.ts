// Kamailio 5.6 as the SIP domain's registrar, proxy and presence server (peers.md recipe): db_text
// tables in a temp dir, presence + presence_xml (force_active: no XCAP pres-rules needed), requests for
// the XMPP domain relayed to the gateway with Record-Route so that in-dialog NOTIFYs come back through it.
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { createSocket } from "node:dgram";
import { join } from "node:path";
import { freePort, startProcess, tempDir, waitFor, type PeerProcess } from "./process.js";

const MODULES = "/usr/lib/x86_64-linux-gnu/kamailio/modules/";
const DBTEXT = "/usr/share/kamailio/dbtext/kamailio";
const TABLES = ["version", "presentity", "active_watchers", "watchers", "xcap", "pua", "location"] as const;

export interface KamailioOptions {
  /** Domain Kamailio serves (its users PUBLISH, REGISTER, are subscribed to here). */
  readonly domain: string;
  /** Requests whose Request-URI host is this domain go to `gateway`. */
  readonly gatewayDomain: string;
  /** "127.0.0.1:PORT" of the gateway (UDP). */
  readonly gateway: string;
  /** presence_xml force_active (default true); false makes new watchers pending (no pres-rules here). */
  readonly forceActive?: boolean;
  /** Listen port (UDP and TCP); default a free one. Pre-allocate it when the gateway must route here first. */
  readonly port?: number;
}

export interface KamailioPeer {
  readonly process: PeerProcess;
  readonly port: number;
  /** "sip:127.0.0.1:PORT" (the gateway's route toward the SIP domain). */
  readonly uri: string;
  log(): string;
  stop(): Promise<void>;
}

export function kamailioConfig(o: KamailioOptions & { readonly port: number; readonly dbDir: string }): string {
  return `#!KAMAILIO
debug=2
log_stderror=yes
children=2
tcp_children=1
listen=udp:127.0.0.1:${o.port}
listen=tcp:127.0.0.1:${o.port}
alias="${o.domain}"
auto_aliases=no
mpath="${MODULES}"

loadmodule "db_text.so"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "sanity.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "presence.so"
loadmodule "presence_xml.so"

modparam("usrloc", "db_mode", 0)
modparam("presence", "db_url", "text://${o.dbDir}")
modparam("presence", "server_address", "sip:127.0.0.1:${o.port}")
modparam("presence_xml", "db_url", "text://${o.dbDir}")
modparam("presence_xml", "force_active", ${o.forceActive === false ? 0 : 1})

request_route {
  if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
  if (!sanity_check()) { exit; }
  if (is_method("CANCEL")) { if (t_check_trans()) t_relay(); exit; }
  if (has_totag()) {
    # In-dialog: dialogs we record-routed (gateway <-> SIP user) follow their Route set; the rest are
    # our own presence dialogs (the gateway refreshing a SUBSCRIBE to a local presentity).
    if (loose_route()) { t_relay(); exit; }
    if (is_method("SUBSCRIBE")) { route(PRESENCE); exit; }
    if (is_method("ACK")) { if (t_check_trans()) t_relay(); exit; }
    sl_send_reply("404", "Not here");
    exit;
  }
  if ($rd == "${o.gatewayDomain}") {
    record_route();
    $du = "sip:${o.gateway}";
    t_relay();
    exit;
  }
  if (is_method("PUBLISH|SUBSCRIBE")) { route(PRESENCE); exit; }
  if (is_method("REGISTER")) { save("location"); exit; }
  if (!lookup("location")) { sl_send_reply("404", "Not Found"); exit; }
  t_relay();
}

route[PRESENCE] {
  if (!t_newtran()) { sl_reply_error(); exit; }
  if (is_method("PUBLISH")) { handle_publish(); } else { handle_subscribe(); }
  t_release();
  exit;
}
`;
}

/** True once something answers a SIP OPTIONS on 127.0.0.1:port over UDP. */
function sipAnswers(port: number, timeoutMs = 300): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket("udp4");
    const done = (ok: boolean) => { clearTimeout(t); s.close(); resolve(ok); };
    const t = setTimeout(() => done(false), timeoutMs);
    s.on("message", (m) => done(m.toString("latin1").startsWith("SIP/2.0 ")));
    s.on("error", () => done(false));
    s.bind(0, "127.0.0.1", () => {
      const local = s.address().port;
      const branch = `z9hG4bK-probe${Date.now()}`;
      s.send([
        `OPTIONS sip:127.0.0.1:${port} SIP/2.0`, `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=${branch}`, "Max-Forwards: 70",
        `From: <sip:probe@127.0.0.1>;tag=p${local}`, `To: <sip:127.0.0.1:${port}>`, `Call-ID: probe-${branch}`, "CSeq: 1 OPTIONS",
        "Content-Length: 0", "", "",
      ].join("\r\n"), port, "127.0.0.1");
    });
  });
}

export async function startKamailio(o: KamailioOptions): Promise<KamailioPeer> {
  const dir = tempDir("kamailio");
  const dbDir = join(dir, "db");
  mkdirSync(dbDir);
  for (const t of TABLES) copyFileSync(join(DBTEXT, t), join(dbDir, t));
  const port = o.port ?? (await freePort());
  const cfg = join(dir, "kamailio.cfg");
  writeFileSync(cfg, kamailioConfig({ ...o, port, dbDir }));
  const proc = startProcess({ name: "kamailio", cmd: "kamailio", args: ["-f", cfg, "-DD", "-E", "-w", dir, "-P", join(dir, "kamailio.pid")], dir });
  await waitFor(`kamailio answering on ${port}`, () => sipAnswers(port), { peer: proc, timeoutMs: 15_000, intervalMs: 200 });
  return {
    process: proc, port, uri: `sip:127.0.0.1:${port}`,
    log: () => proc.log(),
    stop: () => proc.stop({ graceMs: 2000 }),
  };
}
