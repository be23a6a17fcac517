// The UAC core shared by every role: pick the destination (dialog flow, RFC 3263 next hop, outbound
// proxy), fill in Contact for the sending identity, send through the transaction layer and retry
// once with digest credentials on 401/407 (RFC 3261 §22.2: a new request with CSeq + 1).
import type { Logger } from "pino";
import type { SipPeer, SipRequest, SipResponse, SipTransportName, SipUri } from "../message/types.js";
import type { SendRequestOptions, SipDestination, SipStack } from "../stack.js";
import { parseUri, formatUri } from "../message/uri.js";
import { parseNameAddr } from "../message/name-addr.js";
import { parseCSeq } from "../message/cseq.js";
import { newCallId } from "../message/ids.js";
import { authorizationsFor, challengesOf, type CredentialLookup, type DigestChallenge } from "../auth/digest.js";
import type { SipResolver } from "../resolve/rfc3263.js";
import { synthesizeResponse, isSyntheticResponse } from "../transaction/synthetic.js";

export type StackLike = Pick<SipStack, "sendRequest" | "sendStateless" | "localContact">;

export interface UacOptions {
  readonly stack: StackLike;
  readonly resolver: SipResolver;
  readonly credentials?: CredentialLookup;
  readonly logger: Logger;
}

export interface UacSendOptions extends Omit<SendRequestOptions, "target"> {
  /** The sending identity (From URI): whose credentials answer a challenge. */
  readonly identity: string;
  /** Known destination (a dialog's flow); otherwise resolved from Route / Request-URI. */
  readonly target?: SipDestination;
  /** User part for a Contact to add when the request has none (the identity's own user). */
  readonly contactUser?: string;
  /** CSeq for the authenticated retry; default the request's own CSeq + 1 (dialogs pass their counter). */
  readonly nextCSeq?: () => number;
}

export interface Uac {
  send(request: SipRequest, opts: UacSendOptions): Promise<SipResponse>;
  /** Like send, also giving the request that got the final response (the authenticated retry, if any). */
  exchange(request: SipRequest, opts: UacSendOptions): Promise<{ readonly request: SipRequest; readonly response: SipResponse }>;
  /** Destinations for a request, in order: Route first (loose routing), else the Request-URI. */
  destinations(request: SipRequest): Promise<SipDestination[]>;
  /** `sip:user@advertised-host:port;transport=x` for the transport a destination uses. */
  contactUri(user: string | undefined, transport: SipTransportName): string;
  /** A new Call-ID `random@advertised-host` (RFC 3261 §8.1.1.4). */
  newCallId(): string;
}

const RELIABLE = new Set(["TCP", "TLS", "WS", "WSS"]);
const FALLBACK: readonly SipTransportName[] = ["UDP", "TCP", "TLS", "WS", "WSS"];
export function isFlow(d: SipDestination | undefined): d is SipPeer {
  return d !== undefined && "flow" in d && d.flow !== undefined && RELIABLE.has(d.transport);
}

