// XEP-0085 chat states ⇄ RFC 3994 isComposing states. Data only; translate/ reads it.
// RFC 3994 knows two states (§3: active = composing, idle = not composing); XEP-0085 §2 has five.
// Sources: RFC 7573 §7 / interworking.md §2.6 (active ⇄ composing, idle ⇄ paused), XEP-0085 §2.1
// definitions (read from xsf/xeps xep-0085.xml).
import type { ChatState } from "../src/domain/message.js";

export interface ChatStateRow {
  /** isComposing state to send for this XMPP chat state, or null: nothing is sent. */
  readonly toSip: "active" | "idle" | null;
  readonly ref: string;
}

export const chatStateToIsComposing = {
  composing: { toSip: "active", ref: "XEP-0085 §2.1 composing = RFC 3994 §3 active" },
  paused: { toSip: "idle", ref: "XEP-0085 §2.1 paused: was composing, stopped = RFC 3994 idle" },
  // Standalone <active/> ends composition without a message: the peer's indicator must clear.
  active: { toSip: "idle", ref: "XEP-0085 §2.1 active (not composing) = RFC 3994 idle" },
  // Leaving the chat interface while composing also ends composition (interworking.md §2.6 row).
  inactive: { toSip: "idle", ref: "XEP-0085 §2.1 inactive ⊂ not composing = RFC 3994 idle" },
  // gone ends the conversation; session mode maps it to BYE (RFC 7573), page mode has no equivalent.
  gone: { toSip: null, ref: "RFC 7573 gone ⇄ BYE; no page-mode counterpart" },
} as const satisfies Record<ChatState, ChatStateRow>;

export const isComposingToChatState = {
  active: { toXmpp: "composing", ref: "RFC 3994 §3 active = XEP-0085 composing" },
  // idle after activity is XEP-0085 paused; RFC 3994 idle carries no "never typed" distinction.
  idle: { toXmpp: "paused", ref: "RFC 3994 §3 idle = XEP-0085 paused (SylkServer does the same)" },
} as const satisfies Record<"active" | "idle", { readonly toXmpp: ChatState; readonly ref: string }>;

/**
 * XEP-0085 §5.1 suggested triggers (seconds), for callers that time out a composing state the SIP
 * peer never cleared: paused after 30 s, inactive after 2 min, gone after 10 min.
 */
export const XEP0085_SUGGESTED_TIMEOUTS_S = Object.freeze({ paused: 30, inactive: 120, gone: 600 });
