// The fuzz targets. Each decodes the raw input into what the code under test takes, runs it, and
// checks: no exception, a well-typed ok/error result, refusals with a SIP status in 400–599, and a
// target-specific property (round trips, chunking independence) where one is cheap to state.
import { createSipStreamFramer, type FrameEvent } from "../../src/sip/message/framer.js";
import { parseMessage } from "../../src/sip/message/parse.js";
import { serializeMessage } from "../../src/sip/message/serialize.js";
import { parseCpim } from "../../src/simple/cpim/parse.js";
import { parsePidf } from "../../src/simple/pidf/parse.js";
import { compileAddressPlan } from "../../src/translate/address-plan.js";
import { formatJid, jidToSipUri, sipUriToJid } from "../../src/translate/address.js";
import { gatewayErrorToSip } from "../../src/translate/errors.js";
import { sipMessageToChat } from "../../src/translate/message-sip-to-chat.js";
import { safeParseXml, type XmlErrorKind } from "../../src/xml/safe-parse.js";
import { parseXmppMessage } from "../../src/xmpp/message/parse.js";
import { XmlParser, type Element } from "../../src/xmpp/xml.js";
import type { MessageError } from "../../src/domain/message.js";
import type { GatewayError } from "../../src/domain/errors.js";
import { ADDRESS_SEEDS, CPIM_SEEDS, STANZA_SEEDS, pidfSeeds, regressionSeeds, sipSeeds } from "./seeds.js";
import { bytes, checkReason, checkStatus, invariant, utf8, type FuzzTarget } from "./target.js";

const SIP_DICT = ["\r\n", "\r\n\r\n", "\n", " ", "\t", ":", ";", ",", "<", ">", "\"", "\\", "%", "@", "SIP/2.0", "SIP/2.0/UDP ", "sip:", "sips:", "tel:",
  "Via: ", "v: ", "Content-Length: ", "l: ", "Content-Type: ", "c: ", "CSeq: ", "Call-ID: ", "i: ", "From: ", "f: ", "To: ", "t: ", "Max-Forwards: ",
  "Event: ", "o: ", "Contact: ", "m: ", ";branch=z9hG4bK", ";tag=", ";rport", ";received=", "INVITE", "MESSAGE", "SUBSCRIBE", "NOTIFY", "ACK", "4294967296", "-1", "99999999999999999999", "[::1]"];
const XML_DICT = ["<", ">", "</", "/>", "=\"", "\"", "'", "&amp;", "&lt;", "&#x10FFFF;", "&#0;", "&foo;", "<!DOCTYPE x [<!ENTITY a \"aaaa\">]>", "<![CDATA[", "]]>", "<!--", "-->",
  "<?xml version=\"1.0\"?>", "<?pi x?>", "xmlns=\"", "xmlns:p=\"", "xml:lang=\"", "urn:ietf:params:xml:ns:pidf", "urn:ietf:params:xml:ns:pidf:data-model", "urn:ietf:params:xml:ns:pidf:rpid",
  "<tuple id=\"t\">", "<status>", "<basic>open</basic>", "<basic>closed</basic>", "mustUnderstand=\"true\"", "<note>", "<timestamp>2003-08-27T11:49:29Z</timestamp>", "priority=\"0.5\""];

const XML_KINDS: ReadonlySet<XmlErrorKind> = new Set(["doctype", "entity", "too-large", "too-deep", "too-many-elements", "malformed", "encoding"]);

function checkMessageError(e: MessageError, where: string): void {
  checkStatus(e.sip.status, where);
  checkReason(e.sip.reason, where);
  invariant(["cancel", "modify", "wait", "auth"].includes(e.xmpp.type), `${where}: xmpp type ${e.xmpp.type}`);
  invariant(typeof e.xmpp.condition === "string" && e.xmpp.condition.length > 0, `${where}: no condition`);
}

function checkGatewayError(e: GatewayError, where: string): void {
  const line = gatewayErrorToSip(e);
  checkStatus(line.status, where);
  checkReason(line.reason, where);
}

const sipParse: FuzzTarget = {
  name: "sip-parse",
  seeds: () => [...sipSeeds(), ...regressionSeeds("sip-parse")],
  dictionary: SIP_DICT,
  sources: ["/src/sip/message/"],
  maxLength: 70_000,
  run(input) {
    const r = parseMessage(input);
    if (!r.ok) {
      checkStatus(r.error.status, "parseMessage");
      checkReason(r.error.reason, "parseMessage");
      invariant(!r.error.answerable || r.error.partial !== undefined, "answerable without a partial request");
      return;
    }
    const m = r.message;
    invariant(m.kind === "request" || m.kind === "response", "message kind");
    invariant(m.body instanceof Uint8Array, "body is not bytes");
    // What we accept we must be able to send on (proxying a NOTIFY body, answering from its headers).
    const again = parseMessage(serializeMessage(m), { maxBytes: Infinity });
    invariant(again.ok, `serialized message does not reparse: ${again.ok ? "" : again.error.reason}`);
  },
};

