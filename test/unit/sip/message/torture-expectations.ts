// One row per RFC 4475 / RFC 5118 torture message: what the parser must do with it, and which layer
// gives the final answer. Section numbers and the expected outcomes follow the RFCs' texts as quoted
// in resiprocate's resip/stack/test/RFC4475TortureTests.cxx (read) and the RFC 4475 table of
// contents and RFC 5118 table of contents (read); RFC 4475 §3.3 expectations (insuf, multi01, mcl01,
// …) and RFC 5118 §4.2/§4.10 outcomes are recalled, not read, and are marked so below.
import { expect } from "@jest/globals";
import type { SipMessage, SipRequest, SipResponse } from "../../../../src/sip/message/types.js";
import { parseUri } from "../../../../src/sip/message/uri.js";
import { parseVia } from "../../../../src/sip/message/via.js";
import { parseNameAddr } from "../../../../src/sip/message/name-addr.js";
import { parseCSeq } from "../../../../src/sip/message/cseq.js";

export type TortureCase =
  | {
      readonly file: string;
      readonly ref: string;
      readonly outcome: "parses";
      /** The layer above the parser that gives the final answer, when not a plain 2xx. */
      readonly answeredBy?: string;
      /** RFC 5118 archive: bare LF and a printed Content-Length to fix before use (fixture README). */
      readonly lfArchive?: boolean;
      readonly check: (m: SipMessage) => void;
    }
  | {
      readonly file: string;
      readonly ref: string;
      readonly outcome: "rejected";
      readonly status: number;
      readonly reason: string;
      /** Requests get the error response; responses are silently discarded. */
      readonly answerable: boolean;
      readonly lfArchive?: boolean;
    };

function req(m: SipMessage): SipRequest {
  expect(m.kind).toBe("request");
  return m as SipRequest;
}
function res(m: SipMessage): SipResponse {
  expect(m.kind).toBe("response");
  return m as SipResponse;
}
const vias = (m: SipMessage) => m.headers.getAll("via").map((v) => parseVia(v)!);
const na = (m: SipMessage, name: string) => parseNameAddr(m.headers.get(name)!)!;
const uriOf = (text: string) => parseUri(text)!;
const bodyText = (m: SipMessage) => Buffer.from(m.body).toString("latin1");

const rejected = (file: string, ref: string, reason: string, answerable = true, status = 400): TortureCase =>
  ({ file, ref, outcome: "rejected", status, reason: status === 400 ? `Bad Request - ${reason}` : reason, answerable });

