// Responses the stack makes up for the TU when no real one arrived (RFC 3261 §8.1.3.1: a timeout is
// treated as 408, a transport error as 503). Marked in a WeakSet so the message model stays plain data.
import type { SipRequest, SipResponse } from "../message/types.js";
import { createResponse } from "./message-api.js";

const synthetic = new WeakSet<SipResponse>();

export function synthesizeResponse(req: SipRequest, status: 408 | 503, reason: string): SipResponse {
  const res = createResponse(req, status, reason);
  synthetic.add(res);
  return res;
}

export function isSyntheticResponse(res: SipResponse): boolean {
  return synthetic.has(res);
}
