// RFC 6665 header views: Event (§8.2.1), Subscription-State (§8.2.3 / §4.1.3), Expires, Allow-Events.
import { parseParams } from "../message/params.js";

export interface EventHeader {
  /** Package name, lowercased (tokens compare case-insensitively, RFC 6665 §8.2.1). */
  readonly name: string;
  /** The `id` parameter distinguishing several subscriptions in one dialog (RFC 6665 §4.4.1). */
  readonly id?: string;
}

export type SubscriptionStateValue = "active" | "pending" | "terminated";

/** RFC 6665 §4.1.3 reason codes (others are carried as written). */
export type TerminationReason =
  | "deactivated" | "probation" | "rejected" | "timeout" | "giveup" | "noresource" | "invariant" | (string & {});

export interface SubscriptionStateHeader {
  readonly state: SubscriptionStateValue | (string & {});
  readonly reason?: TerminationReason;
  /** Seconds. */
  readonly expires?: number;
  /** Seconds. */
  readonly retryAfter?: number;
}

export function parseEvent(value: string | undefined): EventHeader | undefined {
  if (!value) return undefined;
  const semi = value.indexOf(";");
  const name = (semi < 0 ? value : value.slice(0, semi)).trim().toLowerCase();
  if (!name) return undefined;
  const params = semi < 0 ? undefined : parseParams(value.slice(semi));
  const id = params?.get("id");
  return id ? { name, id } : { name };
}

export function formatEvent(e: EventHeader): string {
  return e.id ? `${e.name};id=${e.id}` : e.name;
}

/** Same subscription identity: package and id (RFC 6665 §4.4.1). */
export function sameEvent(a: EventHeader, b: EventHeader): boolean {
  return a.name === b.name && (a.id ?? "") === (b.id ?? "");
}

function seconds(v: string | null | undefined): number | undefined {
  if (v === undefined || v === null || !/^\d{1,10}$/.test(v.trim())) return undefined;
  return Number(v.trim());
}

export function parseSubscriptionState(value: string | undefined): SubscriptionStateHeader | undefined {
  if (!value) return undefined;
  const semi = value.indexOf(";");
  const state = (semi < 0 ? value : value.slice(0, semi)).trim().toLowerCase();
  if (!state) return undefined;
  const params = semi < 0 ? new Map<string, string | null>() : parseParams(value.slice(semi)) ?? new Map<string, string | null>();
  const reason = params.get("reason")?.toLowerCase();
  const expires = seconds(params.get("expires"));
  const retryAfter = seconds(params.get("retry-after"));
  return {
    state,
    ...(reason ? { reason } : {}),
    ...(expires !== undefined ? { expires } : {}),
    ...(retryAfter !== undefined ? { retryAfter } : {}),
  };
}

export function formatSubscriptionState(s: SubscriptionStateHeader): string {
  let out = s.state;
  if (s.reason) out += `;reason=${s.reason}`;
  // RFC 6665 §4.2.2: expires goes with active/pending; retry-after only makes sense once terminated.
  if (s.expires !== undefined && s.state !== "terminated") out += `;expires=${s.expires}`;
  if (s.retryAfter !== undefined && s.state === "terminated") out += `;retry-after=${s.retryAfter}`;
  return out;
}

/** Expires header as delta-seconds (RFC 3261 §20.19); undefined when absent or malformed. */
export function parseExpires(value: string | undefined): number | undefined {
  return seconds(value);
}