export const TORTURE_CASES: readonly TortureCase[] = [
  // ---- RFC 4475 §3.1.1: valid messages, every element must accept them ----
  { file: "wsinv.sip", ref: "RFC 4475 §3.1.1.1", outcome: "parses", check(m) {
    const r = req(m);
    expect(r.method).toBe("INVITE");
    expect(uriOf(r.uri).params.has("unknownparam")).toBe(true);
    expect(na(m, "to").params.get("tag")).toBe("1918181833n");
    expect(na(m, "from")).toMatchObject({ displayName: `J Rosenberg \\"`, uri: "sip:jdrosen@example.com" });
    expect(na(m, "from").params.get("tag")).toBe("98asjd8");
    expect(m.headers.get("max-forwards")).toBe("0068");
    expect(parseCSeq(m.headers.get("cseq")!)).toEqual({ seq: 9, method: "INVITE" });
    expect(vias(m).map((v) => [v.transport, v.host, v.params.get("branch")])).toEqual([
      ["UDP", "192.0.2.2", "390skdjuw"], ["TCP", "spindle.example.com", "z9hG4bK9ikj8"], ["UDP", "192.168.255.111", "z9hG4bK30239"],
    ]);
    expect(m.headers.getAll("subject")).toEqual([""]);
    expect(m.headers.get("newfangledheader")).toBe("newfangled value continued newfangled value");
    expect(m.headers.getAll("unknownheaderwithunusualvalue")).toEqual([";;,,;;,;"]);
    const contact = na(m, "contact");
    expect(contact.displayName).toBe(`Quoted string ""`);
    expect([...contact.params]).toEqual([["newparam", "newvalue"], ["secondparam", null], ["q", "0.33"]]);
    expect(m.headers.get("route")).toBe("<sip:services.example.com;lr;unknownwith=value;unknown-no-value>");
    expect(m.body.length).toBe(150);
  } },
  { file: "intmeth.sip", ref: "RFC 4475 §3.1.1.2", outcome: "parses", answeredBy: "UAS core: 501 with Allow (unknown method)", check(m) {
    const r = req(m);
    expect(r.method).toBe("!interesting-Method0123456789_*+`.%indeed'~");
    const u = uriOf(r.uri);
    expect(u.user).toBe("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
    expect(u.password).toBe("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
    expect(vias(m)[0]!.params.get("branch")).toBe("z9hG4bK-.!%66*_+`'~");
    expect(na(m, "to").displayName).toBe("BEL:\u0007 NUL:\u0000 DEL:\u007f");
    const from = na(m, "from");
    expect(from.displayName).toBe("token1~` token2'+_ token3*%!.-");
    expect(from.params.get("fromparam''~+*_!.-%")).toBe(`"работающий"`);
    expect(from.params.get("tag")).toBe("_token~1'+`*%!-.");
    expect(m.headers.get("call-id")).toBe(`intmeth.word%ZK-!.*_+'@word\`~)(><:\\/"][?}{`);
    expect(m.headers.get("extensionheader-!.%*+_`'~")).toBe("\ufeff大停電");
  } },
  { file: "esc01.sip", ref: "RFC 4475 §3.1.1.3", outcome: "parses", check(m) {
    expect(uriOf(req(m).uri)).toMatchObject({ user: "sips:user@example.com", host: "example.net" });
    expect(uriOf(na(m, "to").uri).user).toBe("user");
    expect(uriOf(na(m, "from").uri).user).toBe("I have spaces");
    const contact = uriOf(na(m, "contact").uri);
    expect(contact.user).toBe("caller");
    expect([...contact.params]).toEqual([["lr", null], ["name", "value%41"]]);
  } },
  { file: "escnull.sip", ref: "RFC 4475 §3.1.1.4", outcome: "parses", check(m) {
    expect(uriOf(na(m, "to").uri).user).toBe("null-\u0000-null");
    expect(m.headers.getAll("contact").map((c) => uriOf(parseNameAddr(c)!.uri).user)).toEqual(["\u0000", "\u0000\u0000"]);
  } },
  { file: "esc02.sip", ref: "RFC 4475 §3.1.1.5", outcome: "parses", answeredBy: "UAS core: 501 (RE%47IST%45R is not REGISTER)", check(m) {
    expect(req(m).method).toBe("RE%47IST%45R");
    expect(na(m, "to").displayName).toBe("%Z%45");
    expect(m.headers.getAll("contact")).toEqual(["<sip:alias1@host1.example.com>", "<sip:alias3@host3.example.com>"]);
    expect(m.headers.get("c%6fntact")).toBe("<sip:alias2@host2.example.com>");
    expect(vias(m)[0]!.params.get("branch")).toBe("z9hG4bK209%fzsnel234");
  } },
  { file: "lwsdisp.sip", ref: "RFC 4475 §3.1.1.6", outcome: "parses", check(m) {
    expect(na(m, "from")).toMatchObject({ displayName: "caller", uri: "sip:caller@example.com" });
  } },
  { file: "longreq.sip", ref: "RFC 4475 §3.1.1.7", outcome: "parses", check(m) {
    expect(vias(m)).toHaveLength(34);
    expect(vias(m)[0]!.host).toBe("sip33.example.com");
    expect(na(m, "to").displayName).toMatch(/^I have a user name of (extreme){10} proportion$/);
    expect(m.headers.get("call-id")).toMatch(/^longreq\.one(really){20}longcallid$/);
    expect(m.body.length).toBe(Number(m.headers.get("content-length")));
  } },
  { file: "dblreq.sip", ref: "RFC 4475 §3.1.1.8", outcome: "parses", check(m) {
    expect(req(m).method).toBe("REGISTER");
    expect(m.body.length).toBe(0); // the INVITE after Content-Length: 0 is discarded (RFC 3261 §18.3)
  } },
  { file: "semiuri.sip", ref: "RFC 4475 §3.1.1.9", outcome: "parses", check(m) {
    expect(uriOf(req(m).uri)).toMatchObject({ user: "user;par=u@example.net", host: "example.com" });
    expect(m.headers.getAll("accept")).toEqual(["application/sdp", "application/pkcs7-mime", "multipart/mixed", "multipart/signed", "message/sip", "message/sipfrag"]);
  } },
  { file: "transports.sip", ref: "RFC 4475 §3.1.1.10", outcome: "parses", check(m) {
    expect(vias(m).map((v) => v.transport)).toEqual(["UDP", "SCTP", "TLS", "UNKNOWN", "TCP"]);
    expect(m.headers.get("call-id")).toBe("transports.kijh4akdnaqjkwendsasfdj");
  } },
  { file: "mpart01.sip", ref: "RFC 4475 §3.1.1.11", outcome: "parses", check(m) {
    expect(req(m).method).toBe("MESSAGE");
    expect(m.body.length).toBe(553);
    expect(m.headers.get("content-type")).toBe("multipart/mixed;boundary=7a9cbec02ceef655");
    expect(bodyText(m).endsWith("--7a9cbec02ceef655--\r\n")).toBe(true);
  } },
  { file: "unreason.sip", ref: "RFC 4475 §3.1.1.12", outcome: "parses", check(m) {
    const r = res(m);
    expect(r.status).toBe(200);
    expect(r.reason).toBe("= 2**3 * 5**2 но сто девяносто девять - простое");
  } },
  { file: "noreason.sip", ref: "RFC 4475 §3.1.1.13", outcome: "parses", check(m) {
    expect(res(m)).toMatchObject({ status: 100, reason: "" });
  } },

  // ---- RFC 4475 §3.1.2: invalid messages ----
  rejected("badinv01.sip", "RFC 4475 §3.1.2.1", "Malformed Via", false),
  rejected("clerr.sip", "RFC 4475 §3.1.2.2", "Content-Length Exceeds Message"),
  rejected("ncl.sip", "RFC 4475 §3.1.2.3", "Malformed Content-Length"),
  rejected("scalar02.sip", "RFC 4475 §3.1.2.4", "Malformed CSeq"),
  rejected("scalarlg.sip", "RFC 4475 §3.1.2.5 (a response: discarded)", "Malformed CSeq", false),
  rejected("quotbal.sip", "RFC 4475 §3.1.2.6", "Malformed To"),
  rejected("ltgtruri.sip", "RFC 4475 §3.1.2.7", "Malformed Request-URI"),
  rejected("lwsruri.sip", "RFC 4475 §3.1.2.8", "Malformed Request-Line"),
  rejected("lwsstart.sip", "RFC 4475 §3.1.2.9", "Malformed Request-Line"),
  rejected("trws.sip", "RFC 4475 §3.1.2.10 (rejecting is acceptable)", "Malformed Request-Line"),
  rejected("escruri.sip", "RFC 4475 §3.1.2.11 (400 is acceptable)", "Headers Not Allowed In Request-URI"),
  // The gateway never reads Date, and RFC 4475 asks that it not reject for a Date it does not use.
  { file: "baddate.sip", ref: "RFC 4475 §3.1.2.12", outcome: "parses", check(m) {
    expect(m.headers.get("date")).toBe("Fri, 01 Jan 2010 16:00:00 EST");
  } },
  rejected("regbadct.sip", "RFC 4475 §3.1.2.13", "Malformed Contact"),
  rejected("badaspec.sip", "RFC 4475 §3.1.2.14", "Malformed To"),
  rejected("baddn.sip", "RFC 4475 §3.1.2.15", "Malformed From"),
  rejected("badvers.sip", "RFC 4475 §3.1.2.16", "Version Not Supported", true, 505),
  rejected("mismatch01.sip", "RFC 4475 §3.1.2.17", "CSeq Method Mismatch"),
  rejected("mismatch02.sip", "RFC 4475 §3.1.2.18 (501 or 400)", "CSeq Method Mismatch"),
  rejected("bigcode.sip", "RFC 4475 §3.1.2.19 (a response: discarded)", "Malformed Status-Line", false),

  // ---- RFC 4475 §3.2: transaction layer ----
  { file: "badbranch.sip", ref: "RFC 4475 §3.2.1", outcome: "parses", answeredBy: "transaction layer: bare-cookie branch, 400 or RFC 2543 matching", check(m) {
    expect(vias(m)[0]!.params.get("branch")).toBe("z9hG4bK");
  } },

  // ---- RFC 4475 §3.3: application layer (outcomes recalled, see header) ----
  rejected("insuf.sip", "RFC 4475 §3.3.1", "Missing From"),
  { file: "unkscm.sip", ref: "RFC 4475 §3.3.2", outcome: "parses", answeredBy: "UAS core: 416 Unsupported URI Scheme", check(m) {
    expect(req(m).uri).toBe("nobodyKnowsThisScheme:totallyopaquecontent");
    expect(parseUri(req(m).uri)).toBeNull();
  } },
  { file: "novelsc.sip", ref: "RFC 4475 §3.3.3", outcome: "parses", answeredBy: "UAS core: 416 Unsupported URI Scheme", check(m) {
    expect(req(m).uri).toBe("soap.beep://192.0.2.103:3002");
  } },
  { file: "unksm2.sip", ref: "RFC 4475 §3.3.4", outcome: "parses", answeredBy: "registrar: 400 (To is not a SIP URI)", check(m) {
    expect(na(m, "to").uri).toBe("isbn:2983792873");
    expect(na(m, "from").uri).toBe("http://www.example.com");
    expect(na(m, "contact").uri).toBe("name:John_Smith");
  } },
  { file: "bext01.sip", ref: "RFC 4475 §3.3.5", outcome: "parses", answeredBy: "UAS core: 420 Bad Extension with Unsupported", check(m) {
    expect(m.headers.getAll("require")).toEqual(["nothingSupportsThis", "nothingSupportsThisEither"]);
    expect(m.headers.getAll("proxy-require")).toEqual(["noProxiesSupportThis", "norDoAnyProxiesSupportThis"]);
  } },
  { file: "invut.sip", ref: "RFC 4475 §3.3.6", outcome: "parses", answeredBy: "UAS core: 415 Unsupported Media Type with Accept", check(m) {
    expect(m.headers.get("content-type")).toBe("application/unknownformat");
    expect(m.body.length).toBe(40);
  } },
  { file: "regaut01.sip", ref: "RFC 4475 §3.3.7", outcome: "parses", answeredBy: "registrar: 401 with a challenge it knows", check(m) {
    expect(m.headers.get("authorization")).toBe("NoOneKnowsThisScheme opaque-data=here");
  } },
  rejected("multi01.sip", "RFC 4475 §3.3.8", "Multiple From"),
  rejected("mcl01.sip", "RFC 4475 §3.3.9", "Conflicting Content-Length"),
  { file: "bcast.sip", ref: "RFC 4475 §3.3.10", outcome: "parses", answeredBy: "proxy/transport: never forward to the broadcast Via", check(m) {
    expect(res(m).status).toBe(200);
    expect(vias(m)[1]!.host).toBe("255.255.255.255");
  } },
  { file: "zeromf.sip", ref: "RFC 4475 §3.3.11", outcome: "parses", answeredBy: "UAS answers; a proxy would send 483", check(m) {
    expect(m.headers.get("max-forwards")).toBe("0");
  } },
  { file: "cparam01.sip", ref: "RFC 4475 §3.3.12", outcome: "parses", check(m) {
    const c = na(m, "contact");
    expect(c.uri).toBe("sip:+19725552222@gw1.example.net");
    expect(c.params.has("unknownparam")).toBe(true); // a header parameter: no brackets
  } },
  { file: "cparam02.sip", ref: "RFC 4475 §3.3.13", outcome: "parses", check(m) {
    const c = na(m, "contact");
    expect(c.params.size).toBe(0);
    expect(uriOf(c.uri).params.has("unknownparam")).toBe(true); // a URI parameter: inside brackets
  } },
  { file: "regescrt.sip", ref: "RFC 4475 §3.3.14", outcome: "parses", check(m) {
    expect([...uriOf(na(m, "contact").uri).headers]).toEqual([["Route", "<sip:sip.example.com>"]]);
  } },
  { file: "sdp01.sip", ref: "RFC 4475 §3.3.15", outcome: "parses", answeredBy: "UAS core: 406 Not Acceptable", check(m) {
    expect(m.headers.get("accept")).toBe("text/nobodyKnowsThis");
  } },

  // ---- RFC 4475 §3.4: RFC 2543 compatibility ----
  { file: "inv2543.sip", ref: "RFC 4475 §3.4.1", outcome: "parses", check(m) {
    expect(m.headers.has("max-forwards")).toBe(false);
    expect(vias(m)[0]!.params.has("branch")).toBe(false);
    expect(uriOf(na(m, "to").uri)).toMatchObject({ user: "+16505552222", host: "ss1.example.net" });
    expect(m.body.length).toBeGreaterThan(0); // no Content-Length on UDP: the rest of the datagram
  } },

  // ---- RFC 5118 §4: IPv6 ----
  { file: "ipv6-good.sip", ref: "RFC 5118 §4.1", outcome: "parses", lfArchive: true, check(m) {
    expect(uriOf(req(m).uri)).toMatchObject({ host: "2001:db8::10", port: undefined });
    expect(vias(m)[0]!.host).toBe("2001:db8::9:1");
    expect(uriOf(na(m, "contact").uri).host).toBe("2001:db8::1");
  } },
  rejected("ipv6-bad.sip", "RFC 5118 §4.2 (recalled)", "Malformed Request-URI"),
  { file: "port-ambiguous.sip", ref: "RFC 5118 §4.3", outcome: "parses", lfArchive: true, check(m) {
    expect(uriOf(req(m).uri)).toMatchObject({ host: "2001:db8::10:5070", port: undefined });
  } },
  { file: "port-unambiguous.sip", ref: "RFC 5118 §4.4", outcome: "parses", lfArchive: true, check(m) {
    expect(uriOf(req(m).uri)).toMatchObject({ host: "2001:db8::10", port: 5070 });
  } },
  { file: "via-received-param-with-delim.sip", ref: "RFC 5118 §4.5", outcome: "parses", lfArchive: true, check(m) {
    expect(vias(m)[0]!.params.get("received")).toBe("[2001:db8::9:255]");
  } },
  { file: "via-received-param-no-delim.sip", ref: "RFC 5118 §4.5", outcome: "parses", lfArchive: true, check(m) {
    expect(vias(m)[0]!.params.get("received")).toBe("2001:db8::9:255");
  } },
  { file: "ipv6-in-sdp.sip", ref: "RFC 5118 §4.6", outcome: "parses", lfArchive: true, check(m) {
    expect(bodyText(m)).toContain("c=IN IP6 2001:db8::20");
  } },
  { file: "mult-ip-in-header.sip", ref: "RFC 5118 §4.7", outcome: "parses", lfArchive: true, check(m) {
    expect(vias(m).map((v) => [v.host, v.port])).toEqual([["2001:db8::9:1", 6050], ["192.0.2.1", undefined], ["2001:db8::9:255", undefined]]);
    expect(vias(m)[2]!.params.get("received")).toBe("192.0.2.200");
  } },
  { file: "mult-ip-in-sdp.sip", ref: "RFC 5118 §4.8", outcome: "parses", lfArchive: true, check(m) {
    expect(bodyText(m)).toMatch(/c=IN IP4 192\.0\.2\.1/);
  } },
  { file: "ipv4-mapped-ipv6.sip", ref: "RFC 5118 §4.9", outcome: "parses", lfArchive: true, check(m) {
    expect(vias(m).map((v) => [v.host, v.port])).toEqual([["::ffff:192.0.2.10", 19823], ["::ffff:192.0.2.2", undefined]]);
  } },
  // RFC 5954 §4.1 corrected RFC 3261's IPv6reference ABNF: only the two-colon form is an IPv6 address.
  rejected("ipv6-bug-abnf-3-colons.sip", "RFC 5118 §4.10, RFC 5954 §4.1 (recalled)", "Malformed Request-URI"),
  { file: "ipv6-correct-abnf-2-colons.sip", ref: "RFC 5118 §4.10", outcome: "parses", lfArchive: true, check(m) {
    expect(uriOf(req(m).uri).host).toBe("2001:db8::192.0.2.1");
  } },
];
