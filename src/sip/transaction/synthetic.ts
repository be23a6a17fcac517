// Responses the stack makes up for the TU when no real one arrived (RFC 3261 §8.1.3.1: a timeout is
// treated as 408, a transport error as 503). Marked in a WeakSet so the message model stays plain data.
import type { SipResponse } from "../message/types.js";

const synthetic = new WeakSet<SipResponse>();

export function markSynthetic(res: SipResponse): SipResponse {
  synthetic.add(res);
  return res;
}

export function isSyntheticResponse(res: SipResponse): boolean {
  return synthetic.has(res);
}
