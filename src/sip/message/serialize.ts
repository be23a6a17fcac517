// SipMessage → bytes (RFC 3261 §7).
import type { SipMessage } from "./types.js";
import { displayHeaderName, isListHeader } from "./header-names.js";

// Kept one value per line: the headers proxies and transactions read top-down and that some peers
// mis-handle when comma-joined. Other list headers are joined (RFC 3261 §7.3.1 makes them equal).
const ONE_PER_LINE: ReadonlySet<string> = new Set(["via", "route", "record-route", "contact", "path", "service-route"]);

/**
 * Serialises a message. Content-Length is always recomputed from the body's bytes (RFC 3261
 * §18.3, §20.14) and written last; CR and LF inside values are replaced by SP so that text from
 * elsewhere (an XMPP subject, a display name) cannot inject header lines.
 */
export function serializeMessage(m: SipMessage): Buffer {
  let head = m.kind === "request"
    ? `${m.method} ${safe(m.uri)} ${m.version}\r\n`
    : `${m.version} ${m.status} ${safe(m.reason)}\r\n`;
  for (const name of m.headers.names()) {
    if (name === "content-length") continue;
    const values = m.headers.getAll(name);
    const display = displayHeaderName(name);
    if (values.length === 0) head += `${display}: \r\n`;
    else if (values.length > 1 && isListHeader(name) && !ONE_PER_LINE.has(name)) {
      head += `${display}: ${values.map(safe).join(", ")}\r\n`;
    } else {
      for (const v of values) head += `${display}: ${safe(v)}\r\n`;
    }
  }
  head += `Content-Length: ${m.body.length}\r\n\r\n`;
  const headLength = Buffer.byteLength(head, "utf8");
  const out = Buffer.allocUnsafe(headLength + m.body.length);
  out.write(head, 0, "utf8");
  out.set(m.body, headLength);
  return out;
}

function safe(v: string): string {
  return v.indexOf("\n") < 0 && v.indexOf("\r") < 0 ? v : v.replace(/[\r\n]/g, " ");
}
