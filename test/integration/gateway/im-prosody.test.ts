// Page-mode IM through the whole gateway (RFC 7572): SIPp as the SIP user, real Prosody with a real
// XMPP client as the XMPP user. Every assertion is on what the peers saw on the wire.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { xml, type Element } from "../../../src/xmpp/xml.js";
import { startDeployment, SIP_DOMAIN, XMPP_DOMAIN, type Deployment } from "../../support/gateway-harness.js";
import { describeSipp, runSipp, startSipp } from "../../support/peers/sipp.js";
import { messageUac, messageUas, scenarioFile } from "../../support/sipp-im-scenarios.js";
import type { TestXmppClient } from "../../support/xmpp-client.js";
import { freePort } from "../../support/peers/process.js";

const BOB = `sip:bob@${SIP_DOMAIN}`;
const ALICE_SIP = `sip:alice@${XMPP_DOMAIN}`;
// SIPp ends a body with the scenario's line break: compare without trailing whitespace.
const bodyOf = (el: Element): string | undefined => el.getChildText("body")?.trimEnd() ?? undefined;
const isChatFromBob = (el: Element) => el.name === "message" && String(el.attrs.from).startsWith(`bob@${SIP_DOMAIN}`) && el.attrs.type !== "error";

describe("page-mode IM through Prosody", () => {
  let d: Deployment;
  let alice: TestXmppClient;
  let uasPort: number;

  beforeAll(async () => {
    uasPort = await freePort();
    d = await startDeployment({ users: ["alice", "carol"], sipRoute: `sip:127.0.0.1:${uasPort}` });
    alice = await d.client("alice");
  }, 30_000);
  afterAll(async () => {
    await d?.stop();
  });

  const sipToAlice = (name: string, o: { body: string; contentType?: string; from?: string; to?: string; expect: number; transport?: "u1" | "t1"; calls?: number; extraHeaders?: string[] }) =>
    runSipp({
      scenario: scenarioFile(`${name}.xml`, messageUac({
        from: o.from ?? BOB, to: o.to ?? ALICE_SIP, contentType: o.contentType ?? "text/plain;charset=UTF-8",
        body: o.body, expectStatus: o.expect, ...(o.extraHeaders ? { extraHeaders: o.extraHeaders } : {}),
      })),
      remote: `127.0.0.1:${d.sipPort}`,
      transport: o.transport ?? "u1",
      calls: o.calls ?? 1,
      rate: 50,
      timeoutS: 20,
    });

  it("relays SIP MESSAGEs to the XMPP user and answers 200 (UDP)", async () => {
    const r = await sipToAlice("basic", { body: "hello alice [call_number]", expect: 200, calls: 3 });
    expect({ exit: r.exitCode, why: r.exitCode === 0 ? "" : describeSipp(r) }).toEqual({ exit: 0, why: "" });
    for (const n of [1, 2, 3]) {
      const m = await alice.waitForStanza((el) => isChatFromBob(el) && bodyOf(el) === `hello alice ${n}`, 5000);
      expect(m.attrs.to).toMatch(/^alice@xmpp\.example/);
    }
  });

  it("carries a 4 KB body of emoji and CJK over TCP byte for byte", async () => {
    const unit = "😀 中文テキスト ü — ";
    let body = "";
    while (Buffer.byteLength(body) < 4096) body += unit;
    const r = await sipToAlice("big-utf8", { body, expect: 200, transport: "t1" });
    expect(r.exitCode).toBe(0);
    const m = await alice.waitForStanza((el) => isChatFromBob(el) && (bodyOf(el)?.length ?? 0) > 1000, 5000);
    expect(bodyOf(m)).toBe(body.trimEnd());
  });

  it("unwraps message/cpim and delivers the inner text", async () => {
    const cpim = [
      `From: <${BOB}>`,
      `To: <${ALICE_SIP}>`,
      "DateTime: 2026-11-25T10:00:00Z",
      "",
      "Content-Type: text/plain;charset=UTF-8",
      "",
      "wrapped in CPIM",
    ].join("\r\n");
    const r = await sipToAlice("cpim", { body: cpim, contentType: "message/cpim", expect: 200 });
    expect(r.exitCode).toBe(0);
    const m = await alice.waitForStanza((el) => isChatFromBob(el) && bodyOf(el) === "wrapped in CPIM", 5000);
    expect(m).toBeDefined();
  });

  it("refuses a CPIM envelope missing its From header with 400", async () => {
    const cpim = [`To: <${ALICE_SIP}>`, "", "Content-Type: text/plain", "", "no from"].join("\r\n");
    const r = await sipToAlice("cpim-bad", { body: cpim, contentType: "message/cpim", expect: 400 });
    expect({ exit: r.exitCode, why: r.exitCode === 0 ? "" : describeSipp(r) }).toEqual({ exit: 0, why: "" });
  });

  it("refuses a From outside the SIP domain with 403 (no spoofing across the boundary)", async () => {
    const r = await sipToAlice("spoof", { body: "i am not bob", from: "sip:mallory@evil.example", expect: 403 });
    expect(r.exitCode).toBe(0);
  });

  it("refuses a CPIM From that differs from the SIP From with 403", async () => {
    const cpim = [`From: <sip:carol@${SIP_DOMAIN}>`, `To: <${ALICE_SIP}>`, "", "Content-Type: text/plain", "", "forged"].join("\r\n");
    const r = await sipToAlice("cpim-spoof", { body: cpim, contentType: "message/cpim", expect: 403 });
    expect(r.exitCode).toBe(0);
  });

  it("answers an XML body with a DOCTYPE (external entity attempt) with 400", async () => {
    // External-entity (XXE) form: SIPp reads [...] as its own keywords, so no internal subset here;
    // entity-expansion documents are covered by the parser's unit tests.
    const evil = `<?xml version="1.0"?><!DOCTYPE isComposing SYSTEM "file:///etc/passwd"><isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"><state>&xxe;</state></isComposing>`;
    const r = await sipToAlice("doctype", { body: evil, contentType: "application/im-iscomposing+xml", expect: 400 });
    expect({ exit: r.exitCode, why: r.exitCode === 0 ? "" : describeSipp(r) }).toEqual({ exit: 0, why: "" });
  });

  it("answers a MESSAGE for an unknown domain with 404", async () => {
    const r = await sipToAlice("unknown-domain", { body: "hi", to: "sip:alice@nowhere.example", expect: 404 });
    expect(r.exitCode).toBe(0);
  });

  it("turns Prosody's <service-unavailable/> for a non-existent user into SIP 503", async () => {
    const r = await sipToAlice("no-user", { body: "anyone?", to: `sip:nobody@${XMPP_DOMAIN}`, expect: 503 });
    expect({ exit: r.exitCode, why: r.exitCode === 0 ? "" : describeSipp(r) }).toEqual({ exit: 0, why: "" });
  });

  it("relays an XMPP message to the SIP user as text/plain;charset=UTF-8", async () => {
    const uas = await startSipp({
      scenario: scenarioFile("uas-200.xml", messageUas({
        status: 200, reason: "OK",
        fromMatches: "sip:alice@xmpp\\.example", contentTypeMatches: "text/plain;[ ]*charset=UTF-8", bodyMatches: ["hi bob, ça va"],
      })),
      localPort: uasPort, calls: 1, timeoutS: 20,
    });
    await alice.send(xml("message", { to: `bob@${SIP_DOMAIN}`, type: "chat", id: "x2s-1" }, xml("body", {}, "hi bob, ça va")));
    const r = await uas.result();
    await uas.stop();
    expect({ exit: r.exitCode, why: r.exitCode === 0 ? "" : describeSipp(r) }).toEqual({ exit: 0, why: "" });
    // A 2xx produces nothing on the XMPP side.
    await new Promise((res) => setTimeout(res, 300));
    expect(alice.stanzas.some((el) => el.attrs.id === "x2s-1" && el.attrs.type === "error")).toBe(false);
  });

  it.each([
    [404, "Not Found", "item-not-found"],
    [480, "Temporarily Unavailable", "recipient-unavailable"],
    [486, "Busy Here", "recipient-unavailable"],
    [503, "Service Unavailable", "service-unavailable"],
  ])("turns SIP %i into the XMPP error <%s/> (RFC 7247)", async (status, reason, condition) => {
    const uas = await startSipp({ scenario: scenarioFile(`uas-${status}.xml`, messageUas({ status, reason })), localPort: uasPort, calls: 1, timeoutS: 20 });
    const id = `x2s-err-${status}`;
    await alice.send(xml("message", { to: `bob@${SIP_DOMAIN}`, type: "chat", id }, xml("body", {}, `provoke ${status}`)));
    const err = await alice.waitForStanza((el) => el.attrs.id === id && el.attrs.type === "error", 10_000);
    const r = await uas.result();
    await uas.stop();
    expect(r.exitCode).toBe(0);
    expect(err.attrs.from).toBe(`bob@${SIP_DOMAIN}`);
    expect(err.getChild("error")?.getChild(condition, "urn:ietf:params:xml:ns:xmpp-stanzas")).toBeDefined();
  });

  it("relays XEP-0085 composing as RFC 3994 isComposing, and stops after a 415 without bothering the XMPP user", async () => {
    const refuse = await startSipp({
      scenario: scenarioFile("uas-415.xml", messageUas({ status: 415, reason: "Unsupported Media Type", contentTypeMatches: "application/im-iscomposing\\+xml", bodyMatches: ["<state>active</state>"] })),
      localPort: uasPort, calls: 1, timeoutS: 20,
    });
    await alice.send(xml("message", { to: `bob@${SIP_DOMAIN}`, type: "chat", id: "cs-1" }, xml("composing", { xmlns: "http://jabber.org/protocol/chatstates" })));
    expect((await refuse.result()).exitCode).toBe(0);
    await refuse.stop();
    // The next SIP request bob's UA sees must be the text, not another isComposing.
    const text = await startSipp({
      scenario: scenarioFile("uas-text.xml", messageUas({ status: 200, reason: "OK", contentTypeMatches: "text/plain", bodyMatches: ["typed it"] })),
      localPort: uasPort, calls: 1, timeoutS: 20,
    });
    await alice.send(xml("message", { to: `bob@${SIP_DOMAIN}`, type: "chat", id: "cs-2" }, xml("composing", { xmlns: "http://jabber.org/protocol/chatstates" })));
    await alice.send(xml("message", { to: `bob@${SIP_DOMAIN}`, type: "chat", id: "cs-3" }, xml("body", {}, "typed it"), xml("active", { xmlns: "http://jabber.org/protocol/chatstates" })));
    const r = await text.result();
    await text.stop();
    expect({ exit: r.exitCode, why: r.exitCode === 0 ? "" : describeSipp(r) }).toEqual({ exit: 0, why: "" });
    expect(alice.stanzas.some((el) => String(el.attrs.id).startsWith("cs-") && el.attrs.type === "error")).toBe(false);
  });

  it("refuses a message from a JID outside the local XMPP domains", async () => {
    // Prosody stamps the real from on client stanzas, so spoofing is tried where it could happen: at the
    // ingress, with a stanza as the component would receive it from another server.
    const before = alice.stanzas.length;
    await alice.send(xml("message", { to: `bob@${SIP_DOMAIN}`, type: "groupchat", id: "gc-1" }, xml("body", {}, "room talk")));
    const err = await alice.waitForStanza((el) => el.attrs.id === "gc-1" && el.attrs.type === "error", 5000);
    expect(err.getChild("error")?.getChild("feature-not-implemented", "urn:ietf:params:xml:ns:xmpp-stanzas")).toBeDefined();
    expect(alice.stanzas.length).toBeGreaterThan(before);
  });
});

