// Page-mode IM content types and XMPP message types, as data (RFC 7572 §4/§5, RFC 3428 §9).

export type BodyKind = "text" | "html" | "cpim" | "iscomposing" | "imdn";

/** SIP MESSAGE Content-Type (lowercased type/subtype) → how the gateway reads it. */
export const sipContentTypes: ReadonlyMap<string, { readonly kind: BodyKind; readonly ref: string }> = new Map([
  ["text/plain", { kind: "text", ref: "RFC 3428 §9 (MUST support text/plain); RFC 7572 <body/> ⇄ text/plain" }],
  ["text/html", { kind: "html", ref: "RFC 7572: XHTML-IM ⇄ text/html, sanitised (XEP-0071 §10)" }],
  ["message/cpim", { kind: "cpim", ref: "RFC 3862; RFC 3428 §9 SHOULD support message/cpim" }],
  ["application/im-iscomposing+xml", { kind: "iscomposing", ref: "RFC 3994 §5 ⇄ XEP-0085" }],
  ["message/imdn+xml", { kind: "imdn", ref: "RFC 5438 §7 ⇄ XEP-0184/XEP-0333" }],
] as const);

/** The Accept value for a 415 (RFC 3261 §21.4.13 requires one). */
export const SIP_MESSAGE_ACCEPT = [...sipContentTypes.keys()].join(", ");

/** XMPP <message type/> → page-mode handling (RFC 6121 §5.2.2 defaults a missing type to normal). */
export const xmppMessageTypes = {
  chat: { pageMode: true, ref: "RFC 7572: chat ⇄ MESSAGE when no session mode is used" },
  normal: { pageMode: true, ref: "RFC 7572: normal ⇄ MESSAGE" },
  headline: { pageMode: true, ref: "RFC 7572: headline → MESSAGE, no reply expected" },
  groupchat: { pageMode: false, ref: "RFC 7572: groupchat never via page mode (RFC 7702 uses MSRP)" },
  error: { pageMode: false, ref: "RFC 7572/7247: error → SIP final response on the open transaction (caller)" },
} as const;
