// Via header view (RFC 3261 §20.42, §25.1 via-parm) and the top-Via helpers transactions key on.
import type { SipMessage, Via } from "./types.js";
import { formatParams, isTokenChar, parseParamsAt, skipWsp } from "./params.js";
import { isIPv6 } from "node:net";

/** RFC 3261 §8.1.1.7: branches starting with this cookie are unique per transaction. */
export const BRANCH_MAGIC_COOKIE = "z9hG4bK";

function readToken(s: string, i: number): number {
  while (i < s.length && isTokenChar(s.charCodeAt(i))) i++;
  return i;
}

/**
 * Parses one via-parm: `SIP / 2.0 / UDP host[:port] *(;param)`. SLASH and COLON allow whitespace
 * around them (SWS, RFC 3261 §25.1). Protocol name and transport are uppercased (tokens are
 * case-insensitive). Returns null on a syntax error.
 */
export function parseVia(v: string): Via | null {
  let i = skipWsp(v, 0);
  // Nearly every Via is written "SIP/2.0/<transport>" without inner whitespace.
  if (v.startsWith("SIP/2.0/", i)) return parseSentBy(v, i + 8, "SIP/2.0");
  const nameStart = i;
  i = readToken(v, i);
  const name = v.slice(nameStart, i);
  if (name.length === 0) return null;
  i = skipWsp(v, i);
  if (v.charCodeAt(i) !== 0x2f) return null;
  i = skipWsp(v, i + 1);
  const versionStart = i;
  i = readToken(v, i);
  const version = v.slice(versionStart, i);
  if (version.length === 0) return null;
  i = skipWsp(v, i);
  if (v.charCodeAt(i) !== 0x2f) return null;
  const protocol = name.toUpperCase() === "SIP" && version === "2.0" ? "SIP/2.0" : `${name.toUpperCase()}/${version}`;
  return parseSentBy(v, skipWsp(v, i + 1), protocol);
}

/** `transport LWS sent-by *(;param)` from `i`, the rest of a via-parm. */
function parseSentBy(v: string, i: number, protocol: string): Via | null {
  const transportStart = i;
  i = readToken(v, i);
  const transport = upper(v.slice(transportStart, i));
  if (transport.length === 0) return null;
  const afterTransport = i;
  i = skipWsp(v, i);
  if (i === afterTransport) return null; // LWS is mandatory between sent-protocol and sent-by

  let host: string;
  if (v.charCodeAt(i) === 0x5b) {
    const close = v.indexOf("]", i);
    if (close < 0) return null;
    host = v.slice(i + 1, close);
    if (!isIPv6(host)) return null;
    i = close + 1;
  } else {
    const hostStart = i;
    while (i < v.length && isHostChar(v.charCodeAt(i))) i++;
    if (i === hostStart) return null;
    host = v.slice(hostStart, i);
  }
  let port: number | undefined;
  let j = skipWsp(v, i);
  if (v.charCodeAt(j) === 0x3a) {
    j = skipWsp(v, j + 1);
    const portStart = j;
    while (j < v.length && v.charCodeAt(j) >= 0x30 && v.charCodeAt(j) <= 0x39) j++;
    if (j === portStart || j - portStart > 5) return null;
    port = Number(v.slice(portStart, j));
    if (port > 65535) return null;
    i = j;
  }
  const p = parseParamsAt(v, i);
  if (p === null || p.end !== v.length) return null;
  return { protocol, transport, host, port, params: p.params };
}

function upper(s: string): string {
  return s === "UDP" || s === "TCP" || s === "TLS" || s === "WS" || s === "WSS" ? s : s.toUpperCase();
}

function isHostChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) || c === 0x2d || c === 0x2e || c === 0x5f;
}

export function formatVia(via: Via): string {
  const host = via.host.indexOf(":") >= 0 ? `[${via.host}]` : via.host;
  const port = via.port === undefined ? "" : `:${via.port}`;
  return `${via.protocol}/${via.transport} ${host}${port}${formatParams(via.params)}`;
}

/** The first Via of a message, parsed; null when absent or malformed. */
export function topVia(msg: SipMessage): Via | null {
  const first = msg.headers.get("via");
  return first === undefined ? null : parseVia(first);
}

/** The top Via's branch parameter, or undefined (absent Via, no branch, or flag-only branch). */
export function branchOf(msg: SipMessage): string | undefined {
  return topVia(msg)?.params.get("branch") ?? undefined;
}
