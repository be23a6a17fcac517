// The ACK a client INVITE transaction sends for a non-2xx final response (RFC 3261 §17.1.1.3).
import type { SipRequest, SipResponse } from "../message/types.js";
import { createHeaders, parseCSeq } from "./message-api.js";

export function ackForNon2xx(invite: SipRequest, res: SipResponse): SipRequest {
  const headers = createHeaders();
  // §17.1.1.3: one Via equal to the INVITE's top Via, so the ACK matches the server transaction.
  const topVia = invite.headers.getAll("via")[0];
  if (topVia !== undefined) headers.set("via", topVia);
  headers.set("max-forwards", "70");
  for (const name of ["from", "call-id"]) {
    const v = invite.headers.get(name);
    if (v !== undefined) headers.set(name, v);
  }
  // To comes from the response: it carries the tag the UAS added.
  const to = res.headers.get("to") ?? invite.headers.get("to");
  if (to !== undefined) headers.set("to", to);
  const seq = parseCSeq(invite.headers.get("cseq") ?? "")?.seq ?? 1;
  headers.set("cseq", `${seq} ACK`);
  // Route header fields of the INVITE are copied (§17.1.1.3, loose routing).
  const routes = invite.headers.getAll("route");
  if (routes.length > 0) headers.set("route", routes);
  return { kind: "request", method: "ACK", uri: invite.uri, version: "SIP/2.0", headers, body: new Uint8Array(0) };
}
