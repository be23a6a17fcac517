// The same connect + message both ways against ejabberd 23.01 (one server for the suite: ~4 s start).
import { describe, it, expect, beforeAll, afterAll } from "@jest/globals";
import pino from "pino";
import { startEjabberd, type EjabberdPeer } from "../../support/peers/ejabberd.js";
import { connectTestClient } from "../../support/xmpp-client.js";
import { createComponentLink } from "../../../src/xmpp/transport/component.js";
import { xml, type Element } from "../../../src/xmpp/xml.js";

const DOMAIN = "sip.localhost";
let ejabberd: EjabberdPeer;

beforeAll(async () => {
  ejabberd = await startEjabberd({ components: [{ domain: DOMAIN, secret: "ej-secret" }], users: [{ user: "alice", password: "pw" }] });
}, 60_000);

afterAll(async () => {
  await ejabberd?.stop();
});

describe("component link ⇄ ejabberd", () => {
  it("comes online and carries 4 KB non-ASCII messages both ways", async () => {
    const link = createComponentLink({
      service: ejabberd.componentService,
      domain: DOMAIN,
      secret: "ej-secret",
      reconnect: { minMs: 50, maxMs: 400 },
      keepalive: { intervalMs: 200, timeoutMs: 2000 },
      buffer: { maxStanzas: 100, maxBytes: 1_000_000 },
      maxInboundStanzaBytes: 1_000_000,
    }, pino({ level: "silent" }));
    const inbound: Element[] = [];
    link.on("stanza", (el) => inbound.push(el));
    const online = new Promise<void>((r) => link.once("online", () => r()));
    link.start();
    const alice = await connectTestClient({ port: ejabberd.c2sPort, domain: ejabberd.host, username: "alice", password: "pw" });
    try {
      await online;
      const body = "€ 😀 漢字 ñ ".repeat(400);
      await alice.send(xml("message", { to: `carol@${DOMAIN}`, type: "chat", id: "e1" }, xml("body", {}, body)));
      expect(link.send(xml("message", { from: `carol@${DOMAIN}/sip`, to: alice.jid, type: "chat", id: "e2" }, xml("body", {}, body)))).toEqual({ kind: "sent" });
      const back = await alice.waitForStanza((el) => el.attrs.id === "e2");
      expect(back.attrs.from).toBe(`carol@${DOMAIN}/sip`);
      expect(back.getChildText("body") === body).toBe(true);
      const deadline = Date.now() + 5000;
      while (!inbound.some((el) => el.attrs.id === "e1") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const m = inbound.find((el) => el.attrs.id === "e1");
      expect(m?.attrs.from).toBe(alice.jid);
      expect(m?.getChildText("body") === body).toBe(true);
      // A few keepalive rounds (self-ping through ejabberd) must not disturb the link.
      await new Promise((r) => setTimeout(r, 600));
      expect(link.state).toBe("online");
    } finally {
      await alice.stop();
      await link.stop({ deadlineMs: 500 });
    }
  });
});
