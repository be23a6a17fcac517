// The TU's handle on one server transaction: builds responses (RFC 3261 §8.2.6) and enforces
// "provisionals any number of times, one final".
import type { Logger } from "pino";
import type { SipPeer, SipRequest, SipResponse } from "../message/types.js";
import { createResponse, getTag, newTag } from "./message-api.js";

export interface RespondOptions {
  /** To tag for the response (ignored when the request's To already has one). */
  readonly toTag?: string;
  /** Extra headers, canonical or display names. */
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
  readonly body?: Uint8Array | string;
  readonly contentType?: string;
}

export interface IncomingRequest {
  readonly request: SipRequest;
  readonly source: SipPeer;
  /** Build (RFC 3261 §8.2.6) and send a response. Provisionals: any number; finals: the first wins. */
  respond(status: number, reason?: string, opts?: RespondOptions): void;
  /** Send a response the caller built (e.g. with createResponse); same final-once rule. */
  respondWith(response: SipResponse): void;
  /** True once a final response has been sent (by the TU or by the stack, e.g. 487 after CANCEL). */
  readonly finalSent: boolean;
  /** INVITE only: called when a matching CANCEL arrived (the stack has already answered 200 + 487). */
  onCancel(listener: () => void): void;
}

/** Internal view the transaction layer keeps next to the IncomingRequest. */
export interface IncomingRequestControl {
  readonly incoming: IncomingRequest;
  /** The To tag our responses carry (§9.2: the CANCEL's 200 reuses it). */
  readonly toTag: () => string | undefined;
  cancelled(): void;
}

/**
 * `deliver` hands a response to the server transaction and returns false when its state refuses it.
 * Pass `deliver: undefined` for ACKs, which take no response (§17.1.1.3, §13.2.2.4).
 */
export function createIncomingRequest(
  request: SipRequest, source: SipPeer, deliver: ((res: SipResponse) => boolean) | undefined, logger: Logger,
): IncomingRequestControl {
  let tag: string | undefined = getTag(request.headers.get("to") ?? "");
  const ownTag = tag === undefined;
  const cancelListeners: (() => void)[] = [];

  function send(res: SipResponse): void {
    if (deliver === undefined) {
      logger.warn({ method: request.method, status: res.status }, "response to an ACK ignored");
      return;
    }
    if (incoming.finalSent && res.status >= 200) {
      logger.warn({ method: request.method, status: res.status }, "second final response ignored");
      return;
    }
    if (!deliver(res)) {
      logger.warn({ method: request.method, status: res.status }, "response refused by the transaction state");
      return;
    }
    if (res.status >= 200) incoming.finalSent = true;
  }

  // `finalSent` is a data property, not a getter: with `get finalSent()` in this literal, each
  // request's whole object graph (its parse, the TU's closures, the stanza) was promoted by the young
  // generation's scavenges and freed only by mark-compacts, ~1.9 KB per request through this function
  // alone (bench/im-gateway-heap.ts, docs/benchmarks.md). Probably because V8 keeps a literal's accessor
  // in the object's hidden class, which lives in the old generation and so is a scavenge root for the
  // getter's closure and, through its context, for the request.
  const incoming: Omit<IncomingRequest, "finalSent"> & { finalSent: boolean } = {
    request,
    source,
    finalSent: false,
    respond(status, reason, opts = {}) {
      // §8.2.6.2: a UAS adds a To tag to every response but 100; one tag for the whole transaction.
      if (ownTag && status > 100) tag ??= opts.toTag ?? newTag();
      const toTag = ownTag && status > 100 ? tag : undefined;
      send(createResponse(request, status, reason, { ...opts, toTag }));
    },
    respondWith: send,
    onCancel(listener) { cancelListeners.push(listener); },
  };
  return {
    incoming,
    toTag: () => tag,
    cancelled() {
      if (!incoming.finalSent) incoming.respond(487, "Request Terminated");
      for (const l of cancelListeners) l();
    },
  };
}
