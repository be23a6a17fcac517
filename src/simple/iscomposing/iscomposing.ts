// application/im-iscomposing+xml (RFC 3994 §5): the "is typing" status message.
// Timer values: RFC 3994 §3.2/§3.3 as summarised from a full reading of the RFC text (the RFC itself
// was only partly readable here): the active-state refresh SHOULD NOT be shorter than 60 s (the RFC's
// examples use 90 s), a receiver without a refresh value falls back to idle after 120 s, and the
// sender's idle timeout defaults to 15 s.
import { create } from "xmlbuilder2";
import { safeParseXml } from "../../xml/safe-parse.js";
import { child, textOf } from "../../xml/element.js";
import type { Result } from "../../domain/message.js";
import { parseRfc3339, formatRfc3339 } from "../cpim/datetime.js";

export const ISCOMPOSING_NS = "urn:ietf:params:xml:ns:im-iscomposing";
export const ISCOMPOSING_CONTENT_TYPE = "application/im-iscomposing+xml";

export const ISCOMPOSING_TIMERS = Object.freeze({
  /** RFC 3994 §3.2: minimum active refresh interval the sender should use, seconds. */
  minRefreshS: 60,
  /** Refresh the gateway advertises when it sends "active" (value used in RFC 3994's examples). */
  defaultRefreshS: 90,
  /** RFC 3994 §3.3: receiver falls back to idle after this long without a refresh value, seconds. */
  receiverDefaultTimeoutS: 120,
  /** RFC 3994 §3.2: sender goes idle after this long without composition activity, seconds. */
  idleTimeoutS: 15,
});

export interface IsComposing {
  readonly state: "active" | "idle";
  readonly lastActive?: Date;
  /** MIME type or top-level type hint of the message being composed (RFC 3994 §5.3). */
  readonly contentType?: string;
  /** Seconds until the receiver may assume idle (RFC 3994 §5.4). */
  readonly refresh?: number;
}

export function parseIsComposing(body: Uint8Array | string): Result<IsComposing, { reason: string }> {
  const doc = safeParseXml(body, { maxBytes: 4096, maxDepth: 4, maxElements: 32 });
  if (!doc.ok) return { ok: false, error: { reason: `isComposing: ${doc.error.reason}` } };
  const root = doc.value;
  if (root.name !== "isComposing" || root.ns !== ISCOMPOSING_NS) {
    return { ok: false, error: { reason: "isComposing: root is not <isComposing> in the RFC 3994 namespace" } };
  }
  const state = textOf(child(root, ISCOMPOSING_NS, "state"));
  // RFC 3994 §5.1 defines only "active" and "idle"; anything else is treated as idle (the safe reading).
  if (state === undefined || state === "") return { ok: false, error: { reason: "isComposing: missing <state>" } };
  const out: { -readonly [K in keyof IsComposing]: IsComposing[K] } = { state: state === "active" ? "active" : "idle" };
  const last = textOf(child(root, ISCOMPOSING_NS, "lastactive"));
  if (last !== undefined) {
    const d = parseRfc3339(last);
    if (d === undefined) return { ok: false, error: { reason: "isComposing: bad <lastactive>" } };
    out.lastActive = d;
  }
  const ct = textOf(child(root, ISCOMPOSING_NS, "contenttype"));
  if (ct !== undefined && ct !== "") out.contentType = ct;
  const refresh = textOf(child(root, ISCOMPOSING_NS, "refresh"));
  if (refresh !== undefined) {
    if (!/^\d{1,6}$/.test(refresh) || Number(refresh) === 0) {
      return { ok: false, error: { reason: "isComposing: <refresh> is not a positive integer" } };
    }
    out.refresh = Number(refresh);
  }
  return { ok: true, value: out };
}

export function buildIsComposing(s: IsComposing): Uint8Array {
  const root = create({ version: "1.0", encoding: "UTF-8" }).ele(ISCOMPOSING_NS, "isComposing");
  root.ele("state").txt(s.state);
  if (s.lastActive !== undefined) root.ele("lastactive").txt(formatRfc3339(s.lastActive));
  if (s.contentType !== undefined) root.ele("contenttype").txt(s.contentType);
  if (s.refresh !== undefined) root.ele("refresh").txt(String(Math.max(1, Math.floor(s.refresh))));
  return new TextEncoder().encode(root.end({ prettyPrint: false }));
}
