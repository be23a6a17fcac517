// `npm run demo`: a SIP user and an XMPP user exchange presence and messages through stox.
//
//   alice@xmpp.example ── real Prosody (throwaway, loopback) ── component sip.example ── stox
//   stox ── UDP ── bob's SIP phone: sip:bob@sip.example (a user agent on its own port, built on
//                   stox's SIP stack in the UA role)
//
// Everything runs on 127.0.0.1 with free ports and temporary directories, and is removed at the end.
// The Prosody launcher is the one the integration tests use (test/support/peers/prosody.ts).
import pino from "pino";
import { createSipEndpoint, type NotifierSubscription } from "../src/sip/endpoint.js";
import { parsePidf } from "../src/simple/pidf/parse.js";
import { pidfToXmppPresences } from "../src/translate/presence.js";
import { xmppPresencesToPidf } from "../src/translate/presence.js";
import { buildPidf } from "../src/simple/pidf/build.js";
import { xml, type Element } from "../src/xmpp/xml.js";
import { startDeployment, SIP_DOMAIN, XMPP_DOMAIN } from "../test/support/gateway-harness.js";
import { freePort } from "../test/support/peers/process.js";

const BOB = `sip:bob@${SIP_DOMAIN}`;
const ALICE_SIP = `sip:alice@${XMPP_DOMAIN}`;
const t0 = Date.now();
const say = (who: string, text: string) => console.log(`${((Date.now() - t0) / 1000).toFixed(2).padStart(6)}s  ${who.padEnd(6)} ${text}`);
const decoder = new TextDecoder();

function describePidf(body: Uint8Array): string {
  const doc = parsePidf(body);
  if (!doc.ok) return `unreadable PIDF (${doc.error.reason})`;
  const states = pidfToXmppPresences(doc.value);
  if (states.length === 0) return "no presence information";
  return states.map((s) => `${s.available ? s.show ?? "available" : "offline"}${s.statuses[0] ? ` "${s.statuses[0].text}"` : ""}`).join(", ");
}

function describePresence(el: Element): string {
  const show = el.getChildText("show");
  const status = el.getChildText("status");
  const type = el.attrs.type as string | undefined;
  return `${type ?? show ?? "available"}${status ? ` "${status}"` : ""}`;
}

async function main(): Promise<void> {
  say("demo", "starting Prosody (xmpp.example) and the gateway (component sip.example)…");
  const phonePort = await freePort();
  const d = await startDeployment({ users: ["alice"], sipRoute: `sip:127.0.0.1:${phonePort}` });
  say("demo", `Prosody c2s :${d.prosody.c2sPort}, component :${d.prosody.componentPort}; stox SIP udp+tcp :${d.sipPort}`);

  // bob's SIP phone: sends everything to the gateway (its outbound proxy), serves its own presence.
  const phone = createSipEndpoint({
    listen: [{ transport: "UDP", host: "127.0.0.1", port: phonePort }],
    resolver: { staticRoutes: new Map([[XMPP_DOMAIN, { scheme: "sip", host: "127.0.0.1", port: d.sipPort, params: new Map(), headers: new Map() }]]) },
  }, pino({ level: "silent" }));
  let bobPresence: NotifierSubscription | undefined;
  let bobState = { show: undefined as "away" | "dnd" | undefined, status: "at my desk" };
  const bobPidf = () => buildPidf(xmppPresencesToPidf(`bob@${SIP_DOMAIN}`, [{ resource: "phone", available: true, ...(bobState.show ? { show: bobState.show } : {}), statuses: [{ text: bobState.status }] }], { sipAor: BOB }));
  phone.onSubscribe("presence", (ctx) => {
    say("bob", `← SUBSCRIBE presence from ${ctx.subscriber}: accepted, NOTIFY with my PIDF`);
    bobPresence = ctx.accept("active", bobPidf(), "application/pidf+xml");
  });
  phone.onMessage((m) => {
    say("bob", `← MESSAGE from ${m.from}: "${decoder.decode(m.body)}" (${m.contentType ?? "no type"})`);
    return { status: 200 };
  });
  await phone.start();

  const alice = await d.client("alice", { resource: "laptop" });
  say("alice", `logged in as ${alice.jid}`);
  alice.onStanza((el) => {
    if (el.name === "message" && el.getChildText("body")) say("alice", `← message from ${el.attrs.from}: "${el.getChildText("body")}"`);
    if (el.name === "presence" && String(el.attrs.from).startsWith("bob@")) {
      if (el.attrs.type === "subscribe") {
        say("alice", `← ${el.attrs.from} asks to see my presence: approving`);
        void alice.send(xml("presence", { to: el.attrs.from, type: "subscribed" }));
      } else say("alice", `← presence of ${el.attrs.from}: ${describePresence(el)}`);
    }
  });

  // 1. bob watches alice (SIP SUBSCRIBE → XMPP subscription request → approval → NOTIFY).
  const sub = phone.subscribe(BOB, ALICE_SIP, "presence", { expires: 600, accept: ["application/pidf+xml"] });
  sub.onNotify((n) => say("bob", `← NOTIFY ${n.state}${n.reason ? ` (${n.reason})` : ""}: alice is ${n.body.byteLength ? describePidf(n.body) : "(no body yet)"}`));
  say("bob", `→ SUBSCRIBE ${ALICE_SIP} (Event: presence): ${(await sub.response)?.status ?? "?"}`);
  await pause(1500);

  // 2. alice watches bob (XMPP subscribe → SIP SUBSCRIBE to bob's phone → NOTIFY → presence).
  say("alice", `→ subscribe to bob@${SIP_DOMAIN}`);
  await alice.send(xml("presence", { to: `bob@${SIP_DOMAIN}`, type: "subscribe" }));
  await pause(1500);

  // 3. presence changes cross both ways.
  say("alice", "→ I am away: \"in a meeting\"");
  await alice.send(xml("presence", {}, xml("show", {}, "away"), xml("status", {}, "in a meeting")));
  bobState = { show: "dnd", status: "on the phone" };
  say("bob", "→ I am busy: \"on the phone\" (NOTIFY to my watchers)");
  await bobPresence?.notify(bobPidf(), "application/pidf+xml");
  await pause(6000); // RFC 3856 §6.10: the gateway sends at most one NOTIFY per presentity per 5 s

  // 4. messages both ways.
  const r = await phone.sendMessage(BOB, ALICE_SIP, "Hi Alice, this is Bob on SIP 👋", "text/plain;charset=UTF-8");
  say("bob", `→ MESSAGE to ${ALICE_SIP}: ${r.status} ${r.reason}`);
  await alice.send(xml("message", { to: `bob@${SIP_DOMAIN}`, type: "chat", id: "demo-1" }, xml("body", {}, "Hi Bob, Alice from XMPP here 🙂")));
  say("alice", `→ message to bob@${SIP_DOMAIN}`);
  await pause(1000);

  say("demo", "done; stopping everything");
  await sub.unsubscribe().catch(() => undefined);
  await phone.close();
  await d.stop();
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error("demo failed:", err);
    process.exit(1);
  },
);
