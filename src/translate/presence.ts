// Presence translation entry points, one pure function per direction (see docs/presence-mapping.md).
export { xmppPresencesToPidf, bestResource, tupleIdFor, type XmppToPidfOptions } from "./presence-xmpp-to-pidf.js";
export { pidfToXmppPresences, showFromActivities, resourceForTuple, type PidfToXmppOptions } from "./presence-pidf-to-xmpp.js";
export { presenceEquals } from "../domain/presence.js";
