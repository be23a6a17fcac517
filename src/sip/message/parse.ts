// Bytes → SipMessage (RFC 3261 §7, §18.3). Total: every input yields a ParseResult, nothing throws.
import type { ParseResult, SipHeaders, SipMessage, SipParseError, SipRequest } from "./types.js";
import { addWireHeader, createHeaders, isWsp, valuesOf } from "./headers.js";
import { canonicalHeaderNameAt, displayHeaderName } from "./header-names.js";
import { isToken } from "./params.js";
import { parseStartLine } from "./start-line.js";
import { checkHeaders } from "./validate.js";
import { parseDigits } from "./digits.js";
import { parseVia } from "./via.js";

export interface ParseOptions {
  /** Refuse messages longer than this (default DEFAULT_MAX_BYTES). */
  readonly maxBytes?: number;
}

/** Largest message accepted by default: a UDP datagram's maximum payload. */
export const DEFAULT_MAX_BYTES = 65_535;

const LF = 0x0a;
const CR = 0x0d;
const CRLFCRLF = Buffer.from("\r\n\r\n");

/**
 * Where the header section ends: `headEnd` is the end of the last header line's text, `bodyStart`
 * the first body byte. Bare LF is accepted as a line end (COMPAT: RFC 5118's archive and some UAs).
 */
export function findHeaderEnd(bytes: Uint8Array, from: number): { headEnd: number; bodyStart: number } | null {
  let pos = from;
  for (;;) {
    const nl = bytes.indexOf(LF, pos);
    if (nl < 0) return null;
    const next = nl + 1;
    if (bytes[next] === LF) return { headEnd: nl, bodyStart: next + 1 };
    if (bytes[next] === CR && bytes[next + 1] === LF) return { headEnd: nl, bodyStart: next + 2 };
    pos = next;
  }
}

/** RFC 3261 §7.5: CRLFs before the start line are ignored (keepalives, stream leftovers). */
export function skipLeadingCrlf(bytes: Uint8Array, from = 0): number {
  let i = from;
  while (i < bytes.length && (bytes[i] === CR || bytes[i] === LF)) i++;
  return i;
}

function fail(status: number, reason: string, answerable = false, partial?: SipRequest): ParseResult {
  const error: SipParseError = partial === undefined ? { status, reason, answerable } : { status, reason, answerable, partial };
  return { ok: false, error };
}

/**
 * Parses one complete message (a datagram, or a frame cut by SipStreamFramer). Content-Length
 * counts body bytes; without it the body is the rest of the input (RFC 3261 §18.3, UDP); bytes
 * beyond Content-Length are discarded. Errors carry the status and a "Bad Request - <detail>"
 * phrase; `answerable` is true for requests whose top Via parses, with `partial` to respond from.
 * The body is a view of `bytes`, not a copy (datagrams and framer output are fresh buffers): a
 * caller that reuses its input buffer must copy the body first.
 */
export function parseMessage(bytes: Uint8Array, opts?: ParseOptions): ParseResult {
  const maxBytes = opts?.maxBytes ?? DEFAULT_MAX_BYTES;
  // RFC 3261 §21.5.7: 513 is the status for a message longer than the element can process.
  if (bytes.length > maxBytes) return tooLarge(bytes, maxBytes);
  const start = skipLeadingCrlf(bytes);
  if (start === bytes.length) return fail(400, "Bad Request - Empty Message");
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // One native search for the usual CRLFCRLF. The line-by-line scan (bare LF lines) runs only when
  // there is none, or when reading the head found that way meets an earlier blank line.
  const crlf2 = buf.indexOf(CRLFCRLF, start);
  let end = crlf2 < 0 ? null : { headEnd: crlf2 + 1, bodyStart: crlf2 + 4 };
  let head = "";
  let lineEnd = 0;
  let headers = createHeaders();
  let problem: string | null = BLANK_LINE;
  if (end !== null) {
    head = buf.toString("utf8", start, end.headEnd);
    lineEnd = startLineEnd(head);
    problem = parseHeaderLines(head, lineEnd + 1, headers);
  }
  if (problem === BLANK_LINE) {
    // COMPAT(RFC 4475 baddn, RFC 5118 §4.10 archives): a datagram whose last header line ends the
    // data without the empty line is read as having no body; the framer never gets here without one.
    end = findHeaderEnd(bytes, start)
      ?? (bytes[bytes.length - 1] === LF ? { headEnd: bytes.length - 1, bodyStart: bytes.length } : null);
    if (end !== null) {
      head = buf.toString("utf8", start, end.headEnd);
      lineEnd = startLineEnd(head);
      headers = createHeaders();
      problem = parseHeaderLines(head, lineEnd + 1, headers);
    }
  }
  if (end === null) return fail(400, "Bad Request - Missing Header Terminator");
  if (problem === BLANK_LINE) problem = "Malformed Header Line"; // unreachable: the scan stops at the first blank line
  const startLine = parseStartLine(stripCr(head, 0, lineEnd));

  const method = startLine.ok
    ? (startLine.line.kind === "request" ? startLine.line.method : undefined)
    : startLine.request?.method;
  if (problem === null) problem = checkHeaders(headers, method);

  let body: Uint8Array | undefined;
  if (problem === null) {
    const r = cutBody(buf, headers, end.bodyStart);
    if (typeof r === "string") problem = r;
    else body = r;
  }

  if (!startLine.ok || problem !== null) {
    const request = startLine.ok
      ? (startLine.line.kind === "request" ? startLine.line : undefined)
      : startLine.request;
    let partial: SipRequest | undefined;
    // A response can only be sent where the top Via says (RFC 3261 §18.2.2): without it, drop.
    if (request !== undefined) {
      partial = { kind: "request", version: "SIP/2.0", method: request.method, uri: request.uri, headers, body: new Uint8Array(0) };
    }
    const top = headers.get("via");
    const answerable = partial !== undefined && top !== undefined && parseVia(top) !== null;
    if (!startLine.ok) return fail(startLine.status, startLine.reason, answerable, partial);
    return fail(400, `Bad Request - ${problem!}`, answerable, partial);
  }

  const line = startLine.line;
  const message: SipMessage = line.kind === "request"
    ? { kind: "request", version: line.version, method: line.method, uri: line.uri, headers, body: body! }
    : { kind: "response", version: line.version, status: line.status, reason: line.reason, headers, body: body! };
  return { ok: true, message };
}