/** Frames the input twice, in one chunk and in pieces the input's own bytes choose; both must agree. */
const sipFramer: FuzzTarget = {
  name: "sip-framer",
  seeds: () => [...sipSeeds(), ...regressionSeeds("sip-framer")],
  dictionary: SIP_DICT,
  sources: ["/src/sip/message/"],
  maxLength: 70_000,
  run(input) {
    const whole = createSipStreamFramer({ maxBytes: 8192 }).push(input);
    const split = createSipStreamFramer({ maxBytes: 8192 });
    const pieces: FrameEvent[] = [];
    let at = 0;
    let step = 1;
    while (at < input.length) {
      step = ((step * 31 + (input[at] ?? 0)) % 97) + 1;
      pieces.push(...split.push(input.subarray(at, at + step)));
      at += step;
      invariant(split.buffered <= 8192 + 97, `framer holds ${split.buffered} bytes over its limit`);
    }
    for (const e of [...whole, ...pieces]) {
      if (e.kind === "error") {
        checkStatus(e.error.status, "framer");
        checkReason(e.error.reason, "framer");
      }
    }
    // Keepalive reporting depends on where a chunk ends (a trailing CRLF may be half a ping), and so
    // does how soon an oversized header section is noticed (513 as soon as the bytes are held, or the
    // header's own error when it completes in one chunk); messages and the fact of an error do not.
    const frames = (es: FrameEvent[]) => es.filter((e) => e.kind === "message").map((e) => (e.kind === "message" ? e.bytes.toString("latin1") : ""));
    const error = (es: FrameEvent[]) => es.find((e) => e.kind === "error");
    const a = frames(whole);
    const b = frames(pieces);
    invariant(a.length === b.length && a.every((x, i) => x === b[i]), `chunking changed the frames: ${a.length} vs ${b.length} messages`);
    const ea = error(whole);
    const eb = error(pieces);
    invariant((ea === undefined) === (eb === undefined), "chunking changed whether the stream fails");
    if (ea?.kind === "error" && eb?.kind === "error" && ea.error.status !== 513 && eb.error.status !== 513) {
      invariant(ea.error.reason === eb.error.reason, `chunking changed the error: ${ea.error.reason} vs ${eb.error.reason}`);
    }
  },
};

const xmlParse: FuzzTarget = {
  name: "xml",
  seeds: () => [...pidfSeeds(), ...STANZA_SEEDS.map(bytes), ...regressionSeeds("xml")],
  dictionary: XML_DICT,
  sources: ["/src/xml/"],
  maxLength: 70_000,
  run(input) {
    const r = safeParseXml(input);
    if (r.ok) invariant(typeof r.value.name === "string" && r.value.name.length > 0, "root without a name");
    else {
      invariant(XML_KINDS.has(r.error.kind), `unknown error kind ${r.error.kind}`);
      invariant(r.error.reason.length > 0, "empty reason");
    }
  },
};

const pidf: FuzzTarget = {
  name: "pidf",
  seeds: () => [...pidfSeeds(), ...regressionSeeds("pidf")],
  dictionary: XML_DICT,
  sources: ["/src/xml/", "/src/simple/pidf/"],
  maxLength: 70_000,
  run(input) {
    const r = parsePidf(input, { contentType: "application/pidf+xml" });
    if (r.ok) {
      invariant(Array.isArray(r.value.tuples), "tuples not an array");
      return;
    }
    checkStatus(r.error.sipStatus, "parsePidf");
    checkReason(r.error.reason, "parsePidf");
  },
};

const cpim: FuzzTarget = {
  name: "cpim",
  seeds: () => [...CPIM_SEEDS.map(bytes), ...regressionSeeds("cpim")],
  dictionary: ["\r\n", "\r\n\r\n", ": ", ";lang=", "From: ", "To: ", "cc: ", "DateTime: ", "Subject: ", "NS: ", "Require: ", "<im:a@b>", "<sip:a@b>", "Content-Type: ", "text/plain", "charset=", "\"", "\\"],
  sources: ["/src/simple/cpim/"],
  run(input) {
    const r = parseCpim(input);
    // A CPIM refusal is a 400 whose reason is the error text (sipMessageToChat's badRequest).
    if (!r.ok) checkReason(r.error.reason, "parseCpim");
    else invariant(r.value.body instanceof Uint8Array, "CPIM body is not bytes");
  },
};

const CONTENT_TYPES = ["text/plain", "text/plain; charset=utf-8", "text/plain; charset=iso-8859-1", "text/plain; charset=\"bogus\"", "message/cpim", "text/html",
  "application/xhtml+xml", "application/im-iscomposing+xml", "message/imdn+xml", "multipart/mixed; boundary=x", "application/octet-stream", "", "text/", ";;;"];

