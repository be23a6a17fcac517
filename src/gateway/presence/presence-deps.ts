// What the presence gateway needs from the rest of the composition, narrowed to the calls it makes.
import type { Logger } from "pino";
import type { AddressPlan } from "../../domain/address.js";
import type { JobQueue } from "../../queue/queue.js";
import type { SipAuthenticator } from "../sip-authenticator.js";
import type { SipEndpoint } from "../../sip/endpoint.js";
import type { Store } from "../../store/store.js";
import type { SipTrust } from "../../translate/identity.js";
import type { Element } from "../../xmpp/xml.js";

export interface PresenceDeps {
  readonly plan: AddressPlan;
  readonly trust: SipTrust;
  /** Digest challenge for sources that are not trusted proxies (sip.trust.digest). */
  readonly authenticate?: SipAuthenticator;
  readonly sip: Pick<SipEndpoint, "onSubscribe" | "subscribe" | "restoreNotifierSubscription" | "restoreSubscription">;
  /** Writes one stanza to the component link (buffered while it reconnects). */
  readonly sendXmpp: (stanza: Element) => void;
  readonly store: Store;
  /** Paced initial and delayed re-SUBSCRIBEs (jobs.ts subscribe.burst). Default: an in-process memory queue. */
  readonly queue?: JobQueue;
  readonly config: {
    readonly notifyMinIntervalSeconds: number;
    readonly maxSubscriptionsPerUser: number;
    readonly maxSubscriptionsPerDomain: number;
    /** Expires the gateway asks for on its own SUBSCRIBEs (it refreshes them itself). */
    readonly subscribeExpires: number;
    /** Initial SUBSCRIBEs per second (subscribe.burst rate limit): new subscriptions, retries, restores. */
    readonly subscribeRatePerSecond: number;
    /** Stanzas per second when re-announcing after a reconnect or restart. */
    readonly reannounceRatePerSecond: number;
  };
  readonly logger: Logger;
}

export const PIDF = "application/pidf+xml";

/**
 * Written by a clean stop once every dialog's CSeq is in the store (src/main.ts); taken by the next
 * restore. Without it (a crash, a kill) the store may be behind the wire: NOTIFYs and refreshes are
 * stored after they were answered, in batches. Re-using a CSeq gets the request refused 500 (RFC 3261
 * §12.2.2, out of order), so a restore after an unclean stop resumes every dialog this far above its
 * stored CSeq: §12.2.2 has the receiver accept a gap ("SHOULD be prepared to receive … more than one
 * higher"), while a clean restart stays contiguous (§12.2.1.1).
 */
export const CLEAN_STOP_MARKER = "presence-clean-stop";
export const RESTORE_CSEQ_SKIP = 1000;

