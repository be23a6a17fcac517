// Page-mode IM translation, both directions (RFC 7572): the public entry points. Each direction lives
// in its own file; this module only names them for callers.
export { sipMessageToChat, type SipMessageIn, type SipToChatOptions, type SipToChatResult } from "./message-sip-to-chat.js";
export { chatToSipMessage, needsReliableTransport, pickByLanguage, type ChatToSipOptions, type SipMessageOut } from "./message-chat-to-sip.js";