/** First byte picks the Content-Type, the rest is the body. */
const sipToChat: FuzzTarget = {
  name: "sip-to-chat",
  seeds: () => [
    ...CPIM_SEEDS.map((s) => Buffer.concat([Buffer.of(4), bytes(s)])),
    Buffer.concat([Buffer.of(0), bytes("hello")]),
    Buffer.concat([Buffer.of(5), bytes("<html><body><p>hi <b>there</b></p></body></html>")]),
    Buffer.concat([Buffer.of(7), bytes(`<?xml version="1.0"?><isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"><state>active</state><refresh>60</refresh></isComposing>`)]),
    ...regressionSeeds("sip-to-chat"),
  ],
  dictionary: [...XML_DICT, "\r\n\r\n", "Content-Type: ", "From: <sip:a@sip.example>\r\n", "To: <sip:b@xmpp.example>\r\n", "imdn.Message-ID: x\r\n", "\u0000", "\u001b", "\uFFFE"],
  sources: ["/src/translate/", "/src/simple/"],
  run(input) {
    const contentType = CONTENT_TYPES[(input[0] ?? 0) % CONTENT_TYPES.length]!;
    const r = sipMessageToChat({ contentType, body: input.subarray(1), from: "sip:a@sip.example", to: "sip:b@xmpp.example", subject: utf8(input.subarray(1, 9)) });
    if (!r.ok) checkMessageError(r.error, "sipMessageToChat");
    else invariant(Array.isArray(r.value.message.bodies), "bodies not an array");
  },
};

/** Random XML through ltx (the parser @xmpp/component uses), then the stanza reader. */
const xmppMessage: FuzzTarget = {
  name: "xmpp-message",
  seeds: () => [...STANZA_SEEDS.map(bytes), ...regressionSeeds("xmpp-message")],
  dictionary: [...XML_DICT, "<message ", "<body>", "</body>", "type=\"chat\"", "type=\"groupchat\"", "type=\"error\"", "<thread>", "<subject>", "http://jabber.org/protocol/chatstates", "urn:xmpp:receipts", "http://jabber.org/protocol/xhtml-im", "http://www.w3.org/1999/xhtml", "jabber:client"],
  sources: ["/src/xmpp/", "/src/translate/"],
  run(input) {
    let root: Element | undefined;
    const parser = new XmlParser();
    parser.on("element", (el: Element) => { root ??= el; });
    parser.on("error", () => { root = undefined; });
    try {
      parser.write(`<stream>${utf8(input)}`);
    } catch {
      return; // ltx refused the text: the connection would close the stream, nothing reaches the gateway
    }
    if (root === undefined) return;
    const r = parseXmppMessage(root);
    if (!r.ok) checkMessageError(r.error, "parseXmppMessage");
  },
};

const plan = (() => {
  const p = compileAddressPlan({
    sipDomains: ["sip.example", "other.example", "xn--bcher-kva.example"],
    xmppDomains: ["xmpp.example"],
    mappings: [{ style: "same-domain", sipDomain: "sip.example" }, { style: "transport", componentDomain: "sip.gw.example", sipDomains: ["other.example", "bücher.example"] }],
  });
  if (!p.ok) throw new Error("fuzz address plan invalid");
  return p.value;
})();

/** "J <jid>" is a JID to translate to SIP, anything else a SIP URI to translate to a JID; both round-trip. */
const address: FuzzTarget = {
  name: "address",
  seeds: () => [...ADDRESS_SEEDS.map(bytes), ...regressionSeeds("address")],
  dictionary: ["sip:", "sips:", "pres:", "im:", "@", "/", "%", "%00", "%2F", "%40", "\\20", "\\40", "\\5c", ";gr=", ";", "?", ":", "[", "]", "sip.example", "xmpp.example", "sip.gw.example", "xn--", ".", "\u0000", "\u00df", "\u2126", "\uFB01", "\u200D"],
  sources: ["/src/translate/address"],
  maxLength: 4096,
  run(input) {
    const text = utf8(input);
    if (text.startsWith("J ")) {
      const r = jidToSipUri(text.slice(2), plan);
      if (!r.ok) return checkGatewayError(r.error, "jidToSipUri");
      const back = sipUriToJid(r.value, plan);
      invariant(back.ok, `jidToSipUri gave ${r.value}, which does not translate back`);
      return;
    }
    const r = sipUriToJid(text, plan);
    if (!r.ok) return checkGatewayError(r.error, "sipUriToJid");
    const jid = formatJid(r.value);
    const sip = jidToSipUri(jid, plan);
    invariant(sip.ok, `sipUriToJid gave ${jid}, which does not translate back`);
    const again = sipUriToJid(sip.value, plan);
    invariant(again.ok && formatJid(again.value) === jid, `round trip ${text} → ${jid} → ${sip.value} → ${again.ok ? formatJid(again.value) : "error"}`);
  },
};

export const TARGETS: readonly FuzzTarget[] = [sipParse, sipFramer, xmlParse, pidf, cpim, sipToChat, xmppMessage, address];

export function targetByName(name: string): FuzzTarget | undefined {
  return TARGETS.find((t) => t.name === name);
}