export function createUac(opts: UacOptions): Uac {
  const { stack, resolver, logger } = opts;

  const localContact = (transport: SipTransportName) => {
    try { return stack.localContact(transport); } catch { /* no listener on that transport: advertise another one */ }
    for (const t of FALLBACK) { try { return stack.localContact(t); } catch { /* next */ } }
    throw new Error("no SIP listener to advertise in Contact");
  };
  const contactUri = (user: string | undefined, transport: SipTransportName): string => {
    const c = localContact(transport);
    transport = c.transport;
    const host = c.host.includes(":") ? `[${c.host}]` : c.host;
    const userPart = user ? `${encodeURIComponent(user).replace(/%40/g, "@")}@` : "";
    const scheme = transport === "TLS" || transport === "WSS" ? "sips" : "sip";
    const t = transport === "UDP" || transport === "TLS" ? "" : `;transport=${transport.toLowerCase()}`;
    return `${scheme}:${userPart}${host}:${c.port}${t}`;
  };

  /** Where RFC 3263 resolution starts: the first Route (loose routing), else the Request-URI. */
  function firstHop(request: SipRequest): SipUri | null {
    const route = request.headers.get("route");
    const text = route !== undefined ? parseNameAddr(route)?.uri : request.uri;
    return text === undefined ? null : parseUri(text);
  }

  async function destinations(request: SipRequest): Promise<SipDestination[]> {
    const uri = firstHop(request);
    if (!uri) return [];
    return resolver.resolve(uri);
  }

  /** `requestUri`: the request's Request-URI already parsed by the caller, when it has no Route. */
  async function sendOnce(request: SipRequest, o: UacSendOptions, requestUri?: SipUri): Promise<SipResponse> {
    let targets: readonly SipDestination[];
    if (o.target) targets = [o.target];
    else {
      const uri = requestUri ?? firstHop(request);
      // A known destination (cached resolution) goes out now, without a turn's wait per request.
      targets = uri === null ? [] : resolver.resolveCached?.(uri) ?? await resolver.resolve(uri);
    }
    if (targets.length === 0) return synthesizeResponse(request, 503, "No Route to Destination");
    let last: SipResponse | undefined;
    for (const target of targets) {
      if (o.contactUser !== undefined && !request.headers.has("contact") && request.method !== "MESSAGE") {
        request.headers.set("contact", `<${contactUri(o.contactUser, target.transport)}>`);
      }
      last = await stack.sendRequest(request, { target, onProvisional: o.onProvisional, onAdditional2xx: o.onAdditional2xx, signal: o.signal });
      // RFC 3263 §4.3: try the next target only when this one failed at the transport level (503
      // synthesized by our own stack) or timed out — never after a real response.
      if (!isSyntheticResponse(last)) return last;
      logger.debug({ method: request.method, target, status: last.status }, "sip target failed, trying next");
    }
    return last!;
  }

  // Challenges that last authenticated each identity toward a domain, reused with an increasing nonce count so
  // later requests carry credentials at once (RFC 7616 §3.4: nc counts uses of one nonce) instead
  // of paying a 401 round trip each time. Bounded; a stale nonce just costs one 401 again.
  const authCache = new Map<string, { challenges: DigestChallenge[]; nc: number }>();
  const MAX_CACHED = 10_000;

  async function exchange(request: SipRequest, o: UacSendOptions): Promise<{ request: SipRequest; response: SipResponse }> {
    // An outbound proxy / static route (RFC 3261 §8.1.2) becomes the first Route of a new request.
    // Otherwise the Request-URI parsed here is where resolution starts (sendOnce): parsed once.
    let requestUri: SipUri | undefined;
    if (!request.headers.has("route") && !o.target) {
      const uri = parseUri(request.uri);
      const hop = uri ? resolver.nextHop(uri) : undefined;
      if (hop) request.headers.set("route", `<${formatUri(withLr(hop))}>`);
      else if (uri) requestUri = uri;
    }
    // Without credentials there is nothing to answer a challenge with: no cache key to compute.
    if (!opts.credentials) return { request, response: await sendOnce(request, o, requestUri) };
    const info = () => ({ method: request.method, uri: request.uri, body: request.body });
    // Keyed by identity and destination domain, so one server's nonce never goes to another.
    const cacheKey = `${o.identity}\u0000${parseUri(request.uri)?.host ?? ""}`;
    const cached = authCache.get(cacheKey);
    if (cached && request.method !== "ACK" && request.method !== "CANCEL") {
      cached.nc++;
      for (const h of authorizationsFor(cached.challenges, info(), o.identity, opts.credentials, { nc: cached.nc }) ?? []) {
        request.headers.set(h.name, h.value);
      }
    }
    const first = await sendOnce(request, o, requestUri);
    if (first.status !== 401 && first.status !== 407) return { request, response: first };
    const challenges = challengesOf(first);
    const auth = authorizationsFor(challenges, info(), o.identity, opts.credentials);
    if (!auth) return { request, response: first };
    const retry: SipRequest = { ...request, headers: request.headers.clone() };
    const cseq = parseCSeq(request.headers.get("cseq") ?? "");
    retry.headers.set("cseq", `${o.nextCSeq ? o.nextCSeq() : (cseq?.seq ?? 0) + 1} ${request.method}`);
    retry.headers.delete("authorization");
    retry.headers.delete("proxy-authorization");
    for (const h of auth) retry.headers.set(h.name, h.value);
    const response = await sendOnce(retry, o);
    if (response.status !== 401 && response.status !== 407) {
      if (authCache.size >= MAX_CACHED) authCache.delete(authCache.keys().next().value!);
      authCache.set(cacheKey, { challenges, nc: 1 });
    } else authCache.delete(cacheKey);
    return { request: retry, response };
  }

  return {
    destinations,
    contactUri,
    newCallId: () => newCallId(localContact("UDP").host),
    exchange,
    send: async (request, o) => (await exchange(request, o)).response,
  };
}

function withLr(uri: NonNullable<ReturnType<typeof parseUri>>) {
  if (uri.params.has("lr")) return uri;
  const params = new Map(uri.params);
  params.set("lr", null);
  return { ...uri, params };
}

