// Transport-level vocabulary shared by the transport layer, the transaction layer and the stack API.
import type { SipMessage, SipPeer, SipTransportName } from "../message/types.js";

/** A place to send to when there is no existing flow: host may be an IP literal or a name (A/AAAA lookup only; RFC 3263 lives in src/sip/resolve/). */
export interface SipTarget {
  readonly transport: SipTransportName;
  readonly host: string;
  readonly port: number;
}

/** A received message's `source` (reuses its flow when alive) or a plain target. */
export type SipDestination = SipPeer | SipTarget;

export interface SipTlsOptions {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  /** Trust anchors for outbound connections (and for client certificates when requestCert). */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  readonly requestCert?: boolean;
  /** Outbound only: verify the server certificate (default true). */
  readonly rejectUnauthorized?: boolean;
}

/** One listening socket. `port: 0` binds an ephemeral port (tests); `listening()` reports the real one. */
export interface SipListenSpec {
  readonly transport: SipTransportName;
  readonly host: string;
  readonly port: number;
  /** Host/port written into Via sent-by and Contact (NAT / Kubernetes Service address). */
  readonly advertisedHost?: string;
  readonly advertisedPort?: number;
  /** Required for TLS and WSS. */
  readonly tls?: SipTlsOptions;
  /** UDP: SO_RCVBUF / SO_SNDBUF to request in bytes (absent: 4 MiB, config sip.udp's default; 0: the OS default). */
  readonly receiveBufferBytes?: number;
  readonly sendBufferBytes?: number;
}

/** What a listener actually bound, with the address to advertise. */
export interface SipListening {
  readonly transport: SipTransportName;
  readonly host: string;
  readonly port: number;
  readonly advertisedHost: string;
  readonly advertisedPort: number;
}

export interface SipRateLimit {
  /** Sustained requests per second per source IP. */
  readonly ratePerSecond: number;
  /** Bucket size: requests accepted in a burst. */
  readonly burst: number;
  /** Retry-After seconds in the 503 sent once per burst. */
  readonly retryAfterSeconds?: number;
}

export interface SipTransportLimits {
  /** Largest accepted message per transport, bytes (default UDP 65535, others 256 KiB). */
  readonly maxMessageBytes?: Partial<Record<SipTransportName, number>>;
  /** Per-source-IP token bucket for requests; responses are never limited. Absent: no limit. */
  readonly rateLimit?: SipRateLimit;
  /** Live TCP/TLS/WS connections, inbound + outbound (default 10000). */
  readonly maxConnections?: number;
  /** Outbound TCP/TLS connect timeout (default 5000 ms). */
  readonly connectTimeoutMs?: number;
  /** Connections with no traffic for this long are closed (default 300000 ms; RFC 3261 §18 leaves it to policy). */
  readonly idleTimeoutMs?: number;
}

/** Why a send failed; the transaction layer maps every kind to 503 toward the TU (RFC 3261 §8.1.3.1). */
export type SipTransportErrorKind =
  | "no-listener" // no socket for that transport
  | "connect-failed"
  | "connect-timeout"
  | "flow-closed" // a WS/TLS flow the caller named is gone and cannot be re-opened
  | "too-large" // RFC 3261 §18.1.1: > 1300 bytes on UDP and no TCP to fall back to
  | "connection-limit"
  | "send-failed";

export class SipTransportError extends Error {
  /** SIP status the TU sees for this failure (RFC 3261 §8.1.3.1). */
  readonly status = 503;
  constructor(readonly kind: SipTransportErrorKind, detail: string) {
    super(`${kind}: ${detail}`);
    this.name = "SipTransportError";
  }
}

/** Receive callback of the transport layer: a parsed message with `source` set. */
export type SipReceiveHandler = (message: SipMessage, source: SipPeer) => void;

export function isReliable(transport: string): boolean {
  return transport !== "UDP";
}

/** What was put on the wire, kept by transactions for retransmission (RFC 3261 §17: same bytes). */
export interface SentMessage {
  readonly bytes: Buffer;
  /** Where it went; `flow` set on connection-oriented transports. */
  readonly peer: SipPeer;
}

/** The transport layer as the transaction layer and the stack use it. */
export interface SipTransportLayer {
  start(): Promise<void>;
  onReceive(handler: SipReceiveHandler): void;
  onFlowClosed(handler: (flow: string) => void): void;
  /**
   * Client request: picks the transport (RFC 3261 §18.1.1: > 1300 bytes on UDP goes over TCP when the
   * target can take it), prepends our Via (advertised sent-by, `rport`, the given branch), sends.
   */
  sendRequest(req: SipMessage & { kind: "request" }, dest: SipDestination, branch: string): Promise<SentMessage>;
  /** Sends a message as it is (ACK of a non-2xx reuses the INVITE's Via). */
  send(msg: SipMessage, dest: SipDestination): Promise<SentMessage>;
  /** RFC 3261 §18.2.2 response routing from the top Via; `source` is where the request came from. */
  sendResponse(res: SipMessage & { kind: "response" }, source?: SipPeer): Promise<SentMessage>;
  /** Retransmission of bytes already sent. */
  resend(sent: SentMessage): Promise<void>;
  listening(): readonly SipListening[];
  /** Live TCP/TLS/WS connections. */
  connections(): number;
  close(): Promise<void>;
}
