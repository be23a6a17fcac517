// Digest authentication, client side: RFC 3261 §22 with the algorithms of RFC 7616 and RFC 8760
// (MD5, SHA-256, SHA-512-256 and their -sess variants), qop=auth and auth-int.
import { createHash, randomBytes } from "node:crypto";
import { parseAuthHeaders, formatAuthHeader } from "./auth-params.js";

export type DigestAlgorithm = "MD5" | "MD5-sess" | "SHA-256" | "SHA-256-sess" | "SHA-512-256" | "SHA-512-256-sess";

/** Preference order, strongest first. RFC 8760 §2.4: a UAC picks the most preferred one it supports. */
const PREFERENCE: readonly DigestAlgorithm[] = ["SHA-512-256", "SHA-512-256-sess", "SHA-256", "SHA-256-sess", "MD5", "MD5-sess"];
const NODE_HASH: Readonly<Record<string, string>> = { "MD5": "md5", "SHA-256": "sha256", "SHA-512-256": "sha512-256" };
const BY_UPPER = new Map(PREFERENCE.map((a) => [a.toUpperCase(), a] as const));

export interface DigestChallenge {
  /** Which header carried it: 401 WWW-Authenticate or 407 Proxy-Authenticate. */
  readonly proxy: boolean;
  readonly realm: string;
  readonly nonce: string;
  readonly opaque?: string;
  readonly algorithm: DigestAlgorithm;
  /** qop options offered, lowercased; empty for RFC 2069-style challenges. */
  readonly qop: readonly string[];
  readonly stale: boolean;
  readonly userhash: boolean;
}

export interface DigestCredentials {
  readonly username: string;
  readonly password: string;
}

/** Credentials per sending identity (the gateway sends as many users) and realm. */
export type CredentialLookup = (identity: string, realm: string) => DigestCredentials | undefined;

export interface DigestRequestInfo {
  readonly method: string;
  /** digest-uri: the Request-URI (RFC 3261 §22.4). */
  readonly uri: string;
  readonly body?: Uint8Array;
}

export function parseDigestAlgorithm(value: string | undefined): DigestAlgorithm | undefined {
  // RFC 7616 §3.3: an absent algorithm means MD5.
  return value === undefined ? "MD5" : BY_UPPER.get(value.toUpperCase());
}

/** Digest challenges among header values; challenges with unsupported algorithms are left out (RFC 7616 §3.3). */
export function parseDigestChallenges(values: readonly string[], proxy: boolean): DigestChallenge[] {
  const out: DigestChallenge[] = [];
  for (const h of parseAuthHeaders(values)) {
    if (h.scheme.toLowerCase() !== "digest") continue;
    const realm = h.params.get("realm");
    const nonce = h.params.get("nonce");
    const algorithm = parseDigestAlgorithm(h.params.get("algorithm"));
    if (realm === undefined || nonce === undefined || algorithm === undefined) continue;
    const qopText = h.params.get("qop");
    const opaque = h.params.get("opaque");
    out.push({
      proxy, realm, nonce, algorithm,
      ...(opaque !== undefined ? { opaque } : {}),
      qop: qopText ? qopText.split(",").map((q) => q.trim().toLowerCase()).filter(Boolean) : [],
      stale: h.params.get("stale")?.toLowerCase() === "true",
      userhash: h.params.get("userhash")?.toLowerCase() === "true",
    });
  }
  return out;
}

/** One challenge per realm, the strongest algorithm offered for it (RFC 8760 §2.4, RFC 3261 §22.3). */
export function selectChallenges(challenges: readonly DigestChallenge[]): DigestChallenge[] {
  const best = new Map<string, DigestChallenge>();
  for (const c of challenges) {
    const key = `${c.proxy ? "p" : "w"}:${c.realm}`;
    const prev = best.get(key);
    if (!prev || PREFERENCE.indexOf(c.algorithm) < PREFERENCE.indexOf(prev.algorithm)) best.set(key, c);
  }
  return [...best.values()];
}

export function digestHash(algorithm: DigestAlgorithm, data: string | Uint8Array): string {
  const base = algorithm.endsWith("-sess") ? algorithm.slice(0, -5) : algorithm;
  return createHash(NODE_HASH[base]!).update(data).digest("hex");
}

export interface DigestResponseInput extends DigestRequestInfo {
  readonly algorithm: DigestAlgorithm;
  readonly username: string;
  readonly realm: string;
  readonly password: string;
  readonly nonce: string;
  /** "auth" | "auth-int"; undefined for RFC 2069 compatibility (no qop offered). */
  readonly qop?: string;
  readonly nc?: string;
  readonly cnonce?: string;
}

