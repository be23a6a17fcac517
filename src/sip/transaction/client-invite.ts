// INVITE client transaction, RFC 3261 §17.1.1 (Figure 5) as amended by RFC 6026 §8.4:
// Calling → Proceeding → Completed (non-2xx: ACK sent here, Timer D) or Accepted (2xx: Timer M,
// further 2xx passed to the TU, which sends the ACK itself per §13.2.2.4) → Terminated.
// §17.1.1.2 was read; RFC 6026 §8.4 (Timer M) is recalled (text not stored).
import type { SipRequest, SipResponse } from "../message/types.js";
import type { SipDestination, SentMessage } from "../transport/types.js";
import { isReliable } from "../transport/types.js";
import type { ClientTransaction, ClientTxUser, TxContext } from "./context.js";
import { ackForNon2xx } from "./ack.js";
import { backoff, startTimer, stopTimer, type TimerHandle } from "./timers.js";
import { synthesizeResponse } from "./synthetic.js";

type State = "calling" | "proceeding" | "completed" | "accepted" | "terminated";

export function startInviteClient(
  ctx: TxContext, key: string, request: SipRequest, dest: SipDestination, branch: string, tu: ClientTxUser,
): ClientTransaction {
  const { t1, t64, d } = ctx.timers;
  let state: State = "calling";
  let sent: SentMessage | undefined;
  let ackSent: SentMessage | undefined;
  let interval = t1;
  let timerA: TimerHandle | undefined;
  let timerEnd: TimerHandle | undefined; // D in Completed, M in Accepted
  // Timer B bounds the Calling state only; Proceeding waits for the TU to CANCEL (§17.1.1.2).
  const timerB = startTimer(t64, () => fail(408, "Request Timeout"));

  function terminate(): void {
    if (state === "terminated") return;
    state = "terminated";
    stopTimer(timerA);
    stopTimer(timerB);
    stopTimer(timerEnd);
    tu.onTerminated();
  }

  function fail(status: 408 | 503, reason: string): void {
    if (state !== "calling" && state !== "proceeding") return;
    terminate();
    tu.onFinal(synthesizeResponse(request, status, reason));
  }

  function retransmit(): void {
    if (sent === undefined || state !== "calling") return;
    ctx.transport.resend(sent).catch(() => fail(503, "Service Unavailable"));
    interval = backoff(interval); // Timer A doubles without a cap (§17.1.1.2)
    timerA = startTimer(interval, retransmit);
  }

  function sendAck(res: SipResponse): void {
    if (ackSent !== undefined) {
      ctx.transport.resend(ackSent).catch(() => undefined);
      return;
    }
    // The ACK goes where the INVITE went, over the same flow (§17.1.1.3).
    const target = sent?.peer ?? dest;
    ctx.transport.send(ackForNon2xx(request, res), target).then(
      (s) => { ackSent = s; },
      (err: unknown) => ctx.logger.info({ err, branch }, "ACK for non-2xx could not be sent"),
    );
  }

  ctx.transport.sendRequest(request, dest, branch).then(
    (s) => {
      sent = s;
      if (state === "calling" && !isReliable(s.peer.transport)) timerA = startTimer(t1, retransmit);
    },
    (err: unknown) => {
      ctx.logger.info({ err, branch }, "INVITE could not be sent");
      fail(503, "Service Unavailable");
    },
  );

  return {
    key,
    request,
    receive(res) {
      switch (state) {
        case "calling":
        case "proceeding":
          stopTimer(timerA);
          if (res.status < 200) {
            state = "proceeding";
            stopTimer(timerB);
            tu.onProvisional?.(res);
          } else if (res.status < 300) {
            // RFC 6026 §8.4: Accepted absorbs nothing; Timer M keeps the transaction to catch forks.
            state = "accepted";
            stopTimer(timerB);
            timerEnd = startTimer(t64, terminate);
            tu.onFinal(res);
          } else {
            state = "completed";
            stopTimer(timerB);
            sendAck(res);
            tu.onFinal(res);
            const reliable = sent !== undefined && isReliable(sent.peer.transport);
            if (reliable) terminate();
            else timerEnd = startTimer(d, terminate);
          }
          return;
        case "completed":
          if (res.status >= 300) sendAck(res); // retransmitted final: ACK again, not passed up
          return;
        case "accepted":
          if (res.status >= 200 && res.status < 300) tu.onAdditional2xx?.(res);
          return;
        case "terminated":
          return;
      }
    },
    abort() {
      fail(503, "Service Unavailable");
      terminate();
    },
  };
}
