// What every transaction state machine gets from the transaction layer.
import type { Logger } from "pino";
import type { SipRequest, SipResponse } from "../message/types.js";
import type { SentMessage, SipTransportLayer } from "../transport/types.js";
import type { TimerValues } from "./timers.js";

export interface TxContext {
  readonly transport: SipTransportLayer;
  readonly timers: TimerValues;
  readonly logger: Logger;
}

/** TU side of a client transaction. `onFinal` is called exactly once (real or synthesized response). */
export interface ClientTxUser {
  readonly onProvisional?: (res: SipResponse) => void;
  readonly onFinal: (res: SipResponse) => void;
  /** INVITE: 2xx received in the Accepted state (RFC 6026 §8.4). */
  readonly onAdditional2xx?: (res: SipResponse) => void;
  /** The transaction reached Terminated: the layer forgets it. */
  readonly onTerminated: () => void;
  /**
   * UDP non-INVITE: the final arrived and only its retransmissions remain (§17.1.2.2 Completed).
   * When given, the layer absorbs them by key until Timer K (one shared queue) and this machine
   * terminates at once, so the request, its bytes and the closures are not held for T4.
   */
  readonly onCompleted?: () => void;
}

export interface ClientTransaction {
  readonly key: string;
  readonly request: SipRequest;
  receive(res: SipResponse): void;
  /** close(): stop timers, report 503 to the TU if no final was delivered yet. */
  abort(): void;
}

export type ServerTxState = "trying" | "proceeding" | "completed" | "confirmed" | "accepted" | "terminated";

/** Holds no reference to the request once it has a final: Timer J keeps thousands of these alive. */
export interface ServerTransaction {
  readonly key: string;
  readonly state: () => ServerTxState;
  /** A retransmission of the request (or, INVITE, an ACK / CANCEL-driven event) arrived. */
  receive(req: SipRequest): void;
  /** The TU's response. Returns false (and sends nothing) when the state no longer accepts it. */
  respond(res: SipResponse): boolean;
  abort(): void;
}

export interface ServerTxUser {
  readonly onTerminated: () => void;
  /**
   * UDP non-INVITE: the final was sent and only retransmissions remain (§17.2.2 Completed). When
   * given, the layer keeps the response in a compact table for Timer J and this machine terminates.
   */
  readonly onCompleted?: (last: Promise<SentMessage | undefined>) => void;
  /** RFC 6026 §8.7: ACKs in the Accepted state belong to the TU. */
  readonly onAck?: (ack: SipRequest) => void;
  /** Timer H fired: no ACK for our non-2xx final (RFC 3261 §17.2.1), or a transport error. */
  readonly onFailure?: (reason: "timeout" | "transport-error") => void;
}
