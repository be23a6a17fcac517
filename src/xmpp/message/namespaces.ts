// XML namespaces of the <message/> payloads this module reads and writes.
export const CHATSTATES_NS = "http://jabber.org/protocol/chatstates"; // XEP-0085 §11
export const RECEIPTS_NS = "urn:xmpp:receipts"; // XEP-0184 §8
export const MARKERS_NS = "urn:xmpp:chat-markers:0"; // XEP-0333 §8
/** Stanza namespaces a component sees (XEP-0114) or a client/server writes (RFC 6120 §4.8.3). */
export const STANZA_NAMESPACES: ReadonlySet<string> = new Set(["jabber:component:accept", "jabber:client", "jabber:server"]);
