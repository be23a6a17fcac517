// INVITE server transaction, RFC 3261 §17.2.1 (Figure 7) as amended by RFC 6026 §8.5–8.7:
// Proceeding → Completed (non-2xx: Timer G retransmits, H waits for the ACK) → Confirmed (Timer I)
// or Accepted (2xx: Timer L; ACKs go to the TU, which also retransmits its 2xx, §13.3.1.4).
// §17.2.1 Timer G/H text was read; the RFC 6026 Accepted-state rules are recalled (text not stored).
import type { SipPeer, SipRequest } from "../message/types.js";
import type { SentMessage } from "../transport/types.js";
import { isReliable } from "../transport/types.js";
import type { ServerTransaction, ServerTxState, ServerTxUser, TxContext } from "./context.js";
import { createResponse } from "./message-api.js";
import { backoff, startTimer, stopTimer, type TimerHandle } from "./timers.js";

/** §17.2.1: send 100 Trying unless the TU answers within 200 ms. */
const TRYING_DELAY_MS = 200;

export function startInviteServer(
  ctx: TxContext, key: string, request: SipRequest, source: SipPeer, tu: ServerTxUser,
): ServerTransaction {
  const { t1, t2, t4, t64 } = ctx.timers;
  const reliable = isReliable(source.transport);
  let state: ServerTxState = "proceeding";
  let last: Promise<SentMessage | undefined> | undefined;
  let interval = t1;
  let timerG: TimerHandle | undefined;
  let timerEnd: TimerHandle | undefined; // H in Completed, I in Confirmed, L in Accepted
  let trying: TimerHandle | undefined = startTimer(TRYING_DELAY_MS, () => {
    trying = undefined;
    if (last === undefined && state === "proceeding") send(createResponse(request, 100, "Trying"));
  });

  function terminate(): void {
    if (state === "terminated") return;
    state = "terminated";
    stopTimer(trying);
    stopTimer(timerG);
    stopTimer(timerEnd);
    tu.onTerminated();
  }

  function transportError(err: unknown): undefined {
    ctx.logger.info({ err, source }, "INVITE response could not be sent");
    if (state !== "terminated") {
      terminate();
      tu.onFailure?.("transport-error");
    }
    return undefined;
  }

  function send(res: Parameters<ServerTransaction["respond"]>[0]): void {
    last = ctx.transport.sendResponse(res, source).catch(transportError);
  }

  function resendLast(): void {
    void last?.then((s) => (s === undefined ? undefined : ctx.transport.resend(s).catch(transportError)));
  }

  function timerGFired(): void {
    if (state !== "completed") return;
    resendLast();
    interval = backoff(interval, t2); // G doubles up to T2 (§17.2.1)
    timerG = startTimer(interval, timerGFired);
  }

  return {
    key,
    state: () => state,
    receive(req) {
      if (req.method === "ACK") {
        if (state === "completed") {
          // §17.2.1: the ACK for our non-2xx; Timer I absorbs its retransmissions (zero if reliable).
          state = "confirmed";
          stopTimer(timerG);
          stopTimer(timerEnd);
          if (reliable) terminate();
          else timerEnd = startTimer(t4, terminate);
        } else if (state === "accepted") {
          tu.onAck?.(req); // RFC 6026 §8.7: the ACK for a 2xx belongs to the TU
        }
        return;
      }
      // INVITE retransmission: Proceeding → last provisional, Completed → the final; else absorbed.
      if (state === "proceeding" || state === "completed") resendLast();
    },
    respond(res) {
      if (state === "accepted" && res.status >= 200 && res.status < 300) {
        send(res); // RFC 6026 §8.6: the TU's 2xx retransmissions pass through
        return true;
      }
      if (state !== "proceeding") return false;
      stopTimer(trying);
      trying = undefined;
      send(res);
      if (res.status < 200) return true;
      if (res.status < 300) {
        state = "accepted";
        timerEnd = startTimer(t64, terminate); // Timer L
        return true;
      }
      state = "completed";
      if (!reliable) timerG = startTimer(t1, timerGFired);
      timerEnd = startTimer(t64, () => {
        // Timer H: the ACK never came (§17.2.1).
        if (state !== "completed") return;
        terminate();
        tu.onFailure?.("timeout");
      });
      return true;
    },
    abort: terminate,
  };
}
