// A recording stand-in for the transport layer (the real one needs sockets; these tests drive the
// state machines with jest fake timers and must see every send with its virtual time).
import pino from "pino";
import { createRequest } from "../../../../src/sip/message/build.js";
import type { SipMessage, SipPeer, SipRequest, SipResponse, SipTransportName } from "../../../../src/sip/message/types.js";
import { serializeMessage } from "../../../../src/sip/message/serialize.js";
import type { TxContext } from "../../../../src/sip/transaction/context.js";
import { timerValues } from "../../../../src/sip/transaction/timers.js";
import type { SentMessage, SipTransportLayer } from "../../../../src/sip/transport/types.js";

export interface Sent {
  readonly op: "request" | "send" | "response" | "resend";
  readonly at: number;
  readonly bytes: Buffer;
  readonly message?: SipMessage;
}

export function fakeTransport(transport: SipTransportName, now: () => number) {
  const sent: Sent[] = [];
  let failNext = false;
  const peer: SipPeer = transport === "UDP" ? { transport, address: "192.0.2.1", port: 5060 } : { transport, address: "192.0.2.1", port: 5060, flow: "tcp-1" };
  function record(op: Sent["op"], message: SipMessage | undefined, bytes: Buffer): Promise<SentMessage> {
    if (failNext) {
      failNext = false;
      return Promise.reject(new Error("simulated transport failure"));
    }
    sent.push({ op, at: now(), bytes, message });
    return Promise.resolve({ bytes, peer });
  }
  const layer: SipTransportLayer = {
    start: async () => undefined,
    onReceive: () => undefined,
    onFlowClosed: () => undefined,
    sendRequest(req, _dest, branch) {
      req.headers.prepend("via", `SIP/2.0/${transport} 198.51.100.1:5060;rport;branch=${branch}`);
      return record("request", req, serializeMessage(req));
    },
    send: (msg) => record("send", msg, serializeMessage(msg)),
    sendResponse: (res) => record("response", res, serializeMessage(res)),
    resend: (s) => record("resend", undefined, s.bytes).then(() => undefined),
    listening: () => [],
    connections: () => 0,
    close: async () => undefined,
  };
  return { layer, sent, peer, failNextSend: () => { failNext = true; } };
}

export function txContext(layer: SipTransportLayer, t1 = 500): TxContext {
  return { transport: layer, timers: timerValues({ t1, t2: 4000, t4: 5000 }), logger: pino({ level: "silent" }) };
}

let seq = 0;
/** A request as a client would send it, without Via (the stack adds it). */
export function outgoing(method: string, extra: Record<string, string> = {}): SipRequest {
  seq += 1;
  return createRequest({
    method,
    uri: "sip:bob@192.0.2.1",
    headers: { from: `<sip:alice@example.com>;tag=a${seq}`, to: "<sip:bob@example.com>", "call-id": `call-${seq}@example.com`, cseq: `1 ${method}`, ...extra },
  });
}

/** A request as received from a peer: with a Via carrying `branch`. */
export function incoming(method: string, branch: string, opts: { callId?: string; fromTag?: string; cseq?: number; toTag?: string } = {}): SipRequest {
  const to = opts.toTag === undefined ? "<sip:bob@example.com>" : `<sip:bob@example.com>;tag=${opts.toTag}`;
  return createRequest({
    method,
    uri: "sip:bob@example.com",
    headers: {
      via: `SIP/2.0/UDP 192.0.2.1:5060;branch=${branch}`,
      from: `<sip:alice@example.com>;tag=${opts.fromTag ?? "f1"}`,
      to,
      "call-id": opts.callId ?? "c1@example.com",
      cseq: `${opts.cseq ?? 1} ${method}`,
    },
  });
}

/** A response to a request that went through fakeTransport (so it carries our Via). */
export function responseTo(req: SipRequest, status: number, toTag = "remote"): SipResponse {
  const headers = req.headers.clone();
  headers.delete("max-forwards");
  headers.set("to", `${req.headers.get("to")};tag=${toTag}`);
  return { kind: "response", version: "SIP/2.0", status, reason: "X", headers, body: new Uint8Array(0) };
}

export const peerUdp: SipPeer = { transport: "UDP", address: "192.0.2.1", port: 5060 };
export const peerTcp: SipPeer = { transport: "TCP", address: "192.0.2.1", port: 5060, flow: "tcp-1" };
