// The message-layer functions the transport and transaction layers use, imported in one place.
export { createHeaders } from "../message/headers.js";
export { parseCSeq } from "../message/cseq.js";
export { getTag } from "../message/name-addr.js";
export { parseUri } from "../message/uri.js";
export { parseVia, formatVia } from "../message/via.js";
export { createResponse } from "../message/build.js";
export { newBranch, newTag } from "../message/ids.js";
export { parseMessage } from "../message/parse.js";
export { serializeMessage } from "../message/serialize.js";
export { createSipStreamFramer, type FrameEvent } from "../message/framer.js";
export { parseNameAddr } from "../message/name-addr.js";