/** The `response` value (RFC 7616 §3.4.1–3.4.3; RFC 2617 §3.2.2.1–3.2.2.3). */
export function computeDigestResponse(i: DigestResponseInput): string {
  const H = (s: string | Uint8Array) => digestHash(i.algorithm, s);
  let ha1 = H(`${i.username}:${i.realm}:${i.password}`);
  // -sess: HA1 is rebound to this nonce/cnonce pair so a third party can hold it (RFC 7616 §3.4.2).
  if (i.algorithm.endsWith("-sess")) ha1 = H(`${ha1}:${i.nonce}:${i.cnonce ?? ""}`);
  const ha2 = i.qop === "auth-int"
    ? H(`${i.method}:${i.uri}:${H(i.body ?? new Uint8Array())}`)
    : H(`${i.method}:${i.uri}`);
  return i.qop
    ? H(`${ha1}:${i.nonce}:${i.nc}:${i.cnonce}:${i.qop}:${ha2}`)
    : H(`${ha1}:${i.nonce}:${ha2}`);
}

export interface AuthorizationOptions {
  /** Nonce count for this nonce; 1 for a fresh challenge. */
  readonly nc?: number;
  /** Fixed cnonce (tests); crypto-random otherwise. */
  readonly cnonce?: string;
  /** Prefer auth-int when offered (the body is then covered by the digest). */
  readonly preferAuthInt?: boolean;
}

/** The Authorization / Proxy-Authorization header value answering `challenge`. */
export function buildAuthorization(challenge: DigestChallenge, creds: DigestCredentials, req: DigestRequestInfo, opts: AuthorizationOptions = {}): string {
  const qop = challenge.qop.length === 0
    ? undefined
    : opts.preferAuthInt && challenge.qop.includes("auth-int") ? "auth-int"
    : challenge.qop.includes("auth") ? "auth" : challenge.qop.includes("auth-int") ? "auth-int" : undefined;
  const nc = (opts.nc ?? 1).toString(16).padStart(8, "0");
  const cnonce = opts.cnonce ?? randomBytes(16).toString("hex");
  const response = computeDigestResponse({
    ...req, algorithm: challenge.algorithm, username: creds.username, realm: challenge.realm,
    password: creds.password, nonce: challenge.nonce, ...(qop ? { qop, nc, cnonce } : {}),
  });
  // RFC 7616 §3.4.4: with userhash the username itself is hidden behind H(username:realm).
  const username = challenge.userhash ? digestHash(challenge.algorithm, `${creds.username}:${challenge.realm}`) : creds.username;
  const params: Array<readonly [string, string, boolean]> = [
    ["username", username, true], ["realm", challenge.realm, true], ["nonce", challenge.nonce, true],
    ["uri", req.uri, true], ["response", response, true], ["algorithm", challenge.algorithm, false],
  ];
  if (challenge.opaque !== undefined) params.push(["opaque", challenge.opaque, true]);
  if (qop) params.push(["qop", qop, false], ["nc", nc, false], ["cnonce", cnonce, true]);
  if (challenge.userhash) params.push(["userhash", "true", false]);
  return formatAuthHeader("Digest", params);
}

export interface AuthorizationHeader {
  readonly name: "authorization" | "proxy-authorization";
  readonly value: string;
}

/** The digest challenges of a 401/407, one per realm, strongest algorithm first chosen. */
export function challengesOf(response: { readonly headers: { getAll(name: string): readonly string[] } }): DigestChallenge[] {
  return selectChallenges([
    ...parseDigestChallenges(response.headers.getAll("www-authenticate"), false),
    ...parseDigestChallenges(response.headers.getAll("proxy-authenticate"), true),
  ]);
}

/** Authorization headers answering `challenges` for `identity`; undefined when a realm has no credentials. */
export function authorizationsFor(
  challenges: readonly DigestChallenge[], req: DigestRequestInfo, identity: string, lookup: CredentialLookup, opts: AuthorizationOptions = {},
): AuthorizationHeader[] | undefined {
  if (challenges.length === 0) return undefined;
  const out: AuthorizationHeader[] = [];
  for (const c of challenges) {
    const creds = lookup(identity, c.realm);
    if (!creds) return undefined;
    out.push({ name: c.proxy ? "proxy-authorization" : "authorization", value: buildAuthorization(c, creds, req, opts) });
  }
  return out;
}

/**
 * Credentials for every realm challenged by a 401/407 `response`, for the identity that sent the
 * request. Undefined when a realm has no credentials (the caller then surfaces the 401/407 as is).
 */
export function answerChallenges(
  response: { readonly status: number; readonly headers: { getAll(name: string): readonly string[] } },
  req: DigestRequestInfo,
  identity: string,
  lookup: CredentialLookup,
  opts: AuthorizationOptions = {},
): AuthorizationHeader[] | undefined {
  return authorizationsFor(challengesOf(response), req, identity, lookup, opts);
}
