// The SIP stack's public API: transports (RFC 3261 §18, RFC 3581, RFC 7118) under the transaction
// layer (RFC 3261 §17, RFC 6026). Everything above (dialogs, RFC 6665, digest, endpoint) uses only this.
//
//   const stack = createSipStack({ listen: [{ transport: "UDP", host: "0.0.0.0", port: 5060 }], logger });
//   await stack.start();
//   stack.onRequest((tx) => tx.respond(200));          // one server transaction per new request
//   const res = await stack.sendRequest(req, { target: { transport: "TCP", host, port } });
//   await stack.close();
//
// Incoming: every new request (retransmissions are absorbed by its server transaction) reaches the
// onRequest handler once as an IncomingRequest. `respond()` sends provisionals any number of times and
// one final response; a second final is ignored and logged. ACKs for 2xx (and ACKs the Accepted state
// of an INVITE server transaction passes up, RFC 6026 §8.7) reach the handler too; respond() on an ACK
// is a logged no-op. A CANCEL is answered by the stack (§9.2: 200, then 487 to the INVITE if no final
// was sent yet; 481 if no transaction matches); the INVITE's IncomingRequest sees `onCancel`.
// Merged requests (§8.2.2.2) get 482 from the stack and never reach the handler.
//
// Outgoing: `sendRequest` runs a client transaction. The stack prepends the Via (transport, advertised
// sent-by, `rport`, crypto-random `z9hG4bK` branch) — the caller must not add one. Resolves with the final
// response; timeouts resolve with a synthesized 408 and transport failures with a synthesized 503
// (RFC 3261 §8.1.3.1); `isSyntheticResponse(res)` tells them from real ones. It never rejects for
// protocol reasons. For INVITE, 2xx retransmissions and
// forked 2xx after the first (RFC 6026 §8.4, Timer M) go to `onAdditional2xx`; the TU ACKs 2xx itself
// with `sendStateless` (§13.2.2.4). Non-2xx finals are ACKed by the client transaction (§17.1.1.3).
// Without `target`, the destination comes from the first Route (loose routing) or the Request-URI:
// host, port (default 5060/5061) and `transport` parameter, looked up with A/AAAA only — RFC 3263
// belongs to src/sip/resolve/ which passes an explicit target.
//
// `sendStateless(msg, dest?)`: requests (ACK for 2xx) get a fresh Via like sendRequest; responses
// without `dest` are routed by their top Via per §18.2.2 (reliable: original connection, else a new one
// to received/sent-by; UDP: maddr, then received+rport, then sent-by).
//
// Stray responses (no client transaction, §18.1.2) are dropped with a log line, except a 2xx to
// INVITE, which goes to `onStrayResponse` (§13.2.2.4: the TU must ACK it).
//
// `localContact(transport)` gives the advertised host/port to put in Contact; `listening()` lists
// every bound socket; `stats()` gives live transaction and connection counts. `close()` answers new
// requests 503, waits up to `closeDeadlineMs` (default 5 s) for transactions that still owe a final
// response, aborts the rest (pending sendRequest promises resolve 503) and closes the sockets.
//
// `observe(observer)` sees every message as it crosses the wire ("in" once parsed, including peer
// retransmissions; "out" once written, excluding our own retransmissions): metrics, tracing. Costs one
// length check per message when nobody observes. `setAdmission(check)` answers new requests (not ACK,
// not CANCEL, not retransmissions) with the check's refusal before the handler sees them: drain and
// standby (src/lifecycle/admission.ts).
//
// Flows: a request received over TCP/TLS/WS has `source.flow`; passing that SipPeer as `target`
// sends over the same connection while it is alive (RFC 5626-style flow reuse), else a new connection
// is opened to the address (not possible for WS: 503). `onFlowClosed` tells the TU when a flow ends.
import type { Logger } from "pino";
import type { SipMessage, SipRequest, SipResponse, SipTransportName } from "./message/types.js";
import type { IncomingRequest } from "./transaction/incoming-request.js";
import { createTransactionLayer } from "./transaction/layer.js";
import { newBranch } from "./transaction/message-api.js";
import { synthesizeResponse } from "./transaction/synthetic.js";
import { timerValues, type SipTimerConfig } from "./transaction/timers.js";
import { createTransportLayer } from "./transport/layer.js";
import { targetOfRequest } from "./transport/target.js";
import { SipTransportError, type SentMessage, type SipDestination, type SipListenSpec, type SipListening, type SipTransportLayer, type SipTransportLimits } from "./transport/types.js";

