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

/** UAC: one MESSAGE per call; the call fails unless the final response is `expectStatus`. */
export function messageUac(o: MessageUacOptions): string {
  const request = [
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
  ];
  return `${HEADER}<scenario name="gateway MESSAGE UAC">
  <send retrans="500">
    ${cdata(indent(request))}
  </send>
  <recv response="100" optional="true"/>
  <!-- any other final response is an "unexpected message": SIPp fails the call -->
  <recv response="${o.expectStatus}" rtd="true"/>
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
