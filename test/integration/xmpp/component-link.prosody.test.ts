// The component link against a real Prosody 0.12: connect, messages both ways, UTF-8 integrity,
// IQ answering to a real client, restart with buffering, buffer limits, wrong secret.
import { describe, it, expect, beforeAll, afterAll, afterEach } from "@jest/globals";
import pino from "pino";
import { startProsody, type ProsodyPeer } from "../../support/peers/prosody.js";
import { connectTestClient, type TestXmppClient } from "../../support/xmpp-client.js";
import { createComponentLink, type ComponentLink, type ComponentLinkOptions, type LinkState } from "../../../src/xmpp/transport/component.js";
import { createStanzaDispatcher } from "../../../src/xmpp/ingress/dispatch.js";
import { createComponentLinks } from "../../../src/xmpp/transport/component-links.js";
import { xml, type Element } from "../../../src/xmpp/xml.js";
import { serializeXmppMessage } from "../../../src/xmpp/message/serialize.js";

const logger = pino({ level: "silent" });
const DOMAIN = "sip.localhost";
const SECRET = "s3cret-component";
const DOMAIN2 = "sms.localhost";
const SECRET2 = "other-secret";

let prosody: ProsodyPeer;
const cleanups: (() => Promise<unknown>)[] = [];

function linkOptions(over: Partial<ComponentLinkOptions> = {}): ComponentLinkOptions {
  return {
    service: prosody.componentService,
    domain: DOMAIN,
    secret: SECRET,
    reconnect: { minMs: 50, maxMs: 400 },
    keepalive: { intervalMs: 30_000, timeoutMs: 5_000 },
    buffer: { maxStanzas: 1000, maxBytes: 1_000_000 },
    maxInboundStanzaBytes: 1_000_000,
    ...over,
  };
}

function waitState(link: ComponentLink, want: LinkState, timeoutMs = 5000): Promise<void> {
  if (link.state === want) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error(`link state ${link.state}, wanted ${want}`)); }, timeoutMs);
    const off = link.on("state", (next) => { if (next === want) { clearTimeout(timer); off(); resolve(); } });
  });
}

async function onlineLink(over: Partial<ComponentLinkOptions> = {}): Promise<ComponentLink> {
  const link = createComponentLink(linkOptions(over), logger);
  cleanups.push(() => link.stop({ deadlineMs: 200 }));
  link.start();
  await waitState(link, "online");
  return link;
}

async function client(username: string): Promise<TestXmppClient> {
  const c = await connectTestClient({ port: prosody.c2sPort, domain: prosody.host, username, password: "pw" });
  cleanups.push(() => c.stop());
  return c;
}

function collect(link: ComponentLink): Element[] {
  const got: Element[] = [];
  link.on("stanza", (el) => got.push(el));
  return got;
}

async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// Mixed 4-byte emoji, 3-byte CJK, 2-byte accents: 4 KB+ bodies, so TCP reads split characters.
const NON_ASCII = "€ 😀 漢字かな 👩‍👩‍👧 ñé ";
const bigBody = (i: number) => `#${i} ` + NON_ASCII.repeat(Math.ceil(4096 / NON_ASCII.length));

beforeAll(async () => {
  prosody = await startProsody({
    components: [{ domain: DOMAIN, secret: SECRET }, { domain: DOMAIN2, secret: SECRET2 }],
    users: [{ user: "alice", password: "pw" }, { user: "bob", password: "pw" }],
  });
});

afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
});

afterAll(async () => {
  await prosody?.stop();
});

