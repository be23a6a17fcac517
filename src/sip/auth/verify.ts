// Digest authentication, server side: issue challenges and verify credentials (RFC 3261 §22.1, §22.4;
// RFC 7616 §3.3, §3.5 for nonce handling and `stale`). Used by tests and by the gateway's optional
// digest trust for SIP peers.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { parseAuthHeaders, formatAuthHeader } from "./auth-params.js";
import { computeDigestResponse, parseDigestAlgorithm, type DigestAlgorithm, type DigestRequestInfo } from "./digest.js";

export interface DigestVerifierOptions {
  readonly realm: string;
  /** Offered algorithms, one challenge each, in this order (RFC 8760 §2.3: strongest first). */
  readonly algorithms?: readonly DigestAlgorithm[];
  /** Challenge from a proxy (407, Proxy-Authenticate) rather than a UAS (401, WWW-Authenticate). */
  readonly proxy?: boolean;
  /** Password for a username in this realm, or undefined when unknown. */
  readonly passwordOf: (username: string, realm: string) => string | undefined;
  readonly nonceTtlMs?: number;
  /**
   * Whether the digest-uri names this request (RFC 3261 §22.4: "corresponds to a Request-URI that the
   * server is willing to accept"). Default: equal to the Request-URI.
   */
  readonly acceptsUri?: (digestUri: string, requestUri: string) => boolean;
  /** HMAC key for stateless nonces; random per verifier when absent. */
  readonly secret?: Uint8Array;
  readonly now?: () => number;
}

/** A refusal with its SIP meaning: re-challenge (401/407, maybe stale) or a malformed header (400). */
export interface DigestRefusal {
  readonly ok: false;
  readonly status: 400 | 401 | 407;
  readonly reason: string;
  /** Challenge header values to put in the response (empty for 400). */
  readonly challenges: readonly string[];
  readonly headerName: "www-authenticate" | "proxy-authenticate";
}
export type DigestVerdict = { readonly ok: true; readonly username: string } | DigestRefusal;

export interface DigestVerifier {
  /** Header values for a fresh challenge; `stale` tells the client its password was right (RFC 7616 §3.3). */
  challenges(stale?: boolean): string[];
  verify(req: DigestRequestInfo & { readonly headers: { getAll(name: string): readonly string[] } }): DigestVerdict;
}

export function createDigestVerifier(opts: DigestVerifierOptions): DigestVerifier {
  const algorithms = opts.algorithms ?? ["SHA-256", "MD5"];
  const proxy = opts.proxy ?? false;
  const ttl = opts.nonceTtlMs ?? 300_000;
  const secret = opts.secret ?? randomBytes(32);
  const now = opts.now ?? Date.now;
  const headerName = proxy ? "proxy-authenticate" : "www-authenticate";
  const status = proxy ? 407 : 401;
  const reason = proxy ? "Proxy Authentication Required" : "Unauthorized";
  // Highest nonce-count seen per nonce, to refuse replays (RFC 7616 §3.4: nc must increase).
  const seenNc = new Map<string, { nc: number; expires: number }>();
  let sweepAt = now() + ttl;

  const sign = (stamp: string) => createHmac("sha256", secret).update(`${stamp}:${opts.realm}`).digest("base64url").slice(0, 22);
  const newNonce = () => {
    const stamp = `${now().toString(36)}.${randomBytes(6).toString("base64url")}`;
    return `${stamp}.${sign(stamp)}`;
  };
  /** "fresh" | "stale" | "forged" */
  const checkNonce = (nonce: string): "fresh" | "stale" | "forged" => {
    const cut = nonce.lastIndexOf(".");
    if (cut < 0) return "forged";
    const stamp = nonce.slice(0, cut);
    const mac = Buffer.from(nonce.slice(cut + 1));
    const want = Buffer.from(sign(stamp));
    if (mac.length !== want.length || !timingSafeEqual(mac, want)) return "forged";
    const issued = parseInt(stamp.split(".")[0] ?? "", 36);
    return Number.isFinite(issued) && now() - issued <= ttl ? "fresh" : "stale";
  };
  const challenges = (stale = false) => {
    const nonce = newNonce();
    return algorithms.map((algorithm) => formatAuthHeader("Digest", [
      ["realm", opts.realm, true], ["nonce", nonce, true], ["algorithm", algorithm, false], ["qop", "auth,auth-int", true],
      ...(stale ? [["stale", "TRUE", false] as const] : []),
    ]));
  };
  const refuse = (stale = false): DigestRefusal => ({ ok: false, status, reason, challenges: challenges(stale), headerName });
  const malformed = (why: string): DigestRefusal => ({ ok: false, status: 400, reason: why, challenges: [], headerName });

  const sweep = (t: number) => {
    if (t < sweepAt) return;
    for (const [k, v] of seenNc) if (v.expires < t) seenNc.delete(k);
    sweepAt = t + ttl;
  };

  return {
    challenges,
    verify(req) {
      const creds = parseAuthHeaders(req.headers.getAll(proxy ? "proxy-authorization" : "authorization"))
        .filter((h) => h.scheme.toLowerCase() === "digest" && h.params.get("realm") === opts.realm);
      const c = creds[0];
      if (!c) return refuse();
      const p = c.params;
      const username = p.get("username"), nonce = p.get("nonce"), uri = p.get("uri"), response = p.get("response");
      if (username === undefined || nonce === undefined || uri === undefined || response === undefined) {
        return malformed("Malformed Authorization header");
      }
      const algorithm = parseDigestAlgorithm(p.get("algorithm"));
      if (!algorithm || !algorithms.includes(algorithm)) return refuse();
      // RFC 3261 §22.4 item 1: the digest-uri must name the request's own URI.
      if (!(opts.acceptsUri ?? ((a: string, b: string) => a === b))(uri, req.uri)) return malformed("Authorization uri does not match Request-URI");
      const qop = p.get("qop");
      const nc = p.get("nc"), cnonce = p.get("cnonce");
      if (qop !== undefined && (qop !== "auth" && qop !== "auth-int" || !nc || cnonce === undefined)) {
        return malformed("Malformed Authorization qop");
      }
      const nonceState = checkNonce(nonce);
      if (nonceState === "forged") return refuse();
      // This verifier never offers userhash (RFC 7616 §3.4.4), so a hashed username is unknown here.
      const name = p.get("userhash")?.toLowerCase() === "true" ? undefined : username;
      const password = name !== undefined ? opts.passwordOf(name, opts.realm) : undefined;
      if (password === undefined) return refuse();
      const expected = computeDigestResponse({
        // A2 hashes the digest-uri the client sent (RFC 2617 §3.2.2.3), not our Request-URI.
        ...req, uri, algorithm, username: name!, realm: opts.realm, password, nonce,
        ...(qop ? { qop, nc: nc!, cnonce: cnonce! } : {}),
      });
      const a = Buffer.from(expected), b = Buffer.from(response.toLowerCase());
      if (a.length !== b.length || !timingSafeEqual(a, b)) return refuse();
      // Right password on an expired nonce: stale=TRUE lets the client retry silently (RFC 7616 §3.3).
      if (nonceState === "stale") return refuse(true);
      if (qop) {
        const t = now();
        sweep(t);
        const count = parseInt(nc!, 16);
        const prev = seenNc.get(nonce);
        if (!Number.isFinite(count) || (prev && count <= prev.nc)) return refuse(true);
        seenNc.set(nonce, { nc: count, expires: t + ttl });
      }
      return { ok: true, username: name! };
    },
  };
}

