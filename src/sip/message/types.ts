// The SIP message model shared by every layer of src/sip/ (RFC 3261 §7).
//
// Header values are kept as the raw text of each comma-separated element, in wire order, under the
// canonical lowercase long-form name (compact forms are expanded at parse time, RFC 3261 §7.3.3).
// Structured views (Via, name-addr, CSeq, URIs) are parsed on demand by ./headers.ts and ./uri.ts:
// most messages cross the gateway with only a handful of headers ever looked at, and lazy parsing is
// what keeps the parser above 200k NOTIFY/s.

export type SipMethod =
  | "INVITE" | "ACK" | "BYE" | "CANCEL" | "OPTIONS" | "REGISTER" | "PRACK"
  | "SUBSCRIBE" | "NOTIFY" | "PUBLISH" | "MESSAGE" | "INFO" | "REFER" | "UPDATE"
  | (string & {});

export type SipTransportName = "UDP" | "TCP" | "TLS" | "WS" | "WSS";

/** Where a message came from or goes to, at the transport level. */
export interface SipPeer {
  readonly transport: SipTransportName;
  readonly address: string;
  readonly port: number;
  /**
   * Connection-oriented transports: the id of the connection the message arrived on (RFC 5626 §5.2
   * style flow token), so responses and in-dialog requests can go back over the same connection.
   */
  readonly flow?: string;
}

/** Ordered, case-insensitive, multi-valued header container. Names are canonical lowercase long forms. */
export interface SipHeaders {
  /** First value of the header, or undefined. */
  get(name: string): string | undefined;
  /** Every value, one per comma-separated element or header line, in wire order. */
  getAll(name: string): readonly string[];
  has(name: string): boolean;
  /** Replace every value of the header. */
  set(name: string, value: string | readonly string[]): void;
  /** Add a value after the existing ones. */
  append(name: string, value: string): void;
  /** Add a value before the existing ones (Via, Record-Route handling). */
  prepend(name: string, value: string): void;
  delete(name: string): void;
  /** Header names in first-seen order. */
  names(): readonly string[];
  clone(): SipHeaders;
}

interface SipMessageBase {
  readonly version: string; // "SIP/2.0"
  readonly headers: SipHeaders;
  /** Body bytes; Content-Length counts these bytes (RFC 3261 §20.14). */
  body: Uint8Array;
  /** Set by the transport on received messages. */
  source?: SipPeer;
}

export interface SipRequest extends SipMessageBase {
  readonly kind: "request";
  readonly method: SipMethod;
  /** Request-URI as text; parse with ./uri.ts when needed. */
  uri: string;
}

export interface SipResponse extends SipMessageBase {
  readonly kind: "response";
  readonly status: number;
  readonly reason: string;
}

export type SipMessage = SipRequest | SipResponse;

// ---- Structured header views (parsed on demand) ----

export interface SipUri {
  readonly scheme: "sip" | "sips" | "tel" | (string & {});
  /** userinfo user part, percent-decoded */
  readonly user?: string;
  readonly password?: string;
  /** host as written, IPv6 references without brackets */
  readonly host: string;
  readonly port?: number;
  /** uri-parameters, names lowercased; value null for flag parameters (`;lr`) */
  readonly params: ReadonlyMap<string, string | null>;
  /** URI headers (`?subject=...`), percent-decoded */
  readonly headers: ReadonlyMap<string, string>;
}

export interface Via {
  readonly protocol: string; // "SIP/2.0"
  readonly transport: string; // "UDP", "TCP", ...
  readonly host: string; // sent-by host (IPv6 without brackets)
  readonly port?: number;
  /** params, names lowercased; value null for flag parameters (`;rport`) */
  readonly params: ReadonlyMap<string, string | null>;
}

/** name-addr or addr-spec with header parameters (From, To, Contact, Route, ...) */
export interface NameAddr {
  readonly displayName?: string;
  readonly uri: string;
  readonly params: ReadonlyMap<string, string | null>;
}

export interface CSeq {
  readonly seq: number;
  readonly method: SipMethod;
}

/** A reason the parser refused bytes: the precise 400 reason phrase (or another status, e.g. 505). */
export interface SipParseError {
  readonly status: number;
  readonly reason: string;
  /** True when enough of the message was understood to send a response (RFC 3261 §8.2, §16.3). */
  readonly answerable: boolean;
  /** Partial request, when one could be recovered, to build the error response from. */
  readonly partial?: SipRequest;
}

export type ParseResult =
  | { readonly ok: true; readonly message: SipMessage }
  | { readonly ok: false; readonly error: SipParseError };
