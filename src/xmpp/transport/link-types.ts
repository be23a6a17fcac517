// The public contract of the component link (implemented in component.ts, which re-exports it).
import type { Element } from "../xml.js";
import type { BackoffPolicy } from "./backoff.js";
import type { BufferLimits } from "./send-buffer.js";
import type { OutboundStanza } from "./serialized-stanza.js";
import type { TypedEvents } from "./typed-events.js";

export interface ComponentLinkOptions {
  /** e.g. "xmpp://127.0.0.1:5347" */
  readonly service: string;
  readonly domain: string;
  /** XEP-0114 §3: hashed as Latin-1 by xmpp.js; keep it ASCII. */
  readonly secret: string;
  readonly reconnect: BackoffPolicy;
  /** `to` defaults to our own domain: a round trip through the server that needs no server module. */
  readonly keepalive: { readonly intervalMs: number; readonly timeoutMs: number; readonly to?: string };
  readonly buffer: BufferLimits;
  readonly maxInboundStanzaBytes: number;
  /** Socket connect + stream open + handshake must finish within this (default 10 s). */
  readonly handshakeTimeoutMs?: number;
  readonly random?: () => number;
  /** Tests only: turns the UTF-8 fix off, to prove the guard test detects the corruption. */
  readonly unsafeDisableUtf8Fix?: boolean;
}

export type LinkState = "connecting" | "online" | "offline" | "auth-failed" | "stopped";

export type SendResult =
  | { readonly kind: "sent" }
  | { readonly kind: "buffered" }
  // "invalid-from": the server would close the whole stream (XEP-0114 §3, invalid-from) for it.
  | { readonly kind: "rejected"; readonly reason: "buffer-full" | "stopped" | "invalid-from" };

export interface LinkError {
  readonly kind: "auth-failed" | "stream-error" | "connect-failed" | "keepalive-timeout" | "inbound-too-large";
  /** RFC 6120 §4.9.3 stream error condition, when the server sent one. */
  readonly condition?: string;
  readonly message: string;
}

export type ComponentLinkEvents = {
  readonly state: [next: LinkState, previous: LinkState];
  readonly online: [info: { readonly reconnected: boolean }];
  /** After every reconnect (not the first connect): the server forgot nothing but told no one we came
   *  back, so the gateway must re-send presence and re-probe (xmpp-stack.md). */
  readonly reconnected: [];
  readonly offline: [info: { readonly reason: string }];
  readonly stanza: [stanza: Element];
  readonly error: [error: LinkError];
};

export interface ComponentLink extends TypedEvents<ComponentLinkEvents> {
  readonly domain: string;
  readonly state: LinkState;
  readonly buffered: { readonly stanzas: number; readonly bytes: number };
  start(): void;
  /** Rejects new sends, drains the buffer until `deadlineMs` (default 5 s), then closes the stream. */
  stop(opts?: { readonly deadlineMs?: number }): Promise<{ readonly dropped: number }>;
  send(stanza: OutboundStanza): SendResult;
  /** Sends our own IQ; resolves with the result, rejects with IqRequestError. */
  request(iq: Element, timeoutMs: number): Promise<Element>;
  /**
   * Resolves once the server has processed every stanza written before it. A server handles one
   * stream's stanzas in order (RFC 6120 §10.1), so a self-addressed XEP-0199 ping comes back after any
   * error those stanzas caused. Rejects with IqRequestError when the link fails first.
   */
  barrier(timeoutMs: number): Promise<void>;
}
