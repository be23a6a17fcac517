// Via header view (RFC 3261 §20.42, §25.1 via-parm) and the top-Via helpers transactions key on.
import type { SipMessage, Via } from "./types.js";
import { formatParams, isTokenChar, scanParams, skipWsp } from "./params.js";
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
  const out: SentBy = { transport: "", host: "", port: undefined, params: new Map() };
  const protocol = scanVia(v, out);
  return protocol === null ? null : { protocol, ...out };
}

/** True when `v` is a well-formed via-parm; allocates no view (the parser validates every Via). */
export function isVia(v: string): boolean {
  return scanVia(v, null) !== null;
}

interface SentBy {
  transport: string;
  host: string;
  port: number | undefined;
  params: Map<string, string | null>;
}

/** Scans a via-parm, filling `out` when given; returns the sent-protocol ("SIP/2.0") or null. */
function scanVia(v: string, out: SentBy | null): string | null {
  let i = skipWsp(v, 0);
  // Nearly every Via is written "SIP/2.0/<transport>" without inner whitespace.
  if (v.startsWith("SIP/2.0/", i)) return scanSentBy(v, i + 8, out) ? "SIP/2.0" : null;
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
  if (!scanSentBy(v, skipWsp(v, i + 1), out)) return null;
  return name.toUpperCase() === "SIP" && version === "2.0" ? "SIP/2.0" : `${name.toUpperCase()}/${version}`;
}

/** `transport LWS sent-by *(;param)` from `i`, the rest of a via-parm. */
function scanSentBy(v: string, i: number, out: SentBy | null): boolean {
  const transportStart = i;
  i = readToken(v, i);
  if (i === transportStart) return false;
  if (out !== null) out.transport = upper(v.slice(transportStart, i));
  const afterTransport = i;
  i = skipWsp(v, i);
  if (i === afterTransport) return false; // LWS is mandatory between sent-protocol and sent-by

  if (v.charCodeAt(i) === 0x5b) {
    const close = v.indexOf("]", i);
    if (close < 0) return false;
    const host = v.slice(i + 1, close);
    if (!isIPv6(host)) return false;
    if (out !== null) out.host = host;
    i = close + 1;
  } else {
    const hostStart = i;
    while (i < v.length && isHostChar(v.charCodeAt(i))) i++;
    if (i === hostStart) return false;
    if (out !== null) out.host = v.slice(hostStart, i);
  }
  let j = skipWsp(v, i);
  if (v.charCodeAt(j) === 0x3a) {
    j = skipWsp(v, j + 1);
    const portStart = j;
    let port = 0;
    while (j < v.length && v.charCodeAt(j) >= 0x30 && v.charCodeAt(j) <= 0x39) port = port * 10 + v.charCodeAt(j++) - 0x30;
    if (j === portStart || j - portStart > 5 || port > 65535) return false;
    if (out !== null) out.port = port;
    i = j;
  }
  return scanParams(v, i, out === null ? null : out.params) === v.length;
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
