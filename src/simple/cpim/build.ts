// Builds a message/cpim body (RFC 3862) for a SIP MESSAGE: CRLF line ends, one header per line,
// escaped values, then the encapsulated MIME headers and the content bytes.
import { CPIM_CORE_NS, type CpimInput } from "./types.js";
import { escapeCpim, formatCpimAddress } from "./escape.js";
import { formatRfc3339 } from "./datetime.js";

const encoder = new TextEncoder();
const NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;

/** Serialises a CPIM message; throws only on programmer error (an invalid header name). */
export function buildCpim(input: CpimInput): Uint8Array {
  const lines: string[] = [];
  lines.push(`From: ${formatCpimAddress(input.from)}`);
  for (const a of input.to) lines.push(`To: ${formatCpimAddress(a)}`);
  for (const a of input.cc ?? []) lines.push(`cc: ${formatCpimAddress(a)}`);
  if (input.dateTime !== undefined) lines.push(`DateTime: ${formatRfc3339(input.dateTime)}`);
  for (const s of input.subjects ?? []) {
    // RFC 3862 §3.3: the language tag rides as a header parameter, `Subject:;lang=fr value`.
    const lang = s.lang !== undefined && /^[A-Za-z0-9-]+$/.test(s.lang) ? `;lang=${s.lang}` : "";
    lines.push(`Subject:${lang} ${escapeCpim(s.text)}`);
  }
  for (const ns of input.namespaces ?? []) {
    if (ns.uri === CPIM_CORE_NS) continue;
    lines.push(ns.prefix === "" ? `NS: <${ns.uri}>` : `NS: ${ns.prefix} <${ns.uri}>`);
  }
  if (input.require !== undefined && input.require.length > 0) lines.push(`Require: ${input.require.join(",")}`);
  for (const h of input.extra ?? []) {
    if (!NAME.test(h.name)) throw new TypeError(`invalid CPIM header name ${JSON.stringify(h.name)}`);
    lines.push(`${h.name}: ${escapeCpim(h.value)}`);
  }
  lines.push("");

  const mime = input.contentHeaders?.filter((h) => h.name.toLowerCase() !== "content-type") ?? [];
  lines.push(`Content-Type: ${input.contentType}`);
  // MIME header values are not CPIM-escaped; a CR/LF in one would forge a header, so it is folded away.
  for (const h of mime) lines.push(`${h.name}: ${h.value.replace(/[\r\n]+/g, " ")}`);
  lines.push("", "");

  const head = encoder.encode(lines.join("\r\n"));
  const out = new Uint8Array(head.length + input.body.length);
  out.set(head, 0);
  out.set(input.body, head.length);
  return out;
}
