// RFC 3261 §12 dialogs as plain data. A DialogState is JSON-serializable (the store persists it);
// every operation is a pure function returning a new state.
import { randomInt } from "node:crypto";
import type { SipPeer, SipRequest, SipResponse } from "../message/types.js";
import { createHeaders } from "../message/headers.js";
import { parseNameAddr } from "../message/name-addr.js";
import { parseCSeq } from "../message/cseq.js";
import { parseUri } from "../message/uri.js";

export interface DialogId {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
}

export interface DialogState {
  readonly id: DialogId;
  /** Last CSeq number we sent; null until the first request of a UAS dialog (§12.1.1). */
  readonly localSeq: number | null;
  /** Last CSeq number received; null for a UAC dialog until the peer sends (§12.1.2). */
  readonly remoteSeq: number | null;
  /** From of our requests (URI only, tag kept in id). */
  readonly localUri: string;
  readonly remoteUri: string;
  /** Our Contact URI. */
  readonly localTarget: string;
  /** The peer's Contact URI: Request-URI of in-dialog requests. */
  readonly remoteTarget: string;
  /** Route header values (name-addr text) in the order to put in requests. */
  readonly routeSet: readonly string[];
  readonly secure: boolean;
  readonly early: boolean;
  /** Transport destination of in-dialog requests: the peer's connection for flow reuse (RFC 5626 §4.3 style). */
  readonly flow?: SipPeer;
}

/** A refusal with its SIP status, e.g. §12.2.2 out-of-order CSeq → 500. */
export interface DialogError {
  readonly status: number;
  readonly reason: string;
}

export function dialogKey(id: DialogId): string {
  return `${id.callId}\u0000${id.localTag}\u0000${id.remoteTag}`;
}

function tagOf(value: string | undefined): string | undefined {
  const na = value === undefined ? null : parseNameAddr(value);
  const tag = na?.params.get("tag");
  return tag ?? undefined;
}
function uriOf(value: string | undefined): string | undefined {
  return value === undefined ? undefined : parseNameAddr(value)?.uri;
}

/** Dialog id an incoming in-dialog request belongs to (we are the To side), or undefined out of dialog. */
export function incomingDialogId(req: SipRequest): DialogId | undefined {
  const localTag = tagOf(req.headers.get("to"));
  const remoteTag = tagOf(req.headers.get("from"));
  const callId = req.headers.get("call-id");
  if (!localTag || remoteTag === undefined || !callId) return undefined;
  return { callId, localTag, remoteTag };
}

/** Dialog id of a response to one of our requests (we are the From side). */
export function responseDialogId(res: SipResponse): DialogId | undefined {
  const localTag = tagOf(res.headers.get("from"));
  const remoteTag = tagOf(res.headers.get("to"));
  const callId = res.headers.get("call-id");
  if (!localTag || !remoteTag || !callId) return undefined;
  return { callId, localTag, remoteTag };
}

function isSecure(req: SipRequest): boolean {
  // §12.1.1: secure when the request came over TLS and the Request-URI is a sips URI.
  return req.uri.trimStart().toLowerCase().startsWith("sips:") && (req.source?.transport === "TLS" || req.source?.transport === "WSS");
}

/**
 * A copy that shares no memory with the message it was read from. Parsed header values are slices of
 * the received text, and V8 keeps the whole parent string alive for each slice: a dialog that lives for
 * hours would pin its initial request (≈ 1 KB per subscription).
 */
const own = (s: string): string => Buffer.from(s, "utf8").toString("utf8");

// Values that most dialogs share, held once (issue 4: < 2 KB per held subscription). Our own URI and
// Contact are the same for every watcher of one presentity, and every UDP request from one peer has
// the same source; the empty route set is the common case. Bounded: past the cap the table starts
// over, which only costs sharing, never correctness.
const SHARED_MAX = 4096;
const sharedStrings = new Map<string, string>();
const sharedPeers = new Map<string, SipPeer>();
const EMPTY_ROUTES: readonly string[] = Object.freeze([]);

/** One flat copy per distinct value of the strings many dialogs hold (our URI, our Contact). */
function shared(s: string): string {
  let v = sharedStrings.get(s);
  if (v === undefined) {
    if (sharedStrings.size >= SHARED_MAX) sharedStrings.clear();
    v = own(s);
    sharedStrings.set(v, v);
  }
  return v;
}

/** One object per connectionless source (transport, address, port); a flow-bound peer is its connection's. */
function sharedPeer(p: SipPeer): SipPeer {
  if (p.flow !== undefined) return p;
  const key = `${p.transport} ${p.address} ${p.port}`;
  let v = sharedPeers.get(key);
  if (v === undefined) {
    if (sharedPeers.size >= SHARED_MAX) sharedPeers.clear();
    v = { transport: p.transport, address: own(p.address), port: p.port };
    sharedPeers.set(own(key), v);
  }
  return v;
}

/**
 * The dialog as kept for its lifetime: owned strings, shared common values, and one fixed shape
 * (every field present, in this order), so that each dialog is one object with in-object fields; the
 * spreads used before gave dialogs a separate property array.
 */