export type { SipDestination, SipListenSpec, SipListening, SipTarget, SipTransportLimits, SipRateLimit, SipTlsOptions } from "./transport/types.js";
export { SipTransportError } from "./transport/types.js";
export type { SipTimerConfig };
export { isSyntheticResponse } from "./transaction/synthetic.js";

export type { IncomingRequest, RespondOptions } from "./transaction/incoming-request.js";

export interface SendRequestOptions {
  /** Where to send; default: first Route (lr) or Request-URI (A/AAAA only). */
  readonly target?: SipDestination;
  /** 1xx responses, in arrival order. */
  readonly onProvisional?: (response: SipResponse) => void;
  /** INVITE: 2xx after the first (retransmissions, forks) while Timer M runs (RFC 6026 §8.4). */
  readonly onAdditional2xx?: (response: SipResponse) => void;
  /**
   * INVITE: abort to CANCEL it (RFC 3261 §9.1). The stack sends the CANCEL (same branch) once a
   * provisional has arrived; the INVITE's promise then resolves with the 487 (or whatever final wins).
   */
  readonly signal?: AbortSignal;
}

/** "in": parsed from the wire; "out": first transmission written (retransmissions are not reported). */
export type SipWireObserver = (direction: "in" | "out", message: SipMessage) => void;

/** A final response the stack sends instead of passing a new request up. */
export interface SipRefusal {
  readonly status: number;
  readonly reason: string;
  readonly headers?: Readonly<Record<string, string>>;
}
export type SipAdmission = (request: SipRequest) => SipRefusal | undefined;

export interface SipStackOptions {
  readonly listen: readonly SipListenSpec[];
  readonly logger: Logger;
  readonly limits?: SipTransportLimits;
  readonly timers?: SipTimerConfig;
  /** Server/User-Agent header value added to messages the stack builds. */
  readonly userAgent?: string;
  /** close() waits at most this long for live transactions (default 5000 ms). */
  readonly closeDeadlineMs?: number;
}

export interface SipStack {
  start(): Promise<void>;
  onRequest(handler: (tx: IncomingRequest) => void): void;
  sendRequest(request: SipRequest, opts?: SendRequestOptions): Promise<SipResponse>;
  sendStateless(message: SipMessage, dest?: SipDestination): Promise<void>;
  onStrayResponse(handler: (response: SipResponse) => void): void;
  onFlowClosed(handler: (flow: string) => void): void;
  localContact(transport: SipTransportName): { readonly host: string; readonly port: number; readonly transport: SipTransportName };
  listening(): readonly SipListening[];
  /**
   * Adds a wire observer (see the header comment); observers must not throw or mutate the message.
   * Optional so that test doubles of SipStack need not implement it.
   */
  observe?(observer: SipWireObserver): void;
  /** Replaces the admission check (undefined: admit everything). Optional for test doubles. */
  setAdmission?(check: SipAdmission | undefined): void;
  /** Gauges for metrics: live transactions (client + server) and connections. */
  stats(): { readonly transactions: number; readonly connections: number };
  close(): Promise<void>;
}

