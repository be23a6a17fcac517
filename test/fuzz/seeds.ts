// Seed inputs for the fuzz targets: the RFC 4475 torture messages, the RFC PIDF examples, and a few
// hand-written CPIM bodies, stanzas and addresses. Regression inputs (test/fuzz/regressions/) are
// seeds too, so every past finding is replayed by every run.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));
export const REGRESSIONS = fileURLToPath(new URL("./regressions/", import.meta.url));

function readDir(dir: string, ext: string): Uint8Array[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith(ext)).sort().map((f) => readFileSync(dir + f));
}

/** RFC 4475 torture messages as LF-terminated archives, and the same with CRLF line ends. */
export function sipSeeds(): Uint8Array[] {
  const raw = readDir(`${FIXTURES}sip-torture/`, ".sip");
  return [...raw, ...raw.map((b) => Buffer.from(Buffer.from(b).toString("latin1").replace(/\r?\n/g, "\r\n"), "latin1"))];
}

export function pidfSeeds(): Uint8Array[] {
  return readDir(`${FIXTURES}pidf/`, ".xml");
}

/** Past findings for a target: one file per input, named by its hash. */
export function regressionSeeds(target: string): Uint8Array[] {
  return readDir(`${REGRESSIONS}${target}/`, ".bin");
}

export const CPIM_SEEDS: readonly string[] = [
  "From: MR SANDERS <im:piglet@100akerwood.com>\r\nTo: Depressed Donkey <im:eeyore@100akerwood.com>\r\nDateTime: 2000-12-13T13:40:00-08:00\r\nSubject: the weather will be fine today\r\nSubject:;lang=fr beau temps prevu pour aujourd'hui\r\nNS: MyFeatures <mid:MessageFeatures@id.foo.com>\r\nRequire: MyFeatures.VitalMessageOption\r\nMyFeatures.VitalMessageOption: Confirmation-requested\r\nMyFeatures.WackyMessageOption: Use-silly-font\r\n\r\nContent-Type: text/xml; charset=utf-8\r\nContent-ID: <1234567890@foo.com>\r\n\r\n<body>Here is the text of my message.</body>\r\n",
  "From: <sip:alice@sip.example>\r\nTo: <xmpp:bob@xmpp.example>\r\nNS: imdn <urn:ietf:params:imdn>\r\nimdn.Message-ID: 34jk324j\r\nimdn.Disposition-Notification: positive-delivery\r\n\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nhello\r\n",
];

export const STANZA_SEEDS: readonly string[] = [
  `<message xmlns="jabber:client" from="alice@xmpp.example/pc" to="bob@sip.example" type="chat" id="m1"><body>hi</body><thread>t1</thread><active xmlns="http://jabber.org/protocol/chatstates"/></message>`,
  `<message xmlns="jabber:client" to="bob@sip.example" type="chat" id="m2" xml:lang="en"><subject>s</subject><body xml:lang="de">Hallo</body><body>Hello</body><request xmlns="urn:xmpp:receipts"/><html xmlns="http://jabber.org/protocol/xhtml-im"><body xmlns="http://www.w3.org/1999/xhtml"><p>Hello <strong>there</strong> <a href="http://x">l</a></p></body></html></message>`,
  `<message to="bob@sip.example" type="groupchat"><body>x</body></message>`,
  `<message to="bob@sip.example" type="error"><error type="cancel"><item-not-found xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></message>`,
  `<message to="bob@sip.example"><composing xmlns="http://jabber.org/protocol/chatstates"/><received xmlns="urn:xmpp:receipts" id="r1"/><markable xmlns="urn:xmpp:chat-markers:0"/></message>`,
];

export const ADDRESS_SEEDS: readonly string[] = [
  "sip:bob@sip.example", "sips:bob@sip.example;gr=urn:uuid:f81d4fae", "sip:alice@xmpp.example", "pres:bob@sip.example",
  "im:bob@other.example", "sip:%61lice@xmpp.example", "sip:space%20cadet@sip.example", "sip:bob@xn--bcher-kva.example",
  "sip:bob@中文.example", "sip:bob@[2001:db8::1]", "sip:bob@sip.example:5061;transport=tls?subject=x",
  "J alice@xmpp.example/res", "J bob@sip.example", "J space\\20cadet@sip.example/x", "J carol\\40other.example@sip.gw.example",
];
