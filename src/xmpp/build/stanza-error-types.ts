// RFC 6120 §8.3.2 error types and §8.3.3 defined conditions: closed sets, so typed as unions.

export type StanzaErrorType = "auth" | "cancel" | "continue" | "modify" | "wait";

export const STANZA_ERROR_CONDITIONS = [
  "bad-request", "conflict", "feature-not-implemented", "forbidden", "gone", "internal-server-error",
  "item-not-found", "jid-malformed", "not-acceptable", "not-allowed", "not-authorized", "policy-violation",
  "recipient-unavailable", "redirect", "registration-required", "remote-server-not-found",
  "remote-server-timeout", "resource-constraint", "service-unavailable", "subscription-required",
  "undefined-condition", "unexpected-request",
] as const;

export type StanzaErrorCondition = (typeof STANZA_ERROR_CONDITIONS)[number];

export interface StanzaErrorSpec {
  readonly type: StanzaErrorType;
  readonly condition: StanzaErrorCondition;
  readonly text?: string;
  /** RFC 6120 §8.3.2: the entity that generated the error, when it is not the `from` of the reply. */
  readonly by?: string;
}

export const NS_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas";