describe("component link ⇄ Prosody", () => {
  it("comes online and carries messages both ways", async () => {
    const link = await onlineLink();
    const inbound = collect(link);
    const alice = await client("alice");

    await alice.send(xml("message", { to: `carol@${DOMAIN}`, type: "chat", id: "m1" }, xml("body", {}, "hi carol")));
    await until("message at the link", () => inbound.some((el) => el.attrs.id === "m1"));
    const m = inbound.find((el) => el.attrs.id === "m1")!;
    expect(m.attrs.from).toBe(alice.jid);
    expect(m.getChildText("body")).toBe("hi carol");

    expect(link.send(xml("message", { from: `carol@${DOMAIN}/sip`, to: alice.bareJid, type: "chat", id: "m2" }, xml("body", {}, "hi alice"))))
      .toEqual({ kind: "sent" });
    const back = await alice.waitForStanza((el) => el.attrs.id === "m2");
    expect(back.attrs.from).toBe(`carol@${DOMAIN}/sip`);
    expect(back.getChildText("body")).toBe("hi alice");
  });

  it("keeps 4 KB emoji/CJK bodies intact in both directions (xmpp.js UTF-8 split bug guard)", async () => {
    const link = await onlineLink();
    const inbound = collect(link);
    const alice = await client("alice");
    const N = 30;
    for (let i = 0; i < N; i++) {
      await alice.send(xml("message", { to: `carol@${DOMAIN}`, type: "chat", id: `u-in-${i}` }, xml("body", {}, bigBody(i))));
      link.send(xml("message", { from: `carol@${DOMAIN}`, to: alice.jid, type: "chat", id: `u-out-${i}` }, xml("body", {}, bigBody(i))));
    }
    await until("all inbound", () => inbound.filter((el) => String(el.attrs.id).startsWith("u-in-")).length === N);
    await until("all outbound", () => alice.stanzas.filter((el) => String(el.attrs.id).startsWith("u-out-")).length === N);
    const corrupted: string[] = [];
    for (let i = 0; i < N; i++) {
      if (inbound.find((el) => el.attrs.id === `u-in-${i}`)!.getChildText("body") !== bigBody(i)) corrupted.push(`in-${i}`);
      if (alice.stanzas.find((el) => el.attrs.id === `u-out-${i}`)!.getChildText("body") !== bigBody(i)) corrupted.push(`out-${i}`);
    }
    // Verified once with `unsafeDisableUtf8Fix: true`: inbound bodies came back with U+FFFD in them.
    expect(corrupted).toEqual([]);
  });

  it("answers disco#info, disco#items, ping and version; unsupported IQs get service-unavailable", async () => {
    const link = await onlineLink();
    const dispatch = createStanzaDispatcher({
      send: link.send,
      iq: {
        domains: new Set([DOMAIN]),
        identityName: "SIP gateway",
        features: ["urn:xmpp:receipts"],
        userFeatures: ["urn:xmpp:receipts"],
        version: { name: "stox", version: "9.9.9" },
      },
      onMessage: () => undefined,
      onPresence: () => undefined,
      logger,
    });
    link.on("stanza", (el) => dispatch(el, link.domain));
    const alice = await client("alice");

    const info = await alice.iq(xml("iq", { type: "get", to: DOMAIN }, xml("query", { xmlns: "http://jabber.org/protocol/disco#info" })));
    expect(info.attrs.type).toBe("result");
    const identity = info.getChild("query")!.getChild("identity")!;
    expect(identity.attrs).toMatchObject({ category: "gateway", type: "sip", name: "SIP gateway" });
    const features = info.getChild("query")!.getChildren("feature").map((f) => f.attrs.var);
    expect(features).toEqual(expect.arrayContaining(["http://jabber.org/protocol/disco#info", "urn:xmpp:ping", "jabber:iq:version", "urn:xmpp:receipts"]));

    const items = await alice.iq(xml("iq", { type: "get", to: DOMAIN }, xml("query", { xmlns: "http://jabber.org/protocol/disco#items" })));
    expect(items.attrs.type).toBe("result");
    expect(items.getChild("query")!.getChildElements()).toHaveLength(0);

    const userInfo = await alice.iq(xml("iq", { type: "get", to: `carol@${DOMAIN}` }, xml("query", { xmlns: "http://jabber.org/protocol/disco#info" })));
    expect(userInfo.attrs.from).toBe(`carol@${DOMAIN}`);
    expect(userInfo.getChild("query")!.getChild("identity")!.attrs).toMatchObject({ category: "account", type: "registered" });

    const pong = await alice.iq(xml("iq", { type: "get", to: DOMAIN }, xml("ping", { xmlns: "urn:xmpp:ping" })));
    expect(pong.attrs.type).toBe("result");

    const version = await alice.iq(xml("iq", { type: "get", to: DOMAIN }, xml("query", { xmlns: "jabber:iq:version" })));
    expect(version.getChild("query")!.getChildText("name")).toBe("stox");
    expect(version.getChild("query")!.getChildText("version")).toBe("9.9.9");
    expect(version.getChild("query")!.getChild("os")).toBeUndefined();

    const last = await alice.iq(xml("iq", { type: "get", to: `carol@${DOMAIN}` }, xml("query", { xmlns: "jabber:iq:last" })));
    expect(last.attrs.type).toBe("error");
    expect(last.attrs.from).toBe(`carol@${DOMAIN}`);
    expect(last.getChild("error")!.attrs.type).toBe("cancel");
    expect(last.getChild("error")!.getChild("service-unavailable", "urn:ietf:params:xml:ns:xmpp-stanzas")).toBeDefined();
  });

  it.each([
    ["our own domain (self-ping through the server)", undefined],
    ["the server host (Prosody mod_ping)", "localhost"],
  ])("keepalive pings to %s keep the link online", async (_what, to) => {
    // Timeout generous for a loaded box, yet an unanswered first ping (sent at 100 ms) would fail the
    // link at 700 ms, well inside the 1.5 s watched here.
    const link = await onlineLink({ keepalive: { intervalMs: 100, timeoutMs: 600, ...(to ? { to } : {}) } });
    const inbound = collect(link);
    const states: LinkState[] = [];
    const errors: string[] = [];
    link.on("state", (s) => states.push(s));
    link.on("error", (e) => errors.push(e.kind));
    await new Promise((r) => setTimeout(r, 1500));
    expect(errors).toEqual([]);
    expect(link.state).toBe("online");
    expect(states).toEqual([]);
    // Ping replies are consumed by the link, never surfaced as stanzas.
    expect(inbound).toEqual([]);
  });

  it("buffers while Prosody is down and delivers every stanza exactly once, in order, after it restarts", async () => {
    const link = await onlineLink();
    const offline = new Promise<void>((r) => link.once("offline", () => r()));
    const reconnected = new Promise<void>((r) => link.once("reconnected", () => r()));
    const onlineInfo: { reconnected: boolean }[] = [];
    link.on("online", (info) => onlineInfo.push(info));
    await prosody.stopServer();
    await offline;
    expect(link.state).not.toBe("online");
    const N = 50;
    const results = Array.from({ length: N }, (_, i) =>
      link.send(xml("message", { from: `carol@${DOMAIN}`, to: `alice@${prosody.host}`, type: "chat", id: `r-${i}` }, xml("body", {}, `n${i}`))).kind);
    expect(results).toEqual(Array(N).fill("buffered"));
    expect(link.buffered.stanzas).toBe(N);

    await prosody.startServer();
    await reconnected;
    expect(onlineInfo).toEqual([{ reconnected: true }]);
    expect(link.buffered.stanzas).toBe(0);
    // Alice logs in after the flush: Prosody stored the messages offline and delivers them at login.
    const alice = await client("alice");
    await until("all buffered messages", () => alice.stanzas.filter((el) => String(el.attrs.id).startsWith("r-")).length >= N);
    await new Promise((r) => setTimeout(r, 200)); // room for duplicates to show up
    const ids = alice.stanzas.filter((el) => String(el.attrs.id).startsWith("r-")).map((el) => el.attrs.id);
    expect(ids).toEqual(Array.from({ length: N }, (_, i) => `r-${i}`));
  });

  it("rejects with buffer-full once the offline buffer reaches its stanza or byte limit", async () => {
    const small = await onlineLink({ buffer: { maxStanzas: 3, maxBytes: 10_000 } });
    await prosody.stopServer();
    try {
      await waitState(small, "offline");
      const msg = (i: number, body = "x") => xml("message", { from: `c@${DOMAIN}`, to: `alice@${prosody.host}`, id: `b-${i}` }, xml("body", {}, body));
      expect([1, 2, 3, 4].map((i) => small.send(msg(i)))).toEqual([
        { kind: "buffered" }, { kind: "buffered" }, { kind: "buffered" }, { kind: "rejected", reason: "buffer-full" },
      ]);
      await small.stop({ deadlineMs: 0 });
      const bytes = createComponentLink(linkOptions({ buffer: { maxStanzas: 100, maxBytes: 600 } }), logger);
      cleanups.push(() => bytes.stop({ deadlineMs: 0 }));
      expect(bytes.send(msg(5, "y".repeat(300))).kind).toBe("buffered");
      expect(bytes.send(msg(6, "y".repeat(300)))).toEqual({ kind: "rejected", reason: "buffer-full" });
      expect(bytes.send(msg(7, "y"))).toEqual({ kind: "buffered" });
    } finally {
      await prosody.startServer();
    }
  });

  it("reports auth-failed for a wrong secret and keeps retrying with backoff", async () => {
    const lines: string[] = [];
    const debugLogger = pino({ level: "debug" }, { write: (l: string) => { lines.push(l); } });
    const link = createComponentLink(linkOptions({ secret: "wrong", reconnect: { minMs: 20, maxMs: 100 } }), debugLogger);
    cleanups.push(() => link.stop({ deadlineMs: 0 }));
    const errors: string[] = [];
    link.on("error", (e) => errors.push(e.kind));
    link.start();
    await waitState(link, "auth-failed");
    await until("several retries", () => lines.filter((l) => l.includes("reconnect scheduled")).length >= 3, 5000);
    expect(link.state).toBe("auth-failed");
    expect(errors[0]).toBe("auth-failed");
    expect(lines.some((l) => l.includes("\"level\":50") && l.includes("check the component secret"))).toBe(true);
  });

  it("declares a frozen server dead after a missed keepalive ping and reconnects when it thaws", async () => {
    const link = await onlineLink({ keepalive: { intervalMs: 100, timeoutMs: 300 }, handshakeTimeoutMs: 1000 });
    const errors: string[] = [];
    link.on("error", (e) => errors.push(e.kind));
    const reconnected = new Promise<void>((r) => link.once("reconnected", () => r()));
    prosody.signal("SIGSTOP");
    try {
      await until("keepalive timeout", () => errors.includes("keepalive-timeout"), 3000);
      expect(link.state).not.toBe("online");
    } finally {
      prosody.signal("SIGCONT");
    }
    await reconnected;
    expect(link.state).toBe("online");
  });

  it("runs one link per domain, routes sends by from-domain and reports readiness over all", async () => {
    const links = createComponentLinks({
      ...linkOptions(),
      domains: [{ domain: DOMAIN, secret: SECRET }, { domain: DOMAIN2, secret: SECRET2 }],
    }, logger);
    cleanups.push(() => links.stop({ deadlineMs: 200 }));
    expect(links.ready).toBe(false);
    links.start();
    await until("both online", () => links.ready);
    const inbound: [string, string][] = [];
    links.on("stanza", (el, domain) => inbound.push([String(el.attrs.id), domain]));
    const alice = await client("alice");
    expect(links.send(xml("message", { from: `a@${DOMAIN}`, to: alice.jid, id: "d1" }, xml("body", {}, "1"))).kind).toBe("sent");
    expect(links.send(xml("message", { from: `b@${DOMAIN2}`, to: alice.jid, id: "d2" }, xml("body", {}, "2"))).kind).toBe("sent");
    expect(links.send(xml("message", { from: "x@elsewhere.example", to: alice.jid, id: "d3" }))).toEqual({ kind: "rejected", reason: "invalid-from" });
    // Pre-serialized stanzas (the SIP MESSAGE path) are routed and checked by their `from` the same way.
    const text = serializeXmppMessage({ from: `c@${DOMAIN2}`, to: alice.jid, type: "chat", id: "d5", bodies: [{ text: "5 <&> 👋" }] });
    expect(links.send(text).kind).toBe("sent");
    expect(links.send(serializeXmppMessage({ from: "x@elsewhere.example", to: alice.jid, type: "chat", id: "d6", bodies: [] })))
      .toEqual({ kind: "rejected", reason: "invalid-from" });
    expect((await alice.waitForStanza((el) => el.attrs.id === "d1")).attrs.from).toBe(`a@${DOMAIN}`);
    expect((await alice.waitForStanza((el) => el.attrs.id === "d2")).attrs.from).toBe(`b@${DOMAIN2}`);
    const d5 = await alice.waitForStanza((el) => el.attrs.id === "d5");
    expect([d5.attrs.from, d5.getChildText("body")]).toEqual([`c@${DOMAIN2}`, "5 <&> 👋"]);
    await alice.send(xml("message", { to: `z@${DOMAIN2}`, id: "d4" }, xml("body", {}, "4")));
    await until("routed inbound", () => inbound.length > 0);
    expect(inbound).toEqual([["d4", DOMAIN2]]);
    await links.links.get(DOMAIN2)!.stop({ deadlineMs: 0 });
    expect(links.ready).toBe(false);
    expect(links.state).toBe("stopped");
  });

  it("correlates its own IQ requests: results resolve, errors reject with the RFC 6120 condition", async () => {
    const link = await onlineLink();
    const info = await link.request(xml("iq", { type: "get", to: prosody.host }, xml("query", { xmlns: "http://jabber.org/protocol/disco#info" })), 3000);
    expect(info.attrs.type).toBe("result");
    expect(info.getChild("query")!.getChildren("identity").some((i) => i.attrs.category === "server")).toBe(true);
    // mod_version is not loaded in the test Prosody: the server answers service-unavailable.
    await expect(link.request(xml("iq", { type: "get", to: prosody.host }, xml("query", { xmlns: "jabber:iq:version" })), 3000))
      .rejects.toMatchObject({ kind: "stanza-error", stanzaError: { condition: "service-unavailable" } });
  });

  it("closes the stream on an inbound stanza above maxInboundStanzaBytes and reconnects", async () => {
    const link = await onlineLink({ maxInboundStanzaBytes: 16_384 });
    const inbound = collect(link);
    const errors: string[] = [];
    link.on("error", (e) => errors.push(e.kind));
    const reconnected = new Promise<void>((r) => link.once("reconnected", () => r()));
    const alice = await client("alice");
    await alice.send(xml("message", { to: `carol@${DOMAIN}`, id: "big" }, xml("body", {}, "z".repeat(100_000))));
    await reconnected;
    expect(errors).toContain("inbound-too-large");
    expect(inbound.some((el) => el.attrs.id === "big")).toBe(false);
    // Normal-sized traffic flows again on the new stream.
    await alice.send(xml("message", { to: `carol@${DOMAIN}`, id: "small" }, xml("body", {}, "ok")));
    await until("small message after reconnect", () => inbound.some((el) => el.attrs.id === "small"));
  });
});
