// message/cpim (RFC 3862) as a typed record. In SIP the outer "MIME headers" of RFC 3862 §2 are the
// MESSAGE's own Content-Type, so a body starts at the message headers (RFC 3862 §2, RFC 3428 §9).
import type { LangText } from "../../domain/message.js";

/** Namespace of the headers RFC 3862 defines itself (IANA "CPIM Headers" registry URN prefix). */
export const CPIM_CORE_NS = "urn:ietf:params:cpim-headers:";

export interface CpimAddress {
  readonly displayName?: string;
  /** The URI between angle brackets, as written (im:, sip:, pres:, xmpp: ...). */
  readonly uri: string;
}

export interface CpimHeader {
  /** The name as written, e.g. "imdn.Message-ID". */
  readonly name: string;
  /** The part after the namespace prefix, e.g. "Message-ID". */
  readonly local: string;
  /** Namespace URI the prefix resolves to (CPIM_CORE_NS for unprefixed names). */
  readonly ns: string;
  /** Header parameters (RFC 3862 §3.2 `;name=value`), names lowercased. */
  readonly params: ReadonlyMap<string, string>;
  /** Value with the RFC 3862 §2.3 escapes decoded. */
  readonly value: string;
}

export interface MimeHeader {
  readonly name: string;
  readonly value: string;
}

export interface CpimMessage {
  readonly from: CpimAddress;
  readonly to: readonly CpimAddress[];
  readonly cc: readonly CpimAddress[];
  readonly dateTime?: Date;
  readonly subjects: readonly LangText[];
  /** Header names listed in Require (RFC 3862 §4.7), as written. */
  readonly require: readonly string[];
  /** NS declarations: prefix → URI ("" for a default namespace). */
  readonly namespaces: ReadonlyMap<string, string>;
  /** Every message header in wire order (the core ones included). */
  readonly headers: readonly CpimHeader[];
  /** Encapsulated Content-Type value; "text/plain" when absent (RFC 2045 §5.2 default). */
  readonly contentType: string;
  /** Every encapsulated MIME header in wire order, Content-Type included. */
  readonly contentHeaders: readonly MimeHeader[];
  readonly body: Uint8Array;
}

/** A parse failure; `reason` is the SIP 400 reason phrase, e.g. "CPIM: missing From header". */
export interface CpimError {
  readonly reason: string;
}

/** What buildCpim needs; `from`/`to` are required by RFC 3862 §6 profiles (RFC 3428 §9, RFC 4975). */
export interface CpimInput {
  readonly from: CpimAddress;
  readonly to: readonly CpimAddress[];
  readonly cc?: readonly CpimAddress[];
  readonly dateTime?: Date;
  readonly subjects?: readonly LangText[];
  readonly namespaces?: readonly { readonly prefix: string; readonly uri: string }[];
  /** Extension headers, written after the core ones: name as written (prefix.Local). */
  readonly extra?: readonly { readonly name: string; readonly value: string }[];
  readonly require?: readonly string[];
  readonly contentType: string;
  readonly contentHeaders?: readonly MimeHeader[];
  readonly body: Uint8Array;
}

/** Value of the first header with this namespace and local name (case-insensitive local name). */
export function cpimHeaderValue(msg: CpimMessage, ns: string, local: string): string | undefined {
  const want = local.toLowerCase();
  for (const h of msg.headers) if (h.ns === ns && h.local.toLowerCase() === want) return h.value;
  return undefined;
}
