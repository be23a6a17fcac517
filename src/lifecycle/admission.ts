// Whether this process takes new SIP requests: "serving" admits everything; "standby" (another
// replica holds the XMPP link, docs/scaling.md) and "draining" (SIGTERM) refuse new requests with
// 503 + Retry-After so that a SIP load balancer or an RFC 3263 client tries another server, while
// transactions already under way finish normally.
import type { SipAdmission, SipRefusal } from "../sip/stack.js";

export type AdmissionState = "standby" | "serving" | "draining";

export interface Admission {
  readonly state: AdmissionState;
  set(next: AdmissionState): void;
  /** For SipStack.setAdmission. */
  readonly check: SipAdmission;
}

export interface AdmissionOptions {
  /** Retry-After seconds in the 503 (RFC 3261 §21.5.4, §20.33). */
  readonly retryAfterSeconds: number;
  readonly initial?: AdmissionState;
}

export function createAdmission(opts: AdmissionOptions): Admission {
  // RFC 3261 §21.5.4: a 503 without Retry-After must be treated as a 500 by the client; with it,
  // RFC 3263 §4.3 has the client (or a proxy's dispatcher) try the next server.
  const retryAfter = { "retry-after": String(Math.max(1, Math.round(opts.retryAfterSeconds))) };
  const refusals: Readonly<Record<Exclude<AdmissionState, "serving">, SipRefusal>> = {
    standby: { status: 503, reason: "Standby Replica", headers: retryAfter },
    draining: { status: 503, reason: "Shutting Down", headers: retryAfter },
  };
  let state: AdmissionState = opts.initial ?? "serving";
  return {
    get state() { return state; },
    set(next) {
      // Draining is final: a lease acquired during shutdown must not reopen the door.
      if (state !== "draining") state = next;
    },
    check: () => (state === "serving" ? undefined : refusals[state]),
  };
}
