// RFC 5438 IMDN ⇄ XEP-0184 receipts / XEP-0333 displayed markers. Data only.
// XEP texts read from xsf/xeps (xep-0184.xml, xep-0333.xml); RFC 5438 element names from its XSD.
import type { Disposition } from "../src/simple/imdn/disposition.js";

/** What an XMPP request element asks of the SIP side, as RFC 5438 dispositions. */
export const xmppRequestToDispositions = {
  // XEP-0184 §5: a receipt confirms delivery to a client ⇒ positive-delivery; the failure leg comes
  // back to XMPP as an error stanza, so negative-delivery is requested with it.
  receiptRequest: { dispositions: ["positive-delivery", "negative-delivery"], ref: "XEP-0184 §5 <request/> ⇄ RFC 5438 §5.2" },
  // XEP-0333 §4 <markable/>: the sender wants to know when it was displayed.
  markable: { dispositions: ["display"], ref: "XEP-0333 §4 <markable/> ⇄ RFC 5438 display" },
} as const satisfies Record<string, { readonly dispositions: readonly Disposition[]; readonly ref: string }>;

/** How each IMDN outcome surfaces on the XMPP side. */
export const imdnStatusToXmpp = {
  "delivery/delivered": { xmpp: "received", ref: "RFC 5438 <delivered/> ⇄ XEP-0184 <received id/>" },
  "delivery/failed": { xmpp: "failure", ref: "RFC 5438 <failed/> ⇄ XMPP error stanza (interworking §2.7)" },
  "delivery/forbidden": { xmpp: "failure", ref: "RFC 5438 <forbidden/> ⇄ XMPP error stanza" },
  "delivery/error": { xmpp: "failure", ref: "RFC 5438 <error/> ⇄ XMPP error stanza" },
  "display/displayed": { xmpp: "displayed", ref: "RFC 5438 <displayed/> ⇄ XEP-0333 <displayed id/>" },
  // Refusing to disclose display is not a delivery failure: nothing is surfaced (privacy, RFC 5438 §6.3).
  "display/forbidden": { xmpp: "none", ref: "RFC 5438 display <forbidden/>: nothing to report" },
  "display/error": { xmpp: "none", ref: "RFC 5438 display <error/>: nothing to report" },
  "processing/processed": { xmpp: "none", ref: "no XMPP counterpart" },
  "processing/stored": { xmpp: "none", ref: "no XMPP counterpart" },
  "processing/forbidden": { xmpp: "none", ref: "no XMPP counterpart" },
  "processing/error": { xmpp: "none", ref: "no XMPP counterpart" },
} as const satisfies Record<string, { readonly xmpp: "received" | "displayed" | "failure" | "none"; readonly ref: string }>;

export type ImdnStatusKey = keyof typeof imdnStatusToXmpp;
