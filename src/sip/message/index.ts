// The SIP message layer's public surface: import from here.
export type * from "./types.js";
export { parseMessage, DEFAULT_MAX_BYTES, type ParseOptions } from "./parse.js";
export { serializeMessage } from "./serialize.js";
export { createHeaders, splitHeaderList, canonicalHeaderName, displayHeaderName, isListHeader, compactHeaderName } from "./headers.js";
export { parseParams, formatParams, unquote, quote, isToken } from "./params.js";
export { parseVia, isVia, formatVia, topVia, branchOf, BRANCH_MAGIC_COOKIE } from "./via.js";
export { parseNameAddr, isNameAddr, formatNameAddr, getTag } from "./name-addr.js";
export { parseCSeq, formatCSeq, MAX_CSEQ } from "./cseq.js";
export { parseUri, formatUri, uriScheme, percentDecode, sipUriHeaderCount } from "./uri.js";
export { createResponse, createRequest, type ResponseOptions, type SipRequestInit, type HeaderInit } from "./build.js";
export { newTag, newCallId, newBranch } from "./ids.js";
export { reasonPhrase, REASON_PHRASES } from "./reason-phrases.js";
export { createSipStreamFramer, type SipStreamFramer, type FrameEvent, type FramerOptions } from "./framer.js";
