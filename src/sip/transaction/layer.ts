// The transaction layer: matches every message to its transaction (RFC 3261 §17.1.3, §17.2.3) in
// Map lookups, creates server transactions for new requests, answers CANCEL (§9.2) and merged
// requests (§8.2.2.2) itself, and passes stray 2xx-to-INVITE and ACKs for 2xx up (§17.1.3, §18.1.2).
import type { SipMessage, SipPeer, SipRequest, SipResponse } from "../message/types.js";
import type { SentMessage, SipDestination } from "../transport/types.js";
import type { ClientTransaction, ServerTransaction, ServerTxUser, TxContext } from "./context.js";
import { cancelFor } from "./cancel.js";
import { startInviteClient } from "./client-invite.js";
import { startNonInviteClient } from "./client-non-invite.js";
import { createIncomingRequest, type IncomingRequest, type IncomingRequestControl } from "./incoming-request.js";
import { clientKey, clientKeyOfResponse, mergeKey, serverKey } from "./keys.js";
import { createResponse, newBranch, parseCSeq } from "./message-api.js";
import { startInviteServer } from "./server-invite.js";
import { startNonInviteServer } from "./server-non-invite.js";
import { createExpiryQueue } from "./timers.js";

export interface ClientRequestOptions {
  readonly onProvisional?: (res: SipResponse) => void;
  readonly onAdditional2xx?: (res: SipResponse) => void;
  /** INVITE: aborting sends a CANCEL once a provisional has arrived (RFC 3261 §9.1). */
  readonly signal?: AbortSignal;
}

export interface TransactionLayer {
  receive(msg: SipMessage, source: SipPeer): void;
  onRequest(handler: (tx: IncomingRequest) => void): void;
  onStrayResponse(handler: (res: SipResponse) => void): void;
  /** Runs a client transaction; resolves with the final response (408/503 synthesized). */
  sendRequest(req: SipRequest, dest: SipDestination, opts?: ClientRequestOptions): Promise<SipResponse>;
  /** Closing: new requests are answered 503 instead of reaching the TU. */
  stopAccepting(): void;
  /** Live transactions, client and server. */
  size(): number;
  /** Transactions still owing something to a TU: client ones without a final, server ones without a final. */
  pending(): number;
  /** Terminates every transaction (client ones report 503 to their TU). */
  abortAll(): void;
}

interface ServerEntry {
  readonly tx: ServerTransaction;
  readonly control: IncomingRequestControl | undefined;
}

