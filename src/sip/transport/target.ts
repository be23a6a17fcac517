// Next-hop target of an out-of-dialog request when the caller gives none: the first Route if it is
// a loose router (RFC 3261 §8.1.2, §16.12), else the Request-URI; transport from the `transport`
// parameter or the scheme (sips → TLS), port from the URI or the transport's default. RFC 3263
// NAPTR/SRV selection is the resolve/ module's job: this is the numeric/A-record shortcut only.
import type { SipRequest, SipTransportName } from "../message/types.js";
import { parseNameAddr, parseUri } from "../transaction/message-api.js";
import { defaultPort } from "./response-route.js";
import type { SipTarget } from "./types.js";

const KNOWN: ReadonlySet<string> = new Set(["UDP", "TCP", "TLS", "WS", "WSS"]);

export function targetOfRequest(req: SipRequest): SipTarget | undefined {
  let uriText = req.uri;
  const route = req.headers.get("route");
  if (route !== undefined) {
    const na = parseNameAddr(route);
    if (na !== null) {
      const ru = parseUri(na.uri);
      // Strict router (no lr): the request still goes to it, with the Request-URI rewritten by the
      // dialog layer (§12.2.1.1); either way the first Route is the next hop.
      if (ru !== null) uriText = na.uri;
    }
  }
  const uri = parseUri(uriText);
  if (uri === null || (uri.scheme !== "sip" && uri.scheme !== "sips")) return undefined;
  const param = uri.params.get("transport")?.toUpperCase();
  let transport: SipTransportName = uri.scheme === "sips" ? "TLS" : "UDP";
  if (param !== undefined && KNOWN.has(param)) transport = param === "TCP" && uri.scheme === "sips" ? "TLS" : (param as SipTransportName);
  const host = uri.params.get("maddr") ?? uri.host;
  return { transport, host, port: uri.port ?? defaultPort(transport) };
}
