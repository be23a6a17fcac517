// XEP-0115/XEP-0030 features ⇄ RFC 5196 <servcaps> flags. Data only.
// Only XMPP → SIP has a clear mapping: a resolved disco#info feature list says which media a resource
// supports. SIP → XMPP would need a synthetic XEP-0115 verification string the gateway also answers
// disco#info for, which is out of scope: SIP servcaps are not turned into XMPP caps.
import type { CapsFlag } from "../src/simple/pidf/model.js";

export interface CapsFeatureRow {
  readonly flag: CapsFlag;
  readonly ref: string;
}

/** disco#info feature var → RFC 5196 §3 boolean capability it implies (true). */
export const featureToServcap: Readonly<Record<string, CapsFeatureRow>> = {
  "urn:xmpp:jingle:apps:rtp:audio": { flag: "audio", ref: "XEP-0167 audio ⇒ RFC 5196 §3.2.1 audio" },
  "urn:xmpp:jingle:apps:rtp:video": { flag: "video", ref: "XEP-0167 video ⇒ RFC 5196 §3.2.6 video" },
  "http://jabber.org/protocol/chatstates": { flag: "text", ref: "XEP-0085 ⇒ real-time text session (RFC 5196 text)" },
};

/**
 * Every XMPP client takes <message/> (RFC 6121 §5), which the gateway carries as SIP MESSAGE
 * (RFC 7572): a resource with resolved caps always advertises RFC 5196 message=true.
 */
export const ALWAYS_WITH_CAPS: readonly CapsFlag[] = ["message"];
