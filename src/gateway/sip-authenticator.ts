// Who sent a SIP request, as far as the gateway can prove it (RFC 7247 Security Considerations):
// a request from a configured proxy carries identities the proxy asserts; any other source may
// prove one user with digest authentication (RFC 3261 §22, RFC 7616) when `sip.trust.digest` is on.
// The identity check itself (the From must be that user) stays in src/translate/identity.ts.
import type { Config } from "../config/schema.js";
import { createDigestVerifier } from "../sip/auth/verify.js";
import type { SipPeer, SipRequest } from "../sip/message/types.js";
import { parseUri } from "../sip/message/uri.js";
import type { SipTrust } from "../translate/identity.js";

export type SipAuthOutcome =
  /** Nothing to prove (a trusted proxy, or digest off): the identity rules decide. */
  | { readonly kind: "unchallenged" }
  | { readonly kind: "authenticated"; readonly identity: string }
  /** Answer with this (401 + WWW-Authenticate, or 400 for a malformed Authorization). */
  | { readonly kind: "challenge"; readonly status: number; readonly reason: string; readonly headers: Readonly<Record<string, readonly string[]>> };

export type SipAuthenticator = (request: SipRequest, source: SipPeer) => SipAuthOutcome;

const UNCHALLENGED: SipAuthOutcome = { kind: "unchallenged" };

/**
 * COMPAT(SIPp 3.6, some UAs): the digest-uri names the next hop (sip:gateway-ip:port) rather than the
 * Request-URI. RFC 3261 §22.4 only asks that it correspond to a Request-URI we accept, and the
 * response hash binds whatever uri the client used, so a URI naming us is accepted too.
 */
function acceptsUri(localHosts: () => ReadonlySet<string>): (digestUri: string, requestUri: string) => boolean {
  return (digestUri, requestUri) => {
    if (digestUri === requestUri) return true;
    const u = parseUri(digestUri);
    return u !== null && (u.scheme === "sip" || u.scheme === "sips") && localHosts().has(u.host.toLowerCase());
  };
}

export function createSipAuthenticator(trustConfig: Config["sip"]["trust"], sipDomains: readonly string[], trust: SipTrust, localHosts: () => ReadonlySet<string>): SipAuthenticator {
  if (!trustConfig.digest) return () => UNCHALLENGED;
  const realm = trustConfig.realm ?? sipDomains[0] ?? "stox";
  const users = new Map(trustConfig.users.map((u) => [u.username, u] as const));
  const verifier = createDigestVerifier({ realm, algorithms: trustConfig.algorithms, acceptsUri: acceptsUri(localHosts), passwordOf: (username, r) => (r === realm ? users.get(username)?.password : undefined) });
  return (request, source) => {
    if (trust.isTrusted(source.address)) return UNCHALLENGED;
    // qop=auth-int hashes the body too (RFC 2617 §3.2.2.3).
    const verdict = verifier.verify({ method: request.method, uri: request.uri, body: request.body, headers: request.headers });
    if (verdict.ok) {
      const user = users.get(verdict.username);
      // verify() only succeeds for a username passwordOf knew, so the user exists.
      return user === undefined ? { kind: "challenge", status: 403, reason: "Forbidden", headers: {} } : { kind: "authenticated", identity: user.identity };
    }
    return { kind: "challenge", status: verdict.status, reason: verdict.reason, headers: verdict.challenges.length > 0 ? { [verdict.headerName]: verdict.challenges } : {} };
  };
}