function owned(d: DialogState): DialogState {
  return {
    id: { callId: own(d.id.callId), localTag: own(d.id.localTag), remoteTag: own(d.id.remoteTag) },
    localSeq: d.localSeq, remoteSeq: d.remoteSeq,
    localUri: shared(d.localUri), remoteUri: own(d.remoteUri), localTarget: shared(d.localTarget), remoteTarget: own(d.remoteTarget),
    routeSet: d.routeSet.length === 0 ? EMPTY_ROUTES : d.routeSet.map(own),
    secure: d.secure, early: d.early,
    flow: d.flow === undefined ? undefined : sharedPeer(d.flow),
  };
}

/** The dialog with some fields replaced, keeping the fixed shape of `owned` (no spread). */
function withFields(d: DialogState, f: { readonly localSeq?: number; readonly remoteSeq?: number; readonly remoteTarget?: string; readonly flow?: SipPeer }): DialogState {
  return {
    id: d.id, localSeq: f.localSeq ?? d.localSeq, remoteSeq: f.remoteSeq ?? d.remoteSeq,
    localUri: d.localUri, remoteUri: d.remoteUri, localTarget: d.localTarget, remoteTarget: f.remoteTarget ?? d.remoteTarget,
    routeSet: d.routeSet, secure: d.secure, early: d.early, flow: f.flow ?? d.flow,
  };
}

/** §12.1.1: the UAS side, created when we answer `req` with a 2xx/101-199 carrying `localTag`. */
export function createUasDialog(req: SipRequest, localTag: string, localTarget: string, early = false): DialogState | DialogError {
  const remoteTarget = uriOf(req.headers.get("contact"));
  const callId = req.headers.get("call-id");
  const cseq = parseCSeq(req.headers.get("cseq") ?? "");
  const remoteUri = uriOf(req.headers.get("from"));
  const localUri = uriOf(req.headers.get("to"));
  if (!remoteTarget) return { status: 400, reason: "Missing Contact" };
  if (!callId || !cseq || !remoteUri || !localUri) return { status: 400, reason: "Bad Request" };
  return owned({
    id: { callId, localTag, remoteTag: tagOf(req.headers.get("from")) ?? "" },
    localSeq: null, remoteSeq: cseq.seq,
    localUri, remoteUri, localTarget, remoteTarget,
    routeSet: req.headers.getAll("record-route"),
    secure: isSecure(req), early,
    flow: req.source,
  });
}

/** §12.1.2: the UAC side, created from a 2xx (or tagged 1xx) response to our request. */
export function createUacDialog(req: SipRequest, res: SipResponse, localTarget: string, flow?: SipPeer): DialogState | DialogError {
  const id = responseDialogId(res);
  const cseq = parseCSeq(req.headers.get("cseq") ?? "");
  const localUri = uriOf(req.headers.get("from"));
  const remoteUri = uriOf(req.headers.get("to"));
  // RFC 6665 §4.1.2.4 lets a NOTIFY create the dialog; its Contact plays the same role as a 2xx's.
  const remoteTarget = uriOf(res.headers.get("contact"));
  if (!id || !cseq || !localUri || !remoteUri) return { status: 400, reason: "Bad Request" };
  if (!remoteTarget) return { status: 400, reason: "Missing Contact" };
  return owned({
    id, localSeq: cseq.seq, remoteSeq: null, localUri, remoteUri, localTarget, remoteTarget,
    routeSet: [...res.headers.getAll("record-route")].reverse(),
    secure: req.uri.trimStart().toLowerCase().startsWith("sips:"),
    early: res.status < 200,
    flow,
  });
}

/** §12.2.2: the CSeq check for a request inside the dialog. Lower than the last one → 500. */
export function acceptRemoteSeq(dialog: DialogState, req: SipRequest): DialogState | DialogError {
  const cseq = parseCSeq(req.headers.get("cseq") ?? "");
  if (!cseq) return { status: 400, reason: "Bad CSeq" };
  if (dialog.remoteSeq !== null && cseq.seq < dialog.remoteSeq) return { status: 500, reason: "CSeq Out of Order" };
  return cseq.seq === dialog.remoteSeq ? dialog : withFields(dialog, { remoteSeq: cseq.seq });
}

/** §12.2.1.2 / §12.2.2: a target refresh request or its 2xx replaces the remote target. */
export function refreshTarget(dialog: DialogState, msg: SipRequest | SipResponse, flow?: SipPeer): DialogState {
  const contact = uriOf(msg.headers.get("contact"));
  const remoteTarget = contact && contact !== dialog.remoteTarget ? own(contact) : undefined;
  const peer = flow === undefined || flow === dialog.flow ? undefined : sharedPeer(flow);
  const newFlow = peer === dialog.flow ? undefined : peer;
  return remoteTarget === undefined && newFlow === undefined ? dialog : withFields(dialog, { ...(remoteTarget !== undefined ? { remoteTarget } : {}), ...(newFlow !== undefined ? { flow: newFlow } : {}) });
}

