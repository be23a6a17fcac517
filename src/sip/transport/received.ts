// Server-side Via stamping on receipt: RFC 3261 §18.2.1 (`received` when sent-by is a name or differs
// from the packet source) and RFC 3581 §4 (an empty `rport` gets the source port, and then `received`
// is added even when it equals sent-by). Recalled from the RFC texts; the stored copies were abstracts.
import { isIP } from "node:net";
import type { SipRequest, SipPeer } from "../message/types.js";
import { formatVia, parseVia } from "../transaction/message-api.js";

/** Returns false when the top Via is missing or unparseable (the parser normally refuses those). */
export function stampReceived(req: SipRequest, source: SipPeer): boolean {
  const vias = req.headers.getAll("via");
  const raw = vias[0];
  if (raw === undefined) return false;
  const via = parseVia(raw);
  if (via === null) return false;
  const wantsRport = via.params.has("rport") && via.params.get("rport") === null;
  const differs = isIP(via.host) === 0 || via.host !== source.address;
  if (!wantsRport && !differs) return true; // the common case costs one parse and no allocation
  const params = new Map(via.params);
  params.set("received", source.address);
  if (wantsRport) params.set("rport", String(source.port));
  req.headers.set("via", [formatVia({ ...via, params }), ...vias.slice(1)]);
  return true;
}
