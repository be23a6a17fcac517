// SIPp scenarios for page-mode IM through the gateway, generated per test: the bodies (4 KB of emoji,
// CPIM envelopes, spoofed From headers) and expected statuses vary too much for static files.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "./peers/process.js";

const HEADER = `<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE scenario SYSTEM "sipp.dtd">\n`;

function cdata(text: string): string {
  if (text.includes("]]>")) throw new Error("scenario text may not contain ]]>");
  return `<![CDATA[\n${text}\n]]>`;
}

const indent = (lines: readonly string[]): string => lines.map((l) => `      ${l}`).join("\n");

export interface MessageUacOptions {
  /** From URI (the SIP sender). */
  readonly from: string;
  /** Request-URI and To. */
  readonly to: string;
  readonly contentType: string;
  /** Body text; [call_number] is substituted by SIPp. */
  readonly body: string;
  /** Final status the gateway must answer. */
  readonly expectStatus: number;
  readonly extraHeaders?: readonly string[];
}

/** The MESSAGE request of a UAC scenario ([call_number] etc. are SIPp keywords). */
function messageRequest(o: { from: string; to: string; contentType: string; body: string; extraHeaders?: readonly string[] }): string {
  return indent([
    `MESSAGE ${o.to} SIP/2.0`,
    "Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]",
    "Max-Forwards: 70",
    `From: <${o.from}>;tag=[pid]SIPpTag[call_number]`,
    `To: <${o.to}>`,
    "Call-ID: [call_id]",
    "CSeq: 1 MESSAGE",
    `Content-Type: ${o.contentType}`,
    ...(o.extraHeaders ?? []),
    "Content-Length: [len]",
    "",
    ...o.body.split("\n"),
  ]);
}

/** UAC: one MESSAGE per call; the call fails unless the final response is `expectStatus`. */
export function messageUac(o: MessageUacOptions): string {
  return `${HEADER}<scenario name="gateway MESSAGE UAC">
  <send retrans="500">
    ${cdata(messageRequest(o))}
  </send>
  <recv response="100" optional="true"/>
  <!-- any other final response is an "unexpected message": SIPp fails the call -->
  <recv response="${o.expectStatus}" rtd="true"/>
</scenario>
`;
}

export interface MessageStreamOptions {
  readonly from: string;
  readonly to: string;
  readonly body: string;
  readonly contentType?: string;
  /** End the call when no final answer came within this time (a killed gateway cannot answer). */
  readonly answerTimeoutMs?: number;
  /** Write "accepted N" / "refused N" to SIPp's -trace_logs file, N = the call number. */
  readonly logOutcome?: boolean;
}

/**
 * UAC for traffic across a disruption: 200 and 503 both end a call successfully (the gateway promised
 * delivery, or refused with Retry-After); anything else fails it.
 */
export function messageUacAcceptOrRefuse(o: MessageStreamOptions): string {
  const log = (what: string) => (o.logOutcome ? `<action><log message="${what} [call_number]"/></action>` : "");
  const timeout = o.answerTimeoutMs !== undefined ? ` timeout="${o.answerTimeoutMs}" ontimeout="end"` : "";
  return `${HEADER}<scenario name="MESSAGE answered 200 or 503">
  <send retrans="500">
    ${cdata(messageRequest({ ...o, contentType: o.contentType ?? "text/plain" }))}
  </send>
  <recv response="100" optional="true"/>
  <recv response="503" optional="true" next="refused"/>
  <recv response="200"${timeout}>${log("accepted")}</recv>
  <nop next="end"/>
  <label id="refused"/>
  <nop>${log("refused")}</nop>
  <label id="end"/>
</scenario>
`;
}

export interface MessageUasOptions {
  /** Status to answer every MESSAGE with. */
  readonly status: number;
  readonly reason: string;
  /** Regular expressions (POSIX ERE, SIPp's ereg) the body must match. */
  readonly bodyMatches?: readonly string[];
  /** Regular expressions the From header must match. */
  readonly fromMatches?: string;
  readonly contentTypeMatches?: string;
}

/** UAS: answers each MESSAGE with `status` after checking From, Content-Type and body. */
export function messageUas(o: MessageUasOptions): string {
  const checks = [
    ...(o.fromMatches ? [`<ereg regexp="${o.fromMatches}" search_in="hdr" header="From:" check_it="true" assign_to="f"/>`] : []),
    ...(o.contentTypeMatches ? [`<ereg regexp="${o.contentTypeMatches}" search_in="hdr" header="Content-Type:" check_it="true" assign_to="ct"/>`] : []),
    ...(o.bodyMatches ?? []).map((r, i) => `<ereg regexp="${r}" search_in="body" check_it="true" assign_to="b${i}"/>`),
  ];
  const vars = [...(o.fromMatches ? ["f"] : []), ...(o.contentTypeMatches ? ["ct"] : []), ...(o.bodyMatches ?? []).map((_, i) => `b${i}`)];
  const response = [
    `SIP/2.0 ${o.status} ${o.reason}`,
    "[last_Via:]",
    "[last_From:]",
    "[last_To:];tag=[pid]SIPpTag01[call_number]",
    "[last_Call-ID:]",
    "[last_CSeq:]",
    "Content-Length: 0",
    "",
  ];
  return `${HEADER}<scenario name="gateway MESSAGE UAS">
  <recv request="MESSAGE">
    <action>
      ${checks.join("\n      ")}
    </action>
  </recv>
  <send>
    ${cdata(indent(response))}
  </send>
  ${vars.length > 0 ? `<Reference variables="${vars.join(",")}"/>` : ""}
</scenario>
`;
}

/** Writes a generated scenario to a temp file and returns its path. */
export function scenarioFile(name: string, xmlText: string): string {
  const path = join(tempDir("scenario"), name);
  writeFileSync(path, xmlText);
  return path;
}