describe("errors from the recipient's own client (im.holdMs)", () => {
  let d: Deployment;
  beforeAll(async () => {
    // The server vouches for the stanza at once; the client's error comes later, inside the hold window.
    d = await startDeployment({ users: ["carol"], config: (base) => ({ ...base, im: { holdMs: 300 } }) });
  }, 30_000);
  afterAll(async () => {
    await d?.stop();
  });

  const sipToAlice = (name: string, o: { body: string; to: string; expect: number }) =>
    runSipp({
      scenario: scenarioFile(`${name}.xml`, messageUac({ from: BOB, to: o.to, contentType: "text/plain;charset=UTF-8", body: o.body, expectStatus: o.expect })),
      remote: `127.0.0.1:${d.sipPort}`, calls: 1, rate: 50, timeoutS: 20,
    });

  it("turns an XMPP client's <recipient-unavailable/> into SIP 480", async () => {
    const carol = await d.client("carol");
    carol.onStanza((el) => {
      if (el.name === "message" && el.attrs.type !== "error" && el.getChild("body")) {
        void carol.send(xml("message", { to: el.attrs.from, id: el.attrs.id, type: "error" },
          xml("error", { type: "wait" }, xml("recipient-unavailable", { xmlns: "urn:ietf:params:xml:ns:xmpp-stanzas" }))));
      }
    });
    const r = await sipToAlice("recipient-unavailable", { body: "carol?", to: `sip:carol@${XMPP_DOMAIN}`, expect: 480 });
    expect({ exit: r.exitCode, why: r.exitCode === 0 ? "" : describeSipp(r) }).toEqual({ exit: 0, why: "" });
    await carol.stop();
  });
});