export function isDialogError(v: DialogState | DialogError): v is DialogError {
  return (v as DialogError).status !== undefined;
}

export interface InDialogOptions {
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
  readonly body?: Uint8Array | string;
  readonly contentType?: string;
  /** ACK and CANCEL reuse the CSeq number of the request they refer to (§13.2.2.4, §9.1). */
  readonly cseq?: number;
}

/**
 * §12.2.1.1: a request within the dialog. Loose routing (first route has `lr`): Request-URI = remote
 * target, Route = route set. Strict routing: Request-URI = first route's URI, Route = the rest plus
 * the remote target. Returns the request and the dialog with its local CSeq advanced.
 */
export function buildInDialogRequest(dialog: DialogState, method: string, opts: InDialogOptions = {}): { request: SipRequest; dialog: DialogState } {
  // §8.1.1.5: an empty local sequence starts at a random value below 2^31 (kept small to leave room).
  const seq = opts.cseq ?? (dialog.localSeq === null ? randomInt(1, 2 ** 30) : dialog.localSeq + 1);
  const headers = createHeaders();
  let uri = dialog.remoteTarget;
  const first = dialog.routeSet[0];
  const firstRoute = first === undefined ? null : parseNameAddr(first);
  const strict = firstRoute !== null && !parseUri(firstRoute.uri)?.params.has("lr");
  if (strict && firstRoute) {
    uri = stripForRequestUri(firstRoute.uri);
    for (const r of dialog.routeSet.slice(1)) headers.append("route", r);
    headers.append("route", `<${dialog.remoteTarget}>`);
  } else {
    for (const r of dialog.routeSet) headers.append("route", r);
  }
  headers.set("max-forwards", "70");
  headers.set("to", taggedNameAddr(dialog.remoteUri, dialog.id.remoteTag));
  headers.set("from", taggedNameAddr(dialog.localUri, dialog.id.localTag));
  headers.set("call-id", dialog.id.callId);
  headers.set("cseq", `${seq} ${method}`);
  if (method !== "ACK" && method !== "CANCEL" && method !== "BYE") headers.set("contact", `<${dialog.localTarget}>`);
  for (const [name, value] of Object.entries(opts.headers ?? {})) headers.set(name, typeof value === "string" ? value : [...value]);
  const body = typeof opts.body === "string" ? bodyBytes(opts.body) : opts.body ?? EMPTY;
  if (opts.contentType && body.length > 0) headers.set("content-type", opts.contentType);
  const request: SipRequest = { kind: "request", version: "SIP/2.0", method, uri, headers, body };
  const advanced = opts.cseq !== undefined || method === "ACK" || method === "CANCEL" ? dialog : withFields(dialog, { localSeq: seq });
  return { request, dialog: advanced };
}

const EMPTY = new Uint8Array(0);
const utf8 = new TextEncoder();
let lastText = "";
let lastBytes = EMPTY;
/**
 * A fan-out sends one shared document to thousands of dialogs: the bytes of the last string body are
 * kept, so it is encoded once rather than once per NOTIFY. The bytes are shared between requests,
 * which is safe because nothing writes into a message body after it is built.
 */
function bodyBytes(text: string): Uint8Array {
  if (text !== lastText) {
    lastBytes = utf8.encode(text);
    lastText = text;
  }
  return lastBytes;
}

/** formatNameAddr's text for `<uri>;tag=…` (no tag: `<uri>`), without a params Map per request. */
function taggedNameAddr(uri: string, tag: string): string {
  return tag ? `<${uri}>;tag=${tag}` : `<${uri}>`;
}

/** §19.1.1 table: method, headers and some params are not allowed in a Request-URI. */
function stripForRequestUri(uri: string): string {
  const q = uri.indexOf("?");
  return (q >= 0 ? uri.slice(0, q) : uri).replace(/;method=[^;]*/i, "");
}

/** The table of live dialogs, keyed by id (a Map: O(1) per in-dialog request). */
export interface DialogTable<T extends { readonly dialog: DialogState }> {
  get(id: DialogId): T | undefined;
  set(entry: T): void;
  delete(id: DialogId): boolean;
  readonly size: number;
  values(): IterableIterator<T>;
}

export function createDialogTable<T extends { readonly dialog: DialogState }>(): DialogTable<T> {
  const map = new Map<string, T>();
  return {
    get: (id) => map.get(dialogKey(id)),
    set: (entry) => { map.set(dialogKey(entry.dialog.id), entry); },
    delete: (id) => map.delete(dialogKey(id)),
    get size() { return map.size; },
    values: () => map.values(),
  };
}

/** The (percent-decoded) user part of a SIP/SIPS URI, for our Contact; undefined without one. */
export function userOf(uri: string): string | undefined {
  // parseUri decodes total-ly: a malformed escape gives null here instead of a thrown URIError.
  const u = parseUri(uri);
  return u !== null && (u.scheme === "sip" || u.scheme === "sips") && u.user !== undefined && u.user !== "" ? u.user : undefined;
}
