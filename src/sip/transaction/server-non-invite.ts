// Non-INVITE server transaction, RFC 3261 §17.2.2 (Figure 8): Trying → Proceeding → Completed →
// Terminated. Request retransmissions are absorbed (Trying) or answered with the last response;
// Timer J (64·T1 on UDP, zero on reliable transports) keeps the final around for them.
import type { SipPeer, SipRequest } from "../message/types.js";
import type { SentMessage } from "../transport/types.js";
import { isReliable } from "../transport/types.js";
import type { ServerTransaction, ServerTxState, ServerTxUser, TxContext } from "./context.js";
import { startTimer, stopTimer, type TimerHandle } from "./timers.js";

export function startNonInviteServer(
  ctx: TxContext, key: string, request: SipRequest, source: SipPeer, tu: ServerTxUser,
): ServerTransaction {
  const method = request.method; // the request itself is not kept (memory under Timer J)
  let state: ServerTxState = "trying";
  let last: Promise<SentMessage | undefined> | undefined;
  let timerJ: TimerHandle | undefined;

  function terminate(): void {
    if (state === "terminated") return;
    state = "terminated";
    stopTimer(timerJ);
    tu.onTerminated();
  }

  function transportError(err: unknown): undefined {
    ctx.logger.info({ err, method, source }, "SIP response could not be sent");
    if (state !== "terminated") {
      terminate();
      tu.onFailure?.("transport-error");
    }
    return undefined;
  }

  return {
    key,
    state: () => state,
    receive() {
      // §17.2.2: retransmission in Trying is discarded; later it gets the most recent response.
      if (state === "proceeding" || state === "completed") {
        void last?.then((s) => (s === undefined ? undefined : ctx.transport.resend(s).catch(transportError)));
      }
    },
    respond(res) {
      if (state !== "trying" && state !== "proceeding") return false;
      last = ctx.transport.sendResponse(res, source).catch(transportError);
      if (res.status < 200) {
        state = "proceeding";
        return true;
      }
      state = "completed";
      if (isReliable(source.transport)) terminate(); // Timer J is zero on reliable transports
      else if (tu.onCompleted !== undefined) {
        tu.onCompleted(last);
        terminate();
      } else timerJ = startTimer(ctx.timers.t64, terminate);
      return true;
    },
    abort: terminate,
  };
}
