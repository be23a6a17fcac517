// Header field names: compact forms, canonical (lowercase long) names, wire spelling, list grammar.

// RFC 3261 §7.3.3 compact forms, plus the ones later registered with IANA: o Event / u Allow-Events
// (RFC 6665 §8.2.1), r Refer-To (RFC 3515), b Referred-By (RFC 3892), a/j/d caller preferences
// (RFC 3841), x Session-Expires (RFC 4028), y Identity (RFC 8224).
const COMPACT: ReadonlyMap<string, string> = new Map([
  ["a", "accept-contact"], ["b", "referred-by"], ["c", "content-type"], ["d", "request-disposition"],
  ["e", "content-encoding"], ["f", "from"], ["i", "call-id"], ["j", "reject-contact"],
  ["k", "supported"], ["l", "content-length"], ["m", "contact"], ["o", "event"],
  ["r", "refer-to"], ["s", "subject"], ["t", "to"], ["u", "allow-events"], ["v", "via"],
  ["x", "session-expires"], ["y", "identity"],
]);

// Wire spellings where capitalising each dash-separated word is wrong (RFC 3261 §20 spells them so).
const DISPLAY_EXCEPTIONS: ReadonlyMap<string, string> = new Map([
  ["call-id", "Call-ID"], ["cseq", "CSeq"], ["www-authenticate", "WWW-Authenticate"],
  ["mime-version", "MIME-Version"], ["rack", "RAck"], ["rseq", "RSeq"], ["sip-etag", "SIP-ETag"],
  ["sip-if-match", "SIP-If-Match"], ["content-id", "Content-ID"], ["p-asserted-identity", "P-Asserted-Identity"],
  ["identity-info", "Identity-Info"], ["history-info", "History-Info"], ["min-se", "Min-SE"],
]);

/**
 * Headers whose grammar is `#element` (RFC 3261 §7.3.1): several lines may be combined with commas,
 * so they are split into one value per element. Everything else stays whole: WWW-Authenticate,
 * Authorization, Proxy-Authenticate and Proxy-Authorization carry commas inside one value (the
 * §7.3.1 exception), Date, Subject, Retry-After, Call-ID, Event, Subscription-State and unknown
 * extension headers may contain commas whose meaning we do not know.
 */
const LIST_HEADERS: ReadonlySet<string> = new Set([
  "via", "contact", "route", "record-route", "path", "service-route",
  "allow", "supported", "require", "proxy-require", "unsupported", "allow-events",
  "accept", "accept-encoding", "accept-language", "content-encoding", "content-language",
  "in-reply-to", "alert-info", "call-info", "error-info", "warning", "reason",
  "accept-contact", "reject-contact", "request-disposition", "p-asserted-identity",
  "p-preferred-identity", "history-info", "security-client", "security-server", "security-verify",
]);

const canonicalCache = new Map<string, string>();

// The spellings nearly every message uses, by length: the parser matches them in place, without
// slicing the name out or hashing it (a hot path at 200k messages/s). Each entry is
// [spelling, canonical name, first char code].
type Spelling = readonly [string, string, number];
const COMMON_BY_LENGTH: ReadonlyArray<readonly Spelling[] | undefined> = (() => {
  const common = ["Via", "To", "From", "Call-ID", "CSeq", "Contact", "Max-Forwards", "Content-Type", "Content-Length",
    "Event", "Subscription-State", "Expires", "User-Agent", "Allow", "Supported", "Record-Route", "Route", "Accept",
    "Allow-Events", "Require", "Authorization", "WWW-Authenticate", "Proxy-Authorization", "Proxy-Authenticate",
    "Server", "Date", "Min-Expires", "Retry-After", "SIP-ETag", "SIP-If-Match", "Timestamp", "Session-Expires",
    "Call-Id", "Cseq", "Max-forwards", "Content-type", "Content-length", "Subscription-state", "User-agent"];
  const byLength: Spelling[][] = [];
  const add = (spelling: string, canonical: string) => (byLength[spelling.length] ??= []).push([spelling, canonical, spelling.charCodeAt(0)]);
  for (const name of common) add(name, name.toLowerCase());
  for (const [short, long] of COMPACT) {
    add(short, long);
    add(short.toUpperCase(), long);
  }
  return byLength;
})();

/**
 * The canonical name of the header name at s[start, end), matched in place for common spellings,
 * else sliced, checked to be a token and canonicalised. Returns null when the name is not a token.
 */
export function canonicalHeaderNameAt(s: string, start: number, end: number, isToken: (n: string) => boolean): string | null {
  const candidates = COMMON_BY_LENGTH[end - start];
  if (candidates !== undefined) {
    const first = s.charCodeAt(start);
    for (let i = 0; i < candidates.length; i++) {
      const c = candidates[i]!;
      if (c[2] === first && s.startsWith(c[0], start)) return c[1];
    }
  }
  const raw = s.slice(start, end);
  return isToken(raw) ? canonicalHeaderName(raw) : null;
}

/** Lowercase long-form name for a header name as written (`v`, `VIA`, `Via` all give `via`). */
export function canonicalHeaderName(name: string): string {
  const cached = canonicalCache.get(name);
  if (cached !== undefined) return cached;
  const lower = name.toLowerCase();
  const canonical = COMPACT.get(lower) ?? lower;
  // Names come from the wire: cap the cache so a hostile peer cannot grow it without bound.
  if (canonicalCache.size < 4096) canonicalCache.set(name, canonical);
  return canonical;
}

const displayCache = new Map<string, string>();

/** Long-form wire spelling for a (canonical or not) header name: `call-id` → `Call-ID`. */
export function displayHeaderName(name: string): string {
  const cached = displayCache.get(name);
  if (cached !== undefined) return cached;
  const canonical = canonicalHeaderName(name);
  const display = DISPLAY_EXCEPTIONS.get(canonical)
    ?? canonical.split("-").map((w) => (w.length === 0 ? w : w[0]!.toUpperCase() + w.slice(1))).join("-");
  if (displayCache.size < 4096) displayCache.set(name, display);
  return display;
}

/** True when the header's grammar is a comma-separated list (values may be split and joined). */
export function isListHeader(canonicalName: string): boolean {
  return LIST_HEADERS.has(canonicalName);
}

/** The compact form of a canonical name, if one is registered. */
export function compactHeaderName(canonicalName: string): string | undefined {
  for (const [short, long] of COMPACT) if (long === canonicalName) return short;
  return undefined;
}
