// Non-INVITE client transaction, RFC 3261 §17.1.2 (Figure 6): Trying → Proceeding → Completed →
// Terminated, Timer E (retransmit, UDP only), F (timeout → 408), K (absorb response retransmissions).
import type { SipRequest, SipResponse } from "../message/types.js";
import type { SipDestination, SentMessage } from "../transport/types.js";
import { isReliable } from "../transport/types.js";
import type { ClientTransaction, ClientTxUser, TxContext } from "./context.js";
import { backoff, startTimer, stopTimer, type TimerHandle } from "./timers.js";
import { synthesizeResponse } from "./synthetic.js";

type State = "trying" | "proceeding" | "completed" | "terminated";

/** `stampVia: false` sends the request with the Via it already has (a CANCEL reuses the INVITE's, §9.1). */
export function startNonInviteClient(
  ctx: TxContext, key: string, request: SipRequest, dest: SipDestination, branch: string, tu: ClientTxUser, stampVia = true,
): ClientTransaction {
  const { t1, t2, t4, t64 } = ctx.timers;
  let state: State = "trying";
  let sent: SentMessage | undefined;
  let interval = t1;
  let timerE: TimerHandle | undefined;
  let timerK: TimerHandle | undefined;
  // Timer F runs from the moment the request is handed to the transport (§17.1.2.2).
  const timerF = startTimer(t64, () => fail(408, "Request Timeout"));

  function terminate(): void {
    if (state === "terminated") return;
    state = "terminated";
    stopTimer(timerE);
    stopTimer(timerF);
    stopTimer(timerK);
    tu.onTerminated();
  }

  function fail(status: 408 | 503, reason: string): void {
    if (state !== "trying" && state !== "proceeding") return;
    terminate();
    tu.onFinal(synthesizeResponse(request, status, reason));
  }

  function retransmit(): void {
    if (sent === undefined || (state !== "trying" && state !== "proceeding")) return;
    ctx.transport.resend(sent).catch(() => fail(503, "Service Unavailable"));
    // §17.1.2.2: in Trying the interval doubles up to T2; in Proceeding it is T2.
    interval = state === "trying" ? backoff(interval, t2) : t2;
    timerE = startTimer(interval, retransmit);
  }

  (stampVia ? ctx.transport.sendRequest(request, dest, branch) : ctx.transport.send(request, dest)).then(
    (s) => {
      sent = s;
      // A final can beat the send promise on a fast stream: Timer K is zero there (§17.1.2.2).
      if (state === "completed" && isReliable(s.peer.transport)) terminate();
      if (!isReliable(s.peer.transport) && (state === "trying" || state === "proceeding")) {
        timerE = startTimer(state === "trying" ? t1 : t2, retransmit);
      }
    },
    (err: unknown) => {
      ctx.logger.info({ err, method: request.method, branch }, "SIP request could not be sent");
      fail(503, "Service Unavailable");
    },
  );

  return {
    key,
    request,
    receive(res) {
      if (state === "completed" || state === "terminated") return; // retransmitted final: absorbed
      if (res.status < 200) {
        state = "proceeding";
        tu.onProvisional?.(res);
        return;
      }
      state = "completed";
      stopTimer(timerE);
      stopTimer(timerF);
      tu.onFinal(res);
      // Timer K: T4 on UDP to absorb response retransmissions, zero on reliable transports.
      const reliable = sent !== undefined && isReliable(sent.peer.transport);
      if (reliable) terminate();
      else if (tu.onCompleted !== undefined) {
        tu.onCompleted();
        terminate();
      } else timerK = startTimer(t4, terminate);
    },
    abort() {
      fail(503, "Service Unavailable");
      terminate();
    },
  };
}
