// A stand-in for the transaction layer (src/sip/stack.ts) so the RFC 6665 roles can be driven
// message by message with fake timers; the real stack is exercised by the integration tests.
import pino from "pino";
import type { SipMessage, SipPeer, SipRequest, SipResponse } from "../../../../src/sip/message/types.js";
import type { IncomingRequest, RespondOptions, SendRequestOptions } from "../../../../src/sip/stack.js";
import { createHeaders } from "../../../../src/sip/message/headers.js";
import { createResponse } from "../../../../src/sip/message/build.js";
import { createSipResolver } from "../../../../src/sip/resolve/rfc3263.js";
import { createUac, type StackLike } from "../../../../src/sip/dialog/uac.js";

export const logger = pino({ level: "silent" });

export interface Sent { readonly request: SipRequest; readonly opts: SendRequestOptions | undefined }

export function fakeStack() {
  const sent: Sent[] = [];
  const stateless: Array<{ readonly message: SipMessage; readonly dest: unknown }> = [];
  let responder: (req: SipRequest) => SipResponse | Promise<SipResponse> = (req) => createResponse(req, 200);
  const stack: StackLike = {
    async sendRequest(request, opts) {
      sent.push({ request, opts });
      return responder(request);
    },
    async sendStateless(message, dest) { stateless.push({ message, dest }); },
    localContact: (transport) => ({ host: "198.51.100.1", port: 5060, transport }),
  };
  const resolver = createSipResolver({ dns: { resolveNaptr: async () => [], resolveSrv: async () => [], resolve4: async () => [], resolve6: async () => [] } });
  const uac = createUac({ stack, resolver, logger });
  return { stack, uac, sent, stateless, respondWith(f: typeof responder) { responder = f; } };
}

export function request(method: string, uri: string, h: Record<string, string | string[]>, body = ""): SipRequest {
  const headers = createHeaders();
  headers.set("via", "SIP/2.0/UDP 192.0.2.9:5062;branch=z9hG4bK-test");
  for (const [k, v] of Object.entries(h)) headers.set(k, v);
  return { kind: "request", version: "SIP/2.0", method, uri, headers, body: new TextEncoder().encode(body) };
}

export interface FakeTx extends IncomingRequest { readonly responses: SipResponse[] }

export function incoming(req: SipRequest, source: SipPeer = { transport: "UDP", address: "192.0.2.9", port: 5062 }): FakeTx {
  const responses: SipResponse[] = [];
  const tx = {
    request: { ...req, source }, source, responses,
    get finalSent() { return responses.some((r) => r.status >= 200); },
    respond(status: number, reason?: string, opts?: RespondOptions) {
      if (tx.finalSent) return;
      responses.push(createResponse(req, status, reason, opts));
    },
    respondWith(res: SipResponse) { responses.push(res); },
    onCancel() { /* not INVITE */ },
  };
  return tx;
}

/** Lets queued promise callbacks run (fake timers do not advance microtasks by themselves). */
export async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}
