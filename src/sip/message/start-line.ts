// Request-Line and Status-Line (RFC 3261 §7.1, §7.2, §25.1).
import { isToken } from "./params.js";
import { sipUriHeaderCount, uriScheme } from "./uri.js";

export type StartLine =
  | { readonly kind: "request"; readonly method: string; readonly uri: string; readonly version: string }
  | { readonly kind: "response"; readonly status: number; readonly reason: string; readonly version: string };

/** A start line, or why not: `request` is set when the line is recognisably a request (answerable). */
export type StartLineResult =
  | { readonly ok: true; readonly line: StartLine }
  | { readonly ok: false; readonly status: number; readonly reason: string; readonly request?: { method: string; uri: string } };

const SIP_VERSION = /^SIP\/[0-9]+\.[0-9]+$/i;

/**
 * Parses a start line. Separators are exactly one SP (RFC 3261 §7.1: "single SP"; RFC 4475 lwsstart
 * and trws are rejected). A well-formed but different version gives 505 (RFC 3261 §21.5.6; RFC 4475
 * badvers). Request-URIs must be absoluteURIs; sip/sips ones must parse and carry no headers
 * (RFC 3261 §19.1.1 Table 1; RFC 4475 escruri).
 */
export function parseStartLine(line: string): StartLineResult {
  if (line.startsWith("SIP/") || line.startsWith("sip/")) return parseStatusLine(line);
  const sp1 = line.indexOf(" ");
  const method = sp1 < 0 ? line : line.slice(0, sp1);
  if (!isToken(method)) return bad("Malformed Request-Line");
  const sp2 = line.indexOf(" ", sp1 + 1);
  const uri = sp2 < 0 ? "" : line.slice(sp1 + 1, sp2);
  const request = { method, uri };
  if (sp1 < 0 || sp2 < 0) return bad("Malformed Request-Line", request);
  const version = line.slice(sp2 + 1);
  if (version !== "SIP/2.0") {
    if (uri.length === 0 || !SIP_VERSION.test(version)) return bad("Malformed Request-Line", request);
    if (version.toUpperCase() !== "SIP/2.0") return { ok: false, status: 505, reason: "Version Not Supported", request };
  }
  if (uri.length === 0) return bad("Malformed Request-Line", request);
  const scheme = uriScheme(uri);
  if (scheme === "sip" || scheme === "sips") {
    // The URI scanner admits only the characters RFC 3261 §25.1 allows in each component.
    const headers = sipUriHeaderCount(uri);
    if (headers < 0) return bad("Malformed Request-URI", request);
    if (headers > 0) return bad("Headers Not Allowed In Request-URI", request);
  } else if (scheme === null || !isUriText(uri)) return bad("Malformed Request-URI", request);
  return { ok: true, line: { kind: "request", method, uri, version: "SIP/2.0" } };
}

function parseStatusLine(line: string): StartLineResult {
  const sp1 = line.indexOf(" ");
  if (sp1 < 0) return bad("Malformed Status-Line");
  const version = line.slice(0, sp1);
  if (!SIP_VERSION.test(version)) return bad("Malformed Status-Line");
  if (version.toUpperCase() !== "SIP/2.0") return { ok: false, status: 505, reason: "Version Not Supported" };
  const code = line.slice(sp1 + 1, sp1 + 4);
  // Status-Code = 3DIGIT, and only classes 1xx-6xx exist (RFC 3261 §7.2; RFC 4475 bigcode).
  if (!/^[1-6][0-9][0-9]$/.test(code)) return bad("Malformed Status-Line");
  const rest = line.slice(sp1 + 4);
  if (rest.indexOf("\r") >= 0) return bad("Malformed Status-Line");
  // Reason-Phrase may be empty (RFC 4475 noreason); the SP before it is tolerated when missing.
  if (rest.length > 0 && rest.charCodeAt(0) !== 0x20) return bad("Malformed Status-Line");
  return { ok: true, line: { kind: "response", status: Number(code), reason: rest.slice(1), version: "SIP/2.0" } };
}

function isUriText(uri: string): boolean {
  for (let i = 0; i < uri.length; i++) {
    const c = uri.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f || c === 0x3c || c === 0x3e || c === 0x22) return false;
  }
  return true;
}

function bad(detail: string, request?: { method: string; uri: string }): StartLineResult {
  const reason = `Bad Request - ${detail}`;
  return request === undefined ? { ok: false, status: 400, reason } : { ok: false, status: 400, reason, request };
}
