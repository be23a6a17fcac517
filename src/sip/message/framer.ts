// Cutting SIP messages out of a TCP/TLS byte stream (RFC 3261 §18.3, RFC 5626 §3.5.1 keepalives).
import type { SipParseError } from "./types.js";
import { DEFAULT_MAX_BYTES, errorFromHead, findHeaderEnd, parseMessage } from "./parse.js";

export type FrameEvent =
  /** One complete message: header section plus exactly Content-Length body bytes (a fresh copy). */
  | { readonly kind: "message"; readonly bytes: Buffer }
  /** A CRLFCRLF keepalive ping: answer with a single CRLF pong (RFC 5626 §4.4.1). */
  | { readonly kind: "ping" }
  /** A single CRLF between messages: the pong to our own ping (RFC 5626 §4.4.1). */
  | { readonly kind: "pong" }
  /**
   * The stream cannot be framed any further (missing or bad Content-Length, message over maxBytes).
   * Send the error response when `answerable`, then close the connection: the framer is dead.
   */
  | { readonly kind: "error"; readonly error: SipParseError };

export interface SipStreamFramer {
  /** Feeds bytes read from the connection; returns what they completed, in order. */
  push(chunk: Uint8Array): FrameEvent[];
  /** Bytes held for an incomplete message. */
  readonly buffered: number;
}

export interface FramerOptions {
  readonly maxBytes?: number;
}

const CR = 0x0d;
const LF = 0x0a;
// Content-Length lines, long or compact form (RFC 3261 §7.3.3), value possibly folded onto the next line.
const CONTENT_LENGTH = /^(?:content-length|l)[ \t]*:[ \t\r\n]*([^\r\n]*)/gim;

/**
 * A framer for one connection. Bytes are appended to one growing buffer (amortised doubling) and
 * messages are copied out once each, so the cost is linear in the bytes received however the
 * stream is chunked.
 */
export function createSipStreamFramer(opts?: FramerOptions): SipStreamFramer {
  const maxBytes = opts?.maxBytes ?? DEFAULT_MAX_BYTES;
  let store = Buffer.allocUnsafe(4096);
  let rd = 0; // first unconsumed byte
  let wr = 0; // end of received bytes
  let scanFrom = 0; // header-end search resumes here
  let frameLength = -1; // total length of the message at rd once its header section is known
  let halfPing = false; // the last data ended with a lone CRLF (a pong, or half of a split ping)
  let dead = false;

  function append(chunk: Uint8Array): void {
    if (wr + chunk.length > store.length) {
      const live = wr - rd;
      if (live + chunk.length <= store.length && rd >= live) store.copy(store, 0, rd, wr);
      else {
        const grown = Buffer.allocUnsafe(Math.max(store.length * 2, live + chunk.length));
        store.copy(grown, 0, rd, wr);
        store = grown;
      }
      scanFrom -= rd;
      wr = live;
      rd = 0;
    }
    store.set(chunk, wr);
    wr += chunk.length;
  }

  function fatal(events: FrameEvent[], error: SipParseError): FrameEvent[] {
    dead = true;
    events.push({ kind: "error", error });
    return events;
  }

  function push(chunk: Uint8Array): FrameEvent[] {
    const events: FrameEvent[] = [];
    if (dead || chunk.length === 0) return events;
    append(chunk);
    for (;;) {
      if (frameLength < 0) {
        if (!skipKeepalives(events)) break;
        const view = store.subarray(0, wr);
        const end = findHeaderEnd(view, Math.max(rd, scanFrom));
        if (end === null) {
          scanFrom = Math.max(rd, wr - 3);
          if (wr - rd > maxBytes) return fatal(events, { status: 513, reason: "Message Too Large", answerable: false });
          break;
        }
        const length = contentLength(rd, end.headEnd);
        if (typeof length === "string") {
          const head = parseMessage(store.subarray(rd, end.bodyStart), { maxBytes: Infinity });
          return fatal(events, errorFromHead(head, 400, `Bad Request - ${length}`));
        }
        frameLength = end.bodyStart - rd + length;
        if (frameLength > maxBytes) {
          const head = parseMessage(store.subarray(rd, end.bodyStart), { maxBytes: Infinity });
          return fatal(events, errorFromHead(head, 513, "Message Too Large"));
        }
      }
      if (wr - rd < frameLength) break;
      events.push({ kind: "message", bytes: Buffer.from(store.subarray(rd, rd + frameLength)) });
      rd += frameLength;
      scanFrom = rd;
      frameLength = -1;
    }
    if (rd === wr) {
      rd = 0;
      wr = 0;
      scanFrom = 0;
      // Give back the memory of one large message: thousands of idle connections each hold a framer.
      if (store.length > 16384) store = Buffer.allocUnsafe(4096);
    }
    return events;
  }

  // RFC 5626 §3.5.1: between messages a CRLFCRLF is a ping and a CRLF a pong; RFC 3261 §7.5 says
  // stray CRLFs before a start line are ignored. Returns true when a message starts at rd.
  function skipKeepalives(events: FrameEvent[]): boolean {
    while (rd < wr) {
      const c = store[rd];
      if (c === LF) {
        rd++;
        continue;
      }
      if (c !== CR) {
        halfPing = false;
        return true;
      }
      if (rd + 1 >= wr) return false; // a CR: wait for what follows
      if (store[rd + 1] !== LF) {
        rd++;
        continue;
      }
      if (halfPing) {
        halfPing = false;
        events.push({ kind: "ping" });
        rd += 2;
      } else if (rd + 2 >= wr || (rd + 3 >= wr && store[rd + 2] === CR)) {
        // A CRLF ending the data is a pong, or the first half of a ping the network cut: report the
        // pong now, and a ping too if the next CRLF completes it.
        events.push({ kind: "pong" });
        halfPing = true;
        rd += 2;
      } else if (store[rd + 2] === CR && store[rd + 3] === LF) {
        events.push({ kind: "ping" });
        rd += 4;
      } else {
        events.push({ kind: "pong" });
        rd += 2;
      }
    }
    return false;
  }

  // RFC 3261 §18.3: on a stream Content-Length MUST be present; it is what delimits the message.
  function contentLength(from: number, to: number): number | string {
    const head = store.toString("latin1", from, to);
    let value: string | undefined;
    CONTENT_LENGTH.lastIndex = 0;
    for (let m = CONTENT_LENGTH.exec(head); m !== null; m = CONTENT_LENGTH.exec(head)) {
      const v = m[1]!.trim();
      if (value !== undefined && v !== value) return "Conflicting Content-Length";
      value = v;
    }
    if (value === undefined) return "Missing Content-Length";
    if (!/^[0-9]{1,10}$/.test(value)) return "Malformed Content-Length";
    return Number(value);
  }

  return {
    push,
    get buffered() {
      return wr - rd;
    },
  };
}
