// Compact positional encoding of subscriptions for Redis: JSON arrays without field names and
// without the id (it is the key), about half the bytes of the plain JSON object. The first five
// slots are the index fields the Lua scripts read back (cjson) to unindex a replaced record.
// Decoding validates every slot: Redis is a boundary, another version or a human may have written it.
import { z } from "zod";
import type { SipPeer } from "../sip/message/types.js";
import type { XmppPresenceState } from "../domain/presence.js";
import { storeError } from "./store-error.js";
import { watcherDomain, type DialogSnapshot, type SipSubscriptionState, type Subscription, type XmppAuthorization } from "./store.js";

/** Kind tags as stored (one byte each). */
export const KIND_TAG = { sipWatcher: "s", xmppWatcher: "x" } as const;

const STATES: readonly SipSubscriptionState[] = ["pending", "active", "terminated"];
const AUTHS: readonly XmppAuthorization[] = ["none", "pending", "subscribed"];
const TRANSPORTS: ReadonlySet<string> = new Set(["UDP", "TCP", "TLS", "WS", "WSS"]);

type Json = string | number | boolean | null | Json[];

// Compile-time guard: the positional dialog encoding below lists these fields. If DialogState (owned by
// src/sip/dialog/) gains or loses one, this stops compiling instead of silently dropping data.
type SameKeys<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const dialogFieldsCovered: SameKeys<keyof DialogSnapshot,
  "id" | "localSeq" | "remoteSeq" | "localUri" | "remoteUri" | "localTarget" | "remoteTarget" | "routeSet" | "secure" | "early" | "flow"> = true;
const flowFieldsCovered: SameKeys<keyof SipPeer, "transport" | "address" | "port" | "flow"> = true;
void dialogFieldsCovered;
void flowFieldsCovered;

function encodeDialog(d: DialogSnapshot): Json[] {
  const f = d.flow;
  const flow: Json = f ? (f.flow === undefined ? [f.transport, f.address, f.port] : [f.transport, f.address, f.port, f.flow]) : null;
  return [d.id.callId, d.id.localTag, d.id.remoteTag, d.localSeq, d.remoteSeq, d.localUri, d.remoteUri,
    d.localTarget, d.remoteTarget, [...d.routeSet], d.secure ? 1 : 0, d.early ? 1 : 0, flow];
}

/** The stored string and the index fields the write script needs. */
export interface EncodedSubscription {
  readonly value: string;
  readonly tag: string;
  readonly domain: string;
}

export function encodeSubscription(sub: Subscription): EncodedSubscription {
  const domain = watcherDomain(sub);
  const tag = KIND_TAG[sub.kind];
  const head: Json[] = [tag, sub.watcher, sub.presentity, domain, sub.expiresAt];
  const tail: Json[] = sub.kind === "sipWatcher"
    ? [sub.event, sub.eventId ?? null, STATES.indexOf(sub.state), encodeDialog(sub.dialog)]
    : [sub.generation, AUTHS.indexOf(sub.authorization), sub.retryAfterAt ?? null, sub.dialog ? encodeDialog(sub.dialog) : null];
  return { value: JSON.stringify([...head, ...tail]), tag, domain };
}

const bad = (id: string, what: string): never => { throw storeError("corrupt", `subscription ${id}: ${what}`); };
const str = (v: unknown, id: string, what: string): string => (typeof v === "string" ? v : bad(id, what));
const num = (v: unknown, id: string, what: string): number => (typeof v === "number" && Number.isFinite(v) ? v : bad(id, what));
const seqOrNull = (v: unknown, id: string, what: string): number | null => (v === null ? null : num(v, id, what));

function decodeFlow(v: unknown, id: string): SipPeer | undefined {
  if (v === null) return undefined;
  if (!Array.isArray(v) || v.length < 3) return bad(id, "flow");
  const transport = str(v[0], id, "flow transport");
  if (!TRANSPORTS.has(transport)) return bad(id, "flow transport");
  const peer = { transport: transport as SipPeer["transport"], address: str(v[1], id, "flow address"), port: num(v[2], id, "flow port") };
  return v.length > 3 ? { ...peer, flow: str(v[3], id, "flow token") } : peer;
}

function decodeDialog(v: unknown, id: string): DialogSnapshot {
  if (!Array.isArray(v) || v.length !== 13) return bad(id, "dialog");
  const routes: unknown = v[9];
  if (!Array.isArray(routes)) return bad(id, "route set");
  const flow = decodeFlow(v[12], id);
  const dialog: DialogSnapshot = {
    id: { callId: str(v[0], id, "call-id"), localTag: str(v[1], id, "local tag"), remoteTag: str(v[2], id, "remote tag") },
    localSeq: seqOrNull(v[3], id, "local seq"),
    remoteSeq: seqOrNull(v[4], id, "remote seq"),
    localUri: str(v[5], id, "local uri"),
    remoteUri: str(v[6], id, "remote uri"),
    localTarget: str(v[7], id, "local target"),
    remoteTarget: str(v[8], id, "remote target"),
    routeSet: routes.map((r) => str(r, id, "route")),
    secure: v[10] === 1,
    early: v[11] === 1,
  };
  return flow ? { ...dialog, flow } : dialog;
}

export function decodeSubscription(id: string, raw: string): Subscription {
  let v: unknown;
  try { v = JSON.parse(raw); } catch (e) { throw storeError("corrupt", `subscription ${id}: not JSON`, e); }
  if (!Array.isArray(v) || v.length !== 9) return bad(id, "shape");
  const watcher = str(v[1], id, "watcher");
  const presentity = str(v[2], id, "presentity");
  const expiresAt = num(v[4], id, "expiresAt");
  if (v[0] === KIND_TAG.sipWatcher) {
    const state = STATES[num(v[7], id, "state")] ?? bad(id, "state");
    const base = { kind: "sipWatcher" as const, id, watcher, presentity, event: str(v[5], id, "event"), dialog: decodeDialog(v[8], id), state, expiresAt };
    return v[6] === null ? base : { ...base, eventId: str(v[6], id, "event id") };
  }
  if (v[0] !== KIND_TAG.xmppWatcher) return bad(id, "kind");
  const authorization = AUTHS[num(v[6], id, "authorization")] ?? bad(id, "authorization");
  let sub: Subscription = { kind: "xmppWatcher", id, watcher, presentity, expiresAt, generation: num(v[5], id, "generation"), authorization };
  if (v[7] !== null) sub = { ...sub, retryAfterAt: num(v[7], id, "retryAfterAt") };
  if (v[8] !== null) sub = { ...sub, dialog: decodeDialog(v[8], id) };
  return sub;
}

// Presence states are small and rarely read in bulk, so a zod schema is affordable here.
const presenceStateSchema = z.object({
  resource: z.string(),
  available: z.boolean(),
  show: z.enum(["away", "chat", "dnd", "xa"]).optional(),
  statuses: z.array(z.object({ text: z.string(), lang: z.string().optional() }).strict()),
  priority: z.number().int().optional(),
  caps: z.object({ node: z.string(), ver: z.string(), hash: z.string(), features: z.array(z.string()).optional() }).strict().optional(),
  delay: z.string().optional(),
}).strict();
const presenceStatesSchema = z.array(presenceStateSchema);

export function decodePresenceStates(presentity: string, raw: string): XmppPresenceState[] {
  let v: unknown;
  try { v = JSON.parse(raw); } catch (e) { throw storeError("corrupt", `presence ${presentity}: not JSON`, e); }
  const parsed = presenceStatesSchema.safeParse(v);
  if (!parsed.success) throw storeError("corrupt", `presence ${presentity}: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  return parsed.data;
}
