// Parses a message/cpim body (RFC 3862) as carried in a SIP MESSAGE: message headers, a blank line,
// the encapsulated MIME headers, a blank line, the content bytes. Never throws; every refusal is a
// precise 400 reason ("CPIM: ...").
import { CPIM_CORE_NS, type CpimAddress, type CpimError, type CpimHeader, type CpimMessage, type MimeHeader } from "./types.js";
import { parseCpimAddress, unescapeCpim } from "./escape.js";
import { parseRfc3339 } from "./datetime.js";
import type { LangText, Result } from "../../domain/message.js";

const utf8 = new TextDecoder("utf-8", { fatal: true });
// RFC 3862 §3.1 name-char: ASCII token characters; "." separates a namespace prefix.
const NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;
// RFC 3862 §3: header lines carry no control characters other than HTAB (escapes exist for the rest).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;
// RFC 3862 §3.4: at most one of these per message (To, cc, NS and language-tagged Subject may repeat).
const SINGLE = new Set(["from", "datetime", "require"]);

interface Lines {
  readonly lines: string[];
  /** Byte offset just after the terminating blank line, or -1 when the input ended first. */
  readonly next: number;
}

/** Reads lines up to the first empty one. COMPAT(Doubango, boghe#76): bare LF accepted as well as CRLF. */
function readBlock(bytes: Uint8Array, start: number): Lines | CpimError {
  const lines: string[] = [];
  let pos = start;
  while (pos < bytes.length) {
    let end = bytes.indexOf(0x0a, pos);
    if (end === -1) end = bytes.length;
    const stop = end > pos && bytes[end - 1] === 0x0d ? end - 1 : end;
    let line: string;
    try {
      line = utf8.decode(bytes.subarray(pos, stop));
    } catch {
      return { reason: "CPIM: header is not valid UTF-8" };
    }
    pos = end + 1;
    if (line === "") return { lines, next: Math.min(pos, bytes.length) };
    lines.push(line);
  }
  return { lines, next: -1 };
}

/**
 * The start of a bad line, quoted with its control characters escaped: the reason ends up in a SIP
 * reason phrase, which admits no CR, LF or other controls (RFC 3261 §25.1 Reason-Phrase).
 */
