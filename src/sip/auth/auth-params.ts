// Parsing and formatting of HTTP-style authentication headers as SIP uses them (RFC 3261 §20.27,
// §20.44, §25.1 `challenge`/`credentials`; RFC 7616 §3.3–3.4 for the parameter set).
//
// The input may arrive either as one header value ("Digest realm=..., nonce=...") or already split
// at commas by a generic list parser; both shapes are accepted by re-joining and tokenizing, and a new
// challenge starts wherever a bare token (the scheme) is followed by another token instead of `=`.

export interface AuthHeader {
  /** Scheme as written, e.g. "Digest". Compare case-insensitively. */
  readonly scheme: string;
  /** Parameter names lowercased; quoted values unquoted (backslash escapes removed). */
  readonly params: ReadonlyMap<string, string>;
}

const TOKEN = /[A-Za-z0-9\-.!%*_+`'~]/;

/** Every challenge or credentials value in `values` (WWW-Authenticate, Proxy-Authenticate, Authorization). */
export function parseAuthHeaders(values: readonly string[]): AuthHeader[] {
  const text = values.join(", ");
  const out: AuthHeader[] = [];
  let i = 0;
  let current: { scheme: string; params: Map<string, string> } | undefined;
  const n = text.length;
  const skipWs = () => { while (i < n && (text[i] === " " || text[i] === "\t" || text[i] === "\r" || text[i] === "\n")) i++; };
  const readToken = () => { const s = i; while (i < n && TOKEN.test(text[i]!)) i++; return text.slice(s, i); };
  while (i < n) {
    skipWs();
    if (text[i] === ",") { i++; continue; }
    const word = readToken();
    if (!word) { i++; continue; } // stray character: skip rather than loop
    skipWs();
    if (text[i] === "=") {
      i++;
      skipWs();
      const value = text[i] === '"' ? readQuoted() : readToken();
      current?.params.set(word.toLowerCase(), value);
    } else {
      current = { scheme: word, params: new Map() };
      out.push(current);
    }
  }
  return out;

  function readQuoted(): string {
    i++; // opening quote
    let v = "";
    while (i < n && text[i] !== '"') {
      if (text[i] === "\\" && i + 1 < n) i++;
      v += text[i];
      i++;
    }
    i++; // closing quote
    return v;
  }
}

/** Formats credentials; `quoted` names are always quoted, the others written as tokens (RFC 7616 §3.4). */
export function formatAuthHeader(scheme: string, params: ReadonlyArray<readonly [string, string, boolean]>): string {
  const parts = params.map(([k, v, quoted]) => (quoted ? `${k}="${v.replace(/(["\\])/g, "\\$1")}"` : `${k}=${v}`));
  return `${scheme} ${parts.join(", ")}`;
}
