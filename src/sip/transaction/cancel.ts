// The CANCEL a UAC sends for its pending INVITE (RFC 3261 §9.1): same Request-URI, Call-ID, To,
// From, CSeq number and Route as the INVITE, and exactly the INVITE's top Via, so the server matches
// it to the INVITE transaction (§9.2) — which is why the stack must not stamp a new Via on it.
import type { SipRequest } from "../message/types.js";
import { createHeaders, parseCSeq } from "./message-api.js";

export function cancelFor(invite: SipRequest): SipRequest {
  const headers = createHeaders();
  const topVia = invite.headers.getAll("via")[0];
  if (topVia !== undefined) headers.set("via", topVia);
  headers.set("max-forwards", "70");
  for (const name of ["from", "to", "call-id"]) {
    const v = invite.headers.get(name);
    if (v !== undefined) headers.set(name, v);
  }
  const seq = parseCSeq(invite.headers.get("cseq") ?? "")?.seq ?? 1;
  headers.set("cseq", `${seq} CANCEL`);
  const routes = invite.headers.getAll("route");
  if (routes.length > 0) headers.set("route", routes);
  return { kind: "request", method: "CANCEL", uri: invite.uri, version: "SIP/2.0", headers, body: new Uint8Array(0) };
}