function quoteSnippet(line: string): string {
  return JSON.stringify(line.slice(0, 40)).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function fail(reason: string): { ok: false; error: CpimError } {
  return { ok: false, error: { reason } };
}

interface RawHeader {
  readonly name: string;
  readonly params: Map<string, string>;
  readonly value: string;
}

/** `Name:` *(";" param) SP value (RFC 3862 §3); COMPAT: the SP after the colon may be missing. */
function splitHeader(line: string): RawHeader | CpimError {
  const colon = line.indexOf(":");
  const name = colon > 0 ? line.slice(0, colon) : "";
  if (!NAME.test(name)) return { reason: `CPIM: malformed header line ${quoteSnippet(line)}` };
  if (CONTROL.test(line)) return { reason: `CPIM: control character in ${name} header` };
  let rest = line.slice(colon + 1);
  const params = new Map<string, string>();
  while (rest.startsWith(";")) {
    const m = /^;([A-Za-z0-9_-]+)(?:=("(?:[^"\\]|\\.)*"|[^;\s]*))?/.exec(rest);
    if (m === null) return { reason: `CPIM: malformed parameter in ${name} header` };
    const v = m[2] ?? "";
    params.set((m[1] as string).toLowerCase(), v.startsWith('"') ? v.slice(1, -1) : v);
    rest = rest.slice(m[0].length);
  }
  if (rest.startsWith(" ")) rest = rest.slice(1);
  const value = unescapeCpim(rest);
  if (value === undefined) return { reason: `CPIM: bad escape in ${name} header` };
  return { name, params, value };
}

/** NS value: `[prefix SP] "<" URI ">"` (RFC 3862 §3.4). */
function parseNs(value: string): { prefix: string; uri: string } | undefined {
  const m = /^\s*(?:([A-Za-z0-9!#$%&'*+\-^_`|~]+)\s+)?<([^<>\s]+)>\s*$/.exec(value);
  return m === null ? undefined : { prefix: m[1] ?? "", uri: m[2] as string };
}

/** Unfolds RFC 5322 §2.2.3 continuation lines and splits `Name: value` MIME headers. */
function parseMime(lines: readonly string[]): MimeHeader[] | CpimError {
  const out: { name: string; value: string }[] = [];
  for (const line of lines) {
    const last = out[out.length - 1];
    if ((line.startsWith(" ") || line.startsWith("\t")) && last !== undefined) {
      last.value = `${last.value} ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(":");
    const name = colon > 0 ? line.slice(0, colon).trim() : "";
    if (!NAME.test(name)) return { reason: `CPIM: malformed MIME header ${quoteSnippet(line)}` };
    out.push({ name, value: line.slice(colon + 1).trim() });
  }
  return out;
}

export function parseCpim(bytes: Uint8Array): Result<CpimMessage, CpimError> {
  const head = readBlock(bytes, 0);
  if ("reason" in head) return { ok: false, error: head };
  if (head.next === -1) return fail("CPIM: missing blank line after message headers");

  const raws: RawHeader[] = [];
  const namespaces = new Map<string, string>();
  const seen = new Set<string>();
  for (const line of head.lines) {
    const h = splitHeader(line);
    if ("reason" in h) return { ok: false, error: h };
    raws.push(h);
    if (h.name === "NS") {
      const ns = parseNs(h.value);
      if (ns === undefined) return fail("CPIM: bad NS header");
      namespaces.set(ns.prefix, ns.uri);
    }
  }

  // Resolution uses every NS of the message, not only earlier ones (lenient about header order).
  const headers: CpimHeader[] = [];
  let from: CpimAddress | undefined;
  const to: CpimAddress[] = [];
  const cc: CpimAddress[] = [];
  const subjects: LangText[] = [];
  const require: string[] = [];
  let dateTime: Date | undefined;
  for (const h of raws) {
    const dot = h.name.indexOf(".");
    const prefix = dot === -1 ? "" : h.name.slice(0, dot);
    const local = dot === -1 ? h.name : h.name.slice(dot + 1);
    const ns = dot === -1 ? (namespaces.get("") ?? CPIM_CORE_NS) : namespaces.get(prefix);
    if (ns === undefined) return fail(`CPIM: undeclared namespace prefix "${prefix}"`);
    headers.push({ name: h.name, local, ns, params: h.params, value: h.value });
    if (ns !== CPIM_CORE_NS) continue;

    // COMPAT: RFC 3862 §3.1 makes names case-sensitive; some stacks write "DATETIME"/"CC", so core
    // names are matched case-insensitively (they cannot collide with one another).
    const key = local.toLowerCase();
    if (SINGLE.has(key)) {
      if (seen.has(key)) return fail(`CPIM: duplicate ${local} header`);
      seen.add(key);
    }
    switch (key) {
      case "from": {
        from = parseCpimAddress(h.value);
        if (from === undefined) return fail("CPIM: bad From header");
        break;
      }
      case "to":
      case "cc": {
        const a = parseCpimAddress(h.value);
        if (a === undefined) return fail(`CPIM: bad ${local} header`);
        (key === "to" ? to : cc).push(a);
        break;
      }
      case "datetime": {
        dateTime = parseRfc3339(h.value);
        if (dateTime === undefined) return fail("CPIM: bad DateTime");
        break;
      }
      case "subject": {
        const lang = h.params.get("lang");
        subjects.push(lang === undefined || lang === "" ? { text: h.value } : { lang, text: h.value });
        break;
      }
      case "require": {
        for (const n of h.value.split(",")) if (n.trim() !== "") require.push(n.trim());
        break;
      }
      default:
        break;
    }
  }
  // RFC 3862 §6 leaves mandatory headers to the using protocol; RFC 3428 §9 (SIP MESSAGE) and
  // RFC 4975 (MSRP) both require From and To, and the gateway needs them for identity checks.
  if (from === undefined) return fail("CPIM: missing From header");
  if (to.length === 0) return fail("CPIM: missing To header");

  const mime = readBlock(bytes, head.next);
  if ("reason" in mime) return { ok: false, error: mime };
  if (mime.next === -1) return fail("CPIM: missing blank line after encapsulated MIME headers");
  const contentHeaders = parseMime(mime.lines);
  if ("reason" in contentHeaders) return { ok: false, error: contentHeaders };

  let body = bytes.subarray(mime.next);
  const lengthHeader = contentHeaders.find((m) => m.name.toLowerCase() === "content-length");
  if (lengthHeader !== undefined) {
    if (!/^\d{1,9}$/.test(lengthHeader.value)) return fail("CPIM: bad Content-Length");
    const n = Number(lengthHeader.value);
    if (n > body.length) return fail("CPIM: content shorter than its Content-Length");
    body = body.subarray(0, n); // trailing CRLF some stacks append is not content
  }
  const ct = contentHeaders.find((m) => m.name.toLowerCase() === "content-type");
  return {
    ok: true,
    value: {
      from, to, cc, subjects, require, namespaces, headers, contentHeaders, body,
      contentType: ct?.value ?? "text/plain",
      ...(dateTime === undefined ? {} : { dateTime }),
    },
  };
}
