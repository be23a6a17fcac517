// Presence login storm (issue 4c): U XMPP users, each watching C SIP contacts through the gateway (the
// gateway is the RFC 6665 subscriber; a SIPp UAS is every contact's notifier: 200 + NOTIFY active PIDF).
// Phase 1 (setup): all U users log in, then each sends C `subscribe` stanzas at once → the gateway
// SUBSCRIBEs → NOTIFY active → `subscribed` + presence to the user. Phase 2 (the storm): all U users
// disconnect, then log in again at once; at login their server probes every contact with subscription
// "to" (RFC 6121 §4.3.1) and the gateway answers from stored state (xmpp-watchers.ts onProbe).
// Measured per phase: time to full presence (every user holds an available presence from each of her
// C contacts), the SUBSCRIBEs the gateway sends toward SIP (peak per wall-clock second), NOTIFYs, CPU
// per party, UDP drops. --shared: all users watch the same C contacts (default: distinct contacts).
// Not part of the test suite. Run:
//   node --import ./scripts/ts-register.mjs bench/presence-login-storm.ts [--users 200] [--contacts 50]
//     [--shared] [--store memory|redis] [--roster internal|memory] [--timeout 300] [--settle 180] [--keepalive 30]
//     [--subscribe-rate N]   (presence.subscribeRatePerSecond; default: the config default)
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadavg } from "node:os";
import { xml, type Element } from "../src/xmpp/xml.js";
import { parseSippStats, startSipp, type SippPeer } from "../test/support/peers/sipp.js";
import { waitFor } from "../test/support/peers/process.js";
import { startRedis, type RedisPeer } from "../test/support/peers/redis.js";
import { connectTestClient, type TestXmppClient } from "../test/support/xmpp-client.js";
import { startPresenceDeployment, SIP_DOMAIN, XMPP_DOMAIN, type PresenceDeployment, type ProsodyRoster } from "./lib/presence-deployment.js";
import { notifierUas } from "./lib/presence-scenarios.js";
import { tallySubscriberWire, type SubscriberPhase } from "./lib/subscriber-wire-tally.js";
import { cpuWindow, type PartyCpu } from "./lib/party-cpu.js";
import { wallMs } from "./lib/im-receiver.js";
import { udpDrops } from "./lib/proc-stats.js";
import { useNativeScram } from "./lib/native-scram.js";

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] ?? dflt : dflt;
}
const NOTE = "storm-bench";

interface PhaseResult {
  readonly phase: string;
  /** From the phase start (first login, or first subscribe sent) to all logins done. */
  readonly loginsMs: number;
  /** From the phase start to the last user complete. */
  readonly fullPresenceMs: number;
  /** Per-user login → complete, median and max. */
  readonly perUserP50Ms: number;
  readonly perUserMaxMs: number;
  readonly complete: number;
  readonly presencesIn: number;
  readonly sip: SubscriberPhase;
  readonly cpu: PartyCpu;
  readonly udpDrops: { readonly gateway: number; readonly sipp: number };
  /** Login attempts that timed out and were retried. */
  readonly loginRetries: number;
}

/** Who has received what: per user, the contacts whose available presence arrived, and when she completed. */
function presenceBook(users: readonly string[], contacts: number) {
  const seen = new Map<string, Set<string>>(users.map((u) => [u, new Set()]));
  const doneAt = new Map<string, number>();
  const loginAt = new Map<string, number>();
  let presencesIn = 0;
  return {
    reset() { for (const s of seen.values()) s.clear(); doneAt.clear(); loginAt.clear(); presencesIn = 0; },
    /** The user's own start: her login (roster fetched), or her subscribes sent. */
    started(user: string) { loginAt.set(user, wallMs()); },
    listener: (user: string) => (el: Element) => {
      if (el.name !== "presence" || el.attrs.type !== undefined) return;
      const from = String(el.attrs.from ?? "");
      if (!from.includes(`@${SIP_DOMAIN}`)) return;
      presencesIn++;
      const s = seen.get(user)!;
      s.add(from.split("/")[0]!);
      if (s.size === contacts && !doneAt.has(user)) doneAt.set(user, wallMs());
    },
    get complete() { return doneAt.size; },
    get presencesIn() { return presencesIn; },
    lastDone: () => Math.max(...doneAt.values()),
    perUser: () => users.map((u) => (doneAt.get(u) ?? NaN) - (loginAt.get(u) ?? NaN)).filter((x) => !Number.isNaN(x)).sort((a, b) => a - b),
    progress: () => ({ complete: doneAt.size, presencesIn, lowest: Math.min(...[...seen.values()].map((s) => s.size)) }),
  };
}