/**
 * An oversized message is still answerable when its header section lies within the limit and names
 * a request with a usable top Via (an oversized UDP datagram gets its 513 instead of silence).
 */
function tooLarge(bytes: Uint8Array, maxBytes: number): ParseResult {
  const end = findHeaderEnd(bytes.subarray(0, maxBytes), skipLeadingCrlf(bytes));
  if (end === null) return fail(513, "Message Too Large");
  return { ok: false, error: errorFromHead(parseMessage(bytes.subarray(0, end.bodyStart), { maxBytes }), 513, "Message Too Large") };
}

/**
 * A framing-level error (size, Content-Length) for a message whose header section alone was parsed:
 * answerable when that header section is an answerable request (it parsed, or failed with a partial
 * request whose top Via is usable).
 */
export function errorFromHead(head: ParseResult, status: number, reason: string): SipParseError {
  const partial = head.ok ? (head.message.kind === "request" ? head.message : undefined) : head.error.partial;
  const answerable = head.ok ? partial !== undefined : head.error.answerable;
  return partial === undefined ? { status, reason, answerable: false } : { status, reason, answerable, partial };
}

function stripCr(s: string, from: number, to: number): string {
  return to > from && s.charCodeAt(to - 1) === CR ? s.slice(from, to - 1) : s.slice(from, to);
}

/**
 * Reads header lines from `head` at `pos`, unfolding continuation lines (RFC 3261 §7.3.1: LWS with a
 * CRLF is equivalent to one SP). Returns the first problem's detail, or null. Malformed lines are
 * skipped so the partial request still has the headers needed to answer. Works on indexes into
 * `head`: only names and values are sliced out, and only folded lines are rebuilt.
 */
function parseHeaderLines(head: string, pos: number, headers: SipHeaders): string | null {
  let problem: string | null = null;
  const n = head.length;
  while (pos < n) {
    let end = head.indexOf("\n", pos);
    if (end < 0) end = n;
    let next = end + 1;
    const lineEnd = end > pos && head.charCodeAt(end - 1) === CR ? end - 1 : end;
    // An empty line ends the header section: only the bare-LF fallback has to look further.
    if (lineEnd === pos) return BLANK_LINE;
    if (isWsp(head.charCodeAt(pos))) {
      problem ??= "Malformed Header Line"; // a continuation with no header line to continue
      pos = next;
      continue;
    }
    let folded: string | null = null;
    while (next < n && isWsp(head.charCodeAt(next))) {
      let e = head.indexOf("\n", next);
      if (e < 0) e = n;
      const le = e > next && head.charCodeAt(e - 1) === CR ? e - 1 : e;
      folded = `${(folded ?? head.slice(pos, lineEnd)).trimEnd()} ${head.slice(next, le).trimStart()}`;
      next = e + 1;
    }
    const p = folded === null ? addHeaderLine(head, pos, lineEnd, headers) : addHeaderLine(folded, 0, folded.length, headers);
    if (p !== null) problem ??= p;
    pos = next;
  }
  return problem;
}

/** parseHeaderLines met an empty line: the header section ended before the CRLFCRLF found. */
const BLANK_LINE = "blank line";

function startLineEnd(head: string): number {
  const nl = head.indexOf("\n");
  return nl < 0 ? head.length : nl;
}

function addHeaderLine(s: string, start: number, end: number, headers: SipHeaders): string | null {
  const colon = s.indexOf(":", start);
  if (colon <= start || colon >= end) return "Malformed Header Line";
  let nameEnd = colon;
  while (nameEnd > start && isWsp(s.charCodeAt(nameEnd - 1))) nameEnd--;
  const name = canonicalHeaderNameAt(s, start, nameEnd, isToken);
  if (name === null) return "Malformed Header Name";
  let vs = colon + 1;
  while (vs < end && isWsp(s.charCodeAt(vs))) vs++;
  let ve = end;
  while (ve > vs && isWsp(s.charCodeAt(ve - 1))) ve--;
  const value = s.slice(vs, ve);
  // A CR is only ever part of a line end (RFC 3261 §7.3.1 LWS); one inside a line is malformed.
  if (value.indexOf("\r") >= 0) return "Malformed Header Line";
  return addWireHeader(headers, name, value) ? null : `Malformed ${displayHeaderName(name)}`;
}

/** Applies Content-Length (RFC 3261 §18.3, §20.14): returns the body bytes or a problem detail. */
function cutBody(buf: Buffer, headers: SipHeaders, bodyStart: number): Uint8Array | string {
  const values = valuesOf(headers, "content-length");
  const available = buf.length - bodyStart;
  let length = available;
  if (values.length > 0) {
    const first = values[0]!;
    // RFC 4475 mcl01: several Content-Length values leave the body size unknowable.
    for (const v of values) if (v !== first) return "Conflicting Content-Length";
    length = parseDigits(first);
    if (length < 0) return "Malformed Content-Length";
    if (length > available) return "Content-Length Exceeds Message";
  }
  return buf.subarray(bodyStart, bodyStart + length);
}