export function createTransactionLayer(ctx: TxContext): TransactionLayer {
  const clients = new Map<string, ClientTransaction>();
  const servers = new Map<string, ServerEntry>();
  const merged = new Map<string, string>();
  const awaitingFinal = new Set<string>();
  // §17.2.2 Completed state of UDP non-INVITE server transactions: the last response, for request
  // retransmissions, until Timer J (one shared queue, no per-transaction timer or closures).
  const completed = new Map<string, { readonly last: Promise<SentMessage | undefined>; readonly mk: string | undefined }>();
  const timerJ = createExpiryQueue<string>(ctx.timers.t64, (key) => {
    const done = completed.get(key);
    completed.delete(key);
    if (done?.mk !== undefined && merged.get(done.mk) === key) merged.delete(done.mk);
  });
  // §17.1.2.2 Completed state of UDP non-INVITE client transactions: only the key, to absorb the
  // final's retransmissions until Timer K (T4). A fan-out completes thousands per second; holding each
  // whole transaction (request, bytes, closures, a timer) for 5 s made them survive into the old
  // generation, where the GC has to mark and compact them.
  const absorbing = new Set<string>();
  const timerK = createExpiryQueue<string>(ctx.timers.t4, (key) => { absorbing.delete(key); });
  let handler: ((tx: IncomingRequest) => void) | undefined;
  let strayHandler: ((res: SipResponse) => void) | undefined;
  let accepting = true;
  const log = ctx.logger;

  function startServer(req: SipRequest, key: string, source: SipPeer, user: Omit<ServerTxUser, "onTerminated">, mk?: string): ServerTransaction {
    const tu: ServerTxUser = {
      ...user,
      onTerminated: () => {
        servers.delete(key);
        if (mk !== undefined && merged.get(mk) === key && !completed.has(key)) merged.delete(mk);
      },
      onCompleted: (last) => {
        completed.set(key, { last, mk });
        timerJ.add(key);
      },
    };
    return req.method === "INVITE" ? startInviteServer(ctx, key, req, source, tu) : startNonInviteServer(ctx, key, req, source, tu);
  }

  /** A request the stack answers itself, still inside a server transaction so retransmissions get the same answer. */
  function answerDirectly(req: SipRequest, key: string, source: SipPeer, status: number, reason: string, toTag?: string): void {
    const tx = startServer(req, key, source, {});
    servers.set(key, { tx, control: undefined });
    tx.respond(createResponse(req, status, reason, toTag === undefined ? {} : { toTag }));
  }

  function passUp(ctl: IncomingRequestControl): void {
    if (handler === undefined) {
      ctl.incoming.respond(503, "Service Unavailable");
      return;
    }
    try {
      handler(ctl.incoming);
    } catch (err) {
      // A throwing TU must not take the socket handler down; the request still gets a final answer.
      log.error({ err, method: ctl.incoming.request.method }, "request handler threw");
      if (!ctl.incoming.finalSent) ctl.incoming.respond(500, "Server Internal Error");
    }
  }

  function receiveAck(ack: SipRequest, source: SipPeer): void {
    const key = serverKey(ack, "INVITE");
    const entry = key === undefined ? undefined : servers.get(key);
    if (entry !== undefined) {
      entry.tx.receive(ack); // Completed → Confirmed, or Accepted → onAck → TU
      return;
    }
    // §17.2.3 / §13.3.1.4: an ACK matching no transaction acknowledges a 2xx: the TU (dialog) owns it.
    passUp(createIncomingRequest(ack, source, undefined, log));
  }

  function receiveCancel(cancel: SipRequest, source: SipPeer, key: string): void {
    const inviteKey = serverKey(cancel, "INVITE");
    const invite = inviteKey === undefined ? undefined : servers.get(inviteKey);
    if (invite === undefined || invite.control === undefined) {
      answerDirectly(cancel, key, source, 481, "Call/Transaction Does Not Exist");
      return;
    }
    // §9.2: 200 to the CANCEL with the INVITE's To tag, then 487 to the INVITE if still unanswered.
    answerDirectly(cancel, key, source, 200, "OK", invite.control.toTag());
    if (invite.tx.state() === "proceeding") invite.control.cancelled();
  }

  function receiveRequest(req: SipRequest, source: SipPeer): void {
    if (req.method === "ACK") return receiveAck(req, source);
    const key = serverKey(req);
    if (key === undefined) {
      log.info({ source, method: req.method }, "request without a usable Via dropped");
      return;
    }
    const done = completed.get(key);
    if (done !== undefined) {
      // Retransmission after the final: the same bytes again (§17.2.2).
      void done.last.then((s) => (s === undefined ? undefined : ctx.transport.resend(s).catch(() => undefined)));
      return;
    }
    const existing = servers.get(key);
    if (existing !== undefined) {
      existing.tx.receive(req); // retransmission (§17.2.3)
      return;
    }
    if (req.method === "CANCEL") return receiveCancel(req, source, key);
    if (!accepting) return answerDirectly(req, key, source, 503, "Service Unavailable");
    const mk = mergeKey(req);
    if (mk !== undefined) {
      if (merged.has(mk)) return answerDirectly(req, key, source, 482, "Loop Detected");
      merged.set(mk, key);
    }
    // The closures below outlive the TU's work (Timer J): they must not capture `req`.
    const method = req.method;
    const tx = startServer(req, key, source, {
      onAck: (ack) => passUp(createIncomingRequest(ack, source, undefined, log)),
      onFailure: (reason) => log.info({ reason, method, source }, "server transaction failed"),
    }, mk);
    const deliver = (res: SipResponse): boolean => {
      if (!tx.respond(res)) return false;
      // After a non-INVITE final only retransmissions remain: drop the TU handle (and the request).
      if (res.status >= 200 && method !== "INVITE" && servers.get(key)?.tx === tx) servers.set(key, { tx, control: undefined });
      return true;
    };
    const control = createIncomingRequest(req, source, deliver, log);
    servers.set(key, { tx, control });
    passUp(control);
  }

  function receiveResponse(res: SipResponse, source: SipPeer): void {
    const key = clientKeyOfResponse(res);
    const tx = key === undefined ? undefined : clients.get(key);
    if (tx !== undefined) {
      tx.receive(res);
      return;
    }
    if (key !== undefined && absorbing.has(key)) return; // a retransmitted final, absorbed (Completed)
    // §17.1.3 / §18.1.2: no transaction. A 2xx to INVITE is a retransmission or a fork the TU must ACK.
    const method = parseCSeq(res.headers.get("cseq") ?? "")?.method;
    if (method === "INVITE" && res.status >= 200 && res.status < 300 && strayHandler !== undefined) {
      strayHandler(res);
      return;
    }
    log.debug({ source, status: res.status, method }, "stray response dropped");
  }

  return {
    receive(msg, source) {
      if (msg.kind === "request") receiveRequest(msg, source);
      else receiveResponse(msg, source);
    },
    onRequest(h) { handler = h; },
    onStrayResponse(h) { strayHandler = h; },
    sendRequest(req, dest, opts = {}) {
      if (req.method === "ACK") {
        return Promise.reject(new TypeError("ACK is not sent in a client transaction: use sendStateless (RFC 3261 §17.1.1.3, §13.2.2.4)"));
      }
      return new Promise<SipResponse>((resolve) => {
        const branch = newBranch();
        const key = clientKey(branch, req.method);
        const isInvite = req.method === "INVITE";
        let provisional = false;
        let final = false;
        let cancelled = false;
        // §9.1: a CANCEL may only follow a provisional; an abort before one waits for it.
        const sendCancel = (): void => {
          if (cancelled || final) return;
          cancelled = true;
          const cancel = cancelFor(req);
          const ckey = clientKey(branch, "CANCEL");
          const cancelTx = startNonInviteClient(ctx, ckey, cancel, dest, branch, {
            onFinal: (r) => log.debug({ status: r.status, branch }, "CANCEL answered"),
            onTerminated: () => clients.delete(ckey),
          }, false);
          clients.set(ckey, cancelTx);
        };
        const start = isInvite ? startInviteClient : startNonInviteClient;
        const tx = start(ctx, key, req, dest, branch, {
          onProvisional: (r) => {
            provisional = true;
            if (opts.signal?.aborted) sendCancel();
            opts.onProvisional?.(r);
          },
          onAdditional2xx: opts.onAdditional2xx,
          onFinal: (res) => {
            final = true;
            awaitingFinal.delete(key);
            resolve(res);
          },
          onTerminated: () => clients.delete(key),
          ...(isInvite ? {} : { onCompleted: () => { absorbing.add(key); timerK.add(key); } }),
        });
        clients.set(key, tx);
        awaitingFinal.add(key);
        if (isInvite && opts.signal !== undefined) {
          opts.signal.addEventListener("abort", () => { if (provisional) sendCancel(); }, { once: true });
        }
      });
    },
    stopAccepting() { accepting = false; },
    size: () => clients.size + servers.size + completed.size + absorbing.size,
    pending() {
      let n = awaitingFinal.size;
      for (const { tx } of servers.values()) {
        const st = tx.state();
        if (st === "trying" || st === "proceeding") n += 1;
      }
      return n;
    },
    abortAll() {
      for (const tx of [...clients.values()]) tx.abort();
      for (const { tx } of [...servers.values()]) tx.abort();
      completed.clear();
      timerJ.clear();
      absorbing.clear();
      timerK.clear();
    },
  };
}
