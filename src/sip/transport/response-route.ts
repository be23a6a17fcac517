// Where a response goes, from its top Via: RFC 3261 §18.2.2 with RFC 3581 §4 (rport). The order of
// the rules is recalled from the RFC texts (only their abstracts were stored).
import type { SipPeer, SipTransportName, Via } from "../message/types.js";
import type { SipTarget } from "./types.js";

export type ResponseRoute =
  /** Reliable transport: the request's connection while it lives, else a new one to `fallback`. */
  | { readonly kind: "flow"; readonly flow: string; readonly fallback: SipTarget }
  | { readonly kind: "target"; readonly target: SipTarget };

const TRANSPORTS: ReadonlySet<string> = new Set(["UDP", "TCP", "TLS", "WS", "WSS"]);

/** RFC 3261 §19.1.2 (5060/5061) and RFC 7118 §5 (WebSocket URIs default to 80/443). */
export function defaultPort(transport: string): number {
  switch (transport) {
    case "TLS": return 5061;
    case "WS": return 80;
    case "WSS": return 443;
    default: return 5060;
  }
}

export function routeResponse(via: Via, source?: SipPeer): ResponseRoute | undefined {
  if (!TRANSPORTS.has(via.transport)) return undefined;
  const transport = via.transport as SipTransportName;
  const received = via.params.get("received") ?? undefined;
  const sentByPort = via.port ?? defaultPort(transport);
  if (transport !== "UDP") {
    // §18.2.2: reliable → the connection the request came on; if gone, a new connection to the
    // `received` address (else sent-by) and the sent-by port.
    const fallback = { transport, host: received ?? via.host, port: sentByPort };
    if (source?.flow !== undefined) return { kind: "flow", flow: source.flow, fallback };
    return { kind: "target", target: fallback };
  }
  const maddr = via.params.get("maddr");
  if (maddr) return { kind: "target", target: { transport, host: maddr, port: sentByPort } };
  const rport = via.params.get("rport");
  if (received !== undefined && rport) {
    const port = Number(rport);
    if (Number.isInteger(port) && port > 0 && port < 65536) return { kind: "target", target: { transport, host: received, port } };
  }
  if (received !== undefined) return { kind: "target", target: { transport, host: received, port: sentByPort } };
  // §18.2.2 last case: sent-by, resolved per RFC 3263 §5 (here: A/AAAA through the socket's lookup).
  return { kind: "target", target: { transport, host: via.host, port: sentByPort } };
}