export function createSipStack(opts: SipStackOptions): SipStack {
  const logger = opts.logger;
  const wire = createTransportLayer({ listen: opts.listen, logger, limits: opts.limits });
  const observers: SipWireObserver[] = [];
  let admission: SipAdmission | undefined;
  const transport = observedTransport(wire, observers);
  const transactions = createTransactionLayer({ transport, timers: timerValues(opts.timers), logger });
  const flowClosedHandlers: ((flow: string) => void)[] = [];
  transport.onReceive((msg, source) => {
    if (observers.length > 0) for (const o of observers) o("in", msg);
    transactions.receive(msg, source);
  });
  transport.onFlowClosed((flow) => {
    for (const h of flowClosedHandlers) h(flow);
  });

  function addUserAgent(msg: SipMessage): void {
    if (opts.userAgent === undefined) return;
    const name = msg.kind === "request" ? "user-agent" : "server";
    if (!msg.headers.has(name)) msg.headers.set(name, opts.userAgent);
  }

  function destinationOf(req: SipRequest, given?: SipDestination): SipDestination {
    const dest = given ?? targetOfRequest(req);
    if (dest === undefined) throw new SipTransportError("send-failed", `no target for Request-URI ${req.uri}`);
    return dest;
  }

  return {
    start: () => transport.start(),
    onRequest: (h) => transactions.onRequest((tx) => {
      const refusal = admission === undefined || tx.request.method === "ACK" ? undefined : admission(tx.request);
      if (refusal === undefined) return h(tx);
      tx.respond(refusal.status, refusal.reason, refusal.headers === undefined ? undefined : { headers: refusal.headers });
    }),
    onStrayResponse: (h) => transactions.onStrayResponse(h),
    onFlowClosed: (h) => { flowClosedHandlers.push(h); },
    // Not async: the transaction's own promise is handed back as it is (one promise per request).
    sendRequest(request, o = {}) {
      addUserAgent(request);
      let dest: SipDestination;
      try {
        dest = destinationOf(request, o.target);
      } catch (err) {
        // No target is a transport failure for the TU (§8.1.3.1): the promise resolves with 503.
        logger.info({ err, uri: request.uri }, "request has no target");
        return Promise.resolve(synthesizeResponse(request, 503, "Service Unavailable"));
      }
      return transactions.sendRequest(request, dest, o);
    },
    async sendStateless(message, dest) {
      addUserAgent(message);
      if (message.kind === "response") {
        // With a destination: there (its flow if alive); without: §18.2.2 routing from the top Via.
        if (dest !== undefined) await transport.send(message, dest);
        else await transport.sendResponse(message);
        return;
      }
      // An ACK for a 2xx (or any stateless request) is a new hop: fresh Via and branch (§13.2.2.4).
      await transport.sendRequest(message, destinationOf(message, dest), newBranch());
    },
    localContact(t) {
      const l = transport.listening().find((x) => x.transport === t);
      if (l === undefined) throw new SipTransportError("no-listener", `no ${t} listener`);
      return { host: l.advertisedHost, port: l.advertisedPort, transport: t };
    },
    listening: () => transport.listening(),
    observe: (o) => { observers.push(o); },
    setAdmission: (check) => { admission = check; },
    stats: () => ({ transactions: transactions.size(), connections: transport.connections() }),
    async close() {
      transactions.stopAccepting();
      const deadline = Date.now() + (opts.closeDeadlineMs ?? 5000);
      while (transactions.pending() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      transactions.abortAll();
      await transport.close();
    },
  };
}

/** The transport as the transaction layer sees it, reporting first transmissions to `observers`. */
function observedTransport(t: SipTransportLayer, observers: readonly SipWireObserver[]): SipTransportLayer {
  const tap = <M extends SipMessage>(msg: M, sent: Promise<SentMessage>): Promise<SentMessage> => {
    if (observers.length === 0) return sent;
    return sent.then((s) => {
      for (const o of observers) o("out", msg);
      return s;
    });
  };
  return {
    start: () => t.start(),
    onReceive: (h) => t.onReceive(h),
    onFlowClosed: (h) => t.onFlowClosed(h),
    sendRequest: (req, dest, branch) => tap(req, t.sendRequest(req, dest, branch)),
    send: (msg, dest) => tap(msg, t.send(msg, dest)),
    sendResponse: (res, source) => tap(res, t.sendResponse(res, source)),
    resend: (sent) => t.resend(sent),
    listening: () => t.listening(),
    connections: () => t.connections(),
    close: () => t.close(),
  };
}
