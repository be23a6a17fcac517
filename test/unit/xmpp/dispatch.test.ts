import { describe, it, expect } from "@jest/globals";
import pino from "pino";
import { createStanzaDispatcher } from "../../../src/xmpp/ingress/dispatch.js";
import type { SendResult } from "../../../src/xmpp/transport/component.js";
import type { InboundStanza } from "../../../src/xmpp/parse/stanza.js";
import { parseXml, type Element } from "../../../src/xmpp/xml.js";

function setup() {
  const sent: Element[] = [];
  const messages: InboundStanza[] = [];
  const presences: InboundStanza[] = [];
  const dispatch = createStanzaDispatcher({
    send: (el): SendResult => { sent.push(el); return { kind: "sent" }; },
    iq: { domains: new Set(["sip.example"]), identityName: "gw", features: [], userFeatures: [], version: { name: "stox", version: "0" } },
    onMessage: (s) => messages.push(s),
    onPresence: (s) => presences.push(s),
    logger: pino({ level: "silent" }),
  });
  return { sent, messages, presences, dispatch: (x: string) => dispatch(parseXml(x), "sip.example") };
}

describe("createStanzaDispatcher", () => {
  it("hands valid messages and presences to their handlers and answers IQs", () => {
    const t = setup();
    t.dispatch(`<message from="a@x/r" to="b@sip.example" id="1"><body>hi</body></message>`);
    t.dispatch(`<presence from="a@x/r" to="b@sip.example" type="subscribe"/>`);
    t.dispatch(`<iq from="a@x/r" to="sip.example" type="get" id="p"><ping xmlns="urn:xmpp:ping"/></iq>`);
    expect(t.messages.map((m) => m.id)).toEqual(["1"]);
    expect(t.presences.map((p) => p.type)).toEqual(["subscribe"]);
    expect(t.sent.map((s) => s.attrs)).toEqual([{ type: "result", from: "sip.example", to: "a@x/r", id: "p" }]);
  });

  it("answers a malformed 'to' with jid-malformed sent from the link's domain (never from the bad address)", () => {
    const t = setup();
    t.dispatch(`<message from="a@x/r" to="b c@sip.example" id="2"/>`);
    expect(t.sent).toHaveLength(1);
    expect(t.sent[0]!.attrs).toEqual({ type: "error", from: "sip.example", to: "a@x/r", id: "2" });
    expect(t.sent[0]!.getChild("error")!.getChild("jid-malformed")).toBeDefined();
    expect(t.messages).toHaveLength(0);
  });

  it("answers bad-request for an invalid type, and stays silent for unaddressable or error stanzas", () => {
    const t = setup();
    t.dispatch(`<presence from="a@x/r" to="b@sip.example" type="online"/>`);
    t.dispatch(`<message to="b@sip.example"/>`);
    t.dispatch(`<message from="a@x" to="b@@sip" type="error"/>`);
    t.dispatch(`<iq from="a@x/r" to="sip.example" type="result" id="zz"/>`);
    expect(t.sent).toHaveLength(1);
    expect(t.sent[0]!.attrs.from).toBe("b@sip.example");
    expect(t.sent[0]!.getChild("error")!.getChild("bad-request")).toBeDefined();
  });
});