async function main(): Promise<void> {
  const nUsers = Number(arg("users", "200"));
  const nContacts = Number(arg("contacts", "50"));
  const shared = process.argv.includes("--shared");
  const storeKind = arg("store", "memory");
  const roster = arg("roster", "internal") as ProsodyRoster;
  const timeoutMs = Number(arg("timeout", "300")) * 1000;
  const keepaliveS = process.argv.includes("--keepalive") ? Number(arg("keepalive", "30")) : undefined;
  const subscribeRate = process.argv.includes("--subscribe-rate") ? Number(arg("subscribe-rate", "200")) : undefined;
  // --js-scram keeps the test client's JavaScript SCRAM (~50 ms CPU per login in this process).
  if (!process.argv.includes("--js-scram")) useNativeScram();
  console.error(`# load average at start: ${loadavg().map((l) => l.toFixed(1)).join(" ")}; users ${nUsers} × contacts ${nContacts}${shared ? " (shared)" : ""}, store ${storeKind}, roster ${roster}, keepalive ${keepaliveS ?? "30 (deployment default)"} s, subscribeRatePerSecond ${subscribeRate ?? "config default"}`);
  const users = Array.from({ length: nUsers }, (_, i) => `u${i}`);
  const contactsOf = (i: number) => Array.from({ length: nContacts }, (_, k) => shared ? `c${k}@${SIP_DOMAIN}` : `u${i}c${k}@${SIP_DOMAIN}`);

  const redis: RedisPeer | undefined = storeKind === "redis" ? await startRedis() : undefined;
  // The notifier: one SIPp UAS answers every SUBSCRIBE (one call each) with 200 + NOTIFY active.
  const sipp: SippPeer = await startSipp({
    scenario: notifierUas({ expires: 3600, note: NOTE }), transport: "u1", timeoutS: 3600,
    extraArgs: ["-max_recv_loops", "10000", "-max_sched_loops", "10000", "-buff_size", "4194304"],
  });
  let d: PresenceDeployment | undefined;
  let clients: TestXmppClient[] = [];
  try {
    d = await startPresenceDeployment({
      users, sipRoute: `sip:127.0.0.1:${sipp.localPort}`, notifyMinIntervalSeconds: 0, prosodyRoster: roster,
      // --keepalive S: XEP-0199 ping interval of the component link (timeout min(S, 15 s)); a long one keeps
      // the keepalive out of the measurement (see docs/benchmarks.md: a ping behind the burst drops the link).
      config: (base) => ({
        ...base,
        ...(keepaliveS !== undefined ? { xmpp: { ...base.xmpp, components: (base.xmpp?.components ?? []).map((c) => ({ ...c, keepaliveSeconds: keepaliveS })) } } : {}),
        ...(subscribeRate !== undefined ? { presence: { ...base.presence, subscribeRatePerSecond: subscribeRate } } : {}),
      }),
      ...(redis ? { redisUrl: redis.url } : {}),
    });
    const dep = d;
    console.error(`# presence.subscribeRatePerSecond ${dep.config.presence.subscribeRatePerSecond}, sip.udp.receiveBufferBytes ${dep.config.sip.udp.receiveBufferBytes} (net.core.rmem_max ${existsSync("/proc/sys/net/core/rmem_max") ? readFileSync("/proc/sys/net/core/rmem_max", "utf8").trim() : "?"})`);
    const tally = tallySubscriberWire(dep.gateway.sip.stack);
    const book = presenceBook(users, nContacts);
    const parties = { gateway: "self" as const, prosody: dep.prosody.pid!, sipp: sipp.process.child.pid! };
    // xmpp.js gives each step of a login (stream open, SASL, bind) 2 s; under a storm Prosody may answer
    // later, and the client gives up. A real client then reconnects: so does this one, and it is counted.
    let loginRetries = 0;
    const connectRetrying = async (u: string): Promise<TestXmppClient> => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await connectTestClient({ port: dep.prosody.c2sPort, domain: XMPP_DOMAIN, username: u, password: `${u}-pw`, available: false, record: false });
        } catch (err) {
          if (attempt >= 10) throw err;
          loginRetries++;
          await new Promise((r) => setTimeout(r, 100 * attempt + Math.random() * 200));
        }
      }
    };
    // Logs in without initial presence, attaches the counter, then asks for the roster and sends initial
    // presence as a client does: presence that answers the server's probes cannot arrive unseen.
    const login = async (u: string): Promise<TestXmppClient> => {
      const c = await connectRetrying(u);
      c.onStanza(book.listener(u));
      await c.iq(xml("iq", { type: "get" }, xml("query", { xmlns: "jabber:iq:roster" })), 60_000);
      book.started(u);
      await c.send(xml("presence", {}));
      return c;
    };
    const drops = () => ({ gateway: udpDrops(dep.sipPort), sipp: udpDrops(sipp.localPort) });

    const measure = async (phase: string, run: () => Promise<number>): Promise<PhaseResult> => {
      book.reset();
      tally.reset();
      const retries0 = loginRetries;
      const d0 = drops();
      const cpu = cpuWindow(parties);
      const t0 = wallMs();
      // Epoch ms: compare with the gateway log's "time" (keepalive timeouts, reconnects) on stdout.
      console.error(`# ${phase} starts at ${Math.round(t0)}`);
      const loginsMs = (await run()) - t0;
      await waitFor(`${phase}: ${nUsers} users with full presence`, () => book.complete >= nUsers, { timeoutMs, intervalMs: 5 })
        .catch((err: unknown) => console.error(`# ${phase}: ${String(err)} ${JSON.stringify(book.progress())}`));
      const end = book.complete > 0 ? book.lastDone() : wallMs();
      const cpuR = cpu.end();
      await dep.gateway.presence!.idle();
      // Late effects (retries, duplicate presence) show up in the tally of the next seconds.
      await new Promise((r) => setTimeout(r, 2000));
      const d1 = drops();
      const per = book.perUser();
      const r: PhaseResult = {
        phase, loginsMs: Math.round(loginsMs), fullPresenceMs: Math.round(end - t0),
        perUserP50Ms: Math.round(per[Math.floor(per.length / 2)] ?? NaN), perUserMaxMs: Math.round(per[per.length - 1] ?? NaN),
        complete: book.complete, presencesIn: book.presencesIn, sip: tally.snapshot(), cpu: cpuR,
        udpDrops: { gateway: d1.gateway - d0.gateway, sipp: d1.sipp - d0.sipp }, loginRetries: loginRetries - retries0,
      };
      console.log(JSON.stringify(r));
      return r;
    };

    // Phase 1: logins (not timed as presence), then every user subscribes to her contacts at once.
    // These logins have empty rosters (no probes): their CPU is what U client logins cost this process
    // and Prosody, the baseline to subtract from the storm's "gateway" (this process) CPU.
    const tLogin = wallMs();
    const loginCpu = cpuWindow(parties);
    clients = await Promise.all(users.map(login));
    const base = loginCpu.end();
    const baseMs = wallMs() - tLogin;
    const baseRetries = loginRetries;
    console.error(`# phase 1 logins (empty rosters): ${nUsers} in ${Math.round(wallMs() - tLogin)} ms (${loginRetries} retried), CPU this process ${base.parties.gateway?.cpuS} s, Prosody ${base.parties.prosody?.cpuS} s`);
    const setup = await measure("setup", async () => {
      await Promise.all(clients.map((c, i) => {
        book.started(users[i]!);
        return c.sendMany(contactsOf(i).map((to) => xml("presence", { to, type: "subscribe" })));
      }));
      return wallMs();
    });
    // What setup left behind: pairs authorized, with an established dialog, or waiting for a re-SUBSCRIBE.
    const census = async () => {
      const recs = await dep.gateway.presence!.store.listAll("xmppWatcher");
      return {
        records: recs.length, authorized: recs.filter((r) => r.authorization === "subscribed").length,
        withDialog: recs.filter((r) => r.dialog !== undefined).length, retrying: recs.filter((r) => r.retryAfterAt !== undefined).length,
        live: dep.gateway.presence!.xmppWatchers.live,
      };
    };
    console.error(`# after setup: ${JSON.stringify(await census())}`);
    // Settle: setup SUBSCRIBEs that failed (e.g. Timer F, their 2xx lost) are retried as subscribe.burst
    // jobs (rate-limited). Wait for them so that the storm's SIP count is the storm's own.
    tally.reset();
    const settleCpu = cpuWindow(parties);
    const settleT0 = wallMs();
    let settled = await census();
    const settleLimit = Number(arg("settle", "180")) * 1000;
    while (wallMs() - settleT0 < settleLimit && (settled.retrying > 0 || settled.live < settled.records)) {
      await new Promise((r) => setTimeout(r, 1000));
      settled = await census();
    }
    const settle = { ms: Math.round(wallMs() - settleT0), census: settled, sip: tally.snapshot(), cpu: settleCpu.end() };
    console.log(JSON.stringify({ settle }));

    // Phase 2: everyone leaves, then everyone comes back at once.
    console.error(`# all users disconnect at ${Math.round(wallMs())}`);
    await Promise.all(clients.map((c) => c.stop()));
    clients = [];
    await new Promise((r) => setTimeout(r, 3000));
    await dep.gateway.presence!.idle();
    const storm = await measure("login storm", async () => {
      clients = await Promise.all(users.map(login));
      return wallMs();
    });

    const pc = (c: PartyCpu, p: string) => `${c.parties[p]?.pct ?? "?"}% (${c.parties[p]?.cpuS ?? "?"} s)`;
    console.log(`\n| phase | users complete | logins done ms (retried) | full presence ms | per user p50 / max ms | presence stanzas in | SUBSCRIBE out (initial) | SUBSCRIBE span ms | peak SUBSCRIBE/s (1 s buckets) | SUBSCRIBE 2xx / failed | NOTIFY in | gateway CPU | Prosody CPU | SIPp CPU | UDP drops gw/SIPp | load |`);
    console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (const r of [setup, storm]) {
      console.log(`| ${r.phase} | ${r.complete}/${nUsers} | ${r.loginsMs} (${r.loginRetries}) | ${r.fullPresenceMs} | ${r.perUserP50Ms} / ${r.perUserMaxMs} | ${r.presencesIn} | ${r.sip.subscribeOut} (${r.sip.initialSubscribeOut}) | ${r.sip.subscribeOut > 0 ? Math.round(r.sip.lastSubscribeOutMs - r.sip.firstSubscribeOutMs) : "-"} | ${r.sip.peakSubscribePerS} | ${r.sip.subscribe2xx} / ${JSON.stringify(r.sip.subscribeFailed)} | ${r.sip.notifyIn} | ${pc(r.cpu, "gateway")} | ${pc(r.cpu, "prosody")} | ${pc(r.cpu, "sipp")} | ${r.udpDrops.gateway}/${r.udpDrops.sipp} | ${r.cpu.load1} |`);
    }
    console.log(`- setup SUBSCRIBE/s per second: ${setup.sip.subscribePerS.join(",")}`);
    console.log(`- settle (${settle.ms} ms): ${JSON.stringify(settle.census)}; SUBSCRIBE out ${settle.sip.subscribeOut} (initial ${settle.sip.initialSubscribeOut}), 2xx ${settle.sip.subscribe2xx}, failed ${JSON.stringify(settle.sip.subscribeFailed)}, NOTIFY in ${settle.sip.notifyIn}, peak ${settle.sip.peakSubscribePerS}/s, per second ${settle.sip.subscribePerS.join(",")}`);
    console.log(`- after the storm: ${JSON.stringify(await census())}`);
    console.log(`- ${nUsers} logins with empty rosters (baseline, no probes), ${Math.round(baseMs)} ms, ${baseRetries} retried: this process ${base.parties.gateway?.cpuS} s CPU, Prosody ${base.parties.prosody?.cpuS} s`);
    const stats = parseSippStats(readFileSync(join(sipp.process.dir, "stats.csv"), "utf8"));
    const errsPath = join(sipp.process.dir, "errors.log");
    const errs = (existsSync(errsPath) ? readFileSync(errsPath, "utf8") : "").split("\n").filter((l) => l.trim() !== "");
    if (errs.length > 0) console.error(`# SIPp errors.log (${errs.length} lines), first: ${errs.slice(0, 6).join(" | ")}`);
    console.log(`- SIPp UAS: calls ${stats["TotalCallCreated"] ?? "?"}, ok ${stats["SuccessfulCall(C)"] ?? "?"}, failed ${stats["FailedCall(C)"] ?? "?"}, retrans ${stats["Retransmissions(C)"] ?? "?"}`);
  } finally {
    await Promise.allSettled(clients.map((c) => c.stop()));
    await d?.stop();
    await sipp.stop();
    await redis?.stop();
    console.error(`# load average at end: ${loadavg().map((l) => l.toFixed(1)).join(" ")}`);
  }
}

main().then(() => process.exit(0), (err: unknown) => { console.error(err); process.exit(1); });
// A failed phase stops Prosody under the remaining clients: their stream errors are not the cause.
process.on("uncaughtException", (err) => console.error(`# uncaught: ${String(err)}`));
