// XMPP <show/> ⇄ PIDF <basic> + RPID <activities>. Data only; src/translate/presence-*.ts read it.
// RFC 8048 maps availability (no type ⇄ basic open, type=unavailable ⇄ basic closed) but, as recalled
// (its body was not readable here), standardises no <show/> ⇄ RPID rows: the rows below are this
// gateway's choices, after SylkServer's xmppgateway and interworking.md §2.2, and are documented in
// docs/presence-mapping.md. RPID activity names are RFC 4480 §3.2's enumeration.
import type { XmppShow } from "../src/domain/presence.js";

export interface ShowToRpidRow {
  /** RPID activity elements to emit (RFC 4480 §3.2). */
  readonly activities: readonly string[];
  /** Free text for <rpid:other>, when the XMPP value has no RPID name. */
  readonly other?: string;
  readonly ref: string;
}

/** XMPP → SIP. A plain available presence (no <show/>) emits no activities. */
export const showToRpid = {
  away: { activities: ["away"], ref: "RFC 6121 §4.7.2.1 away = RFC 4480 §3.2 away" },
  // RPID has no "extended away"; <away/> keeps SIP UIs right, the <other> text keeps xa round-trippable.
  xa: { activities: ["away"], other: "extended away", ref: "RFC 6121 xa ⊂ RFC 4480 away; text marks xa" },
  dnd: { activities: ["busy"], ref: "RFC 6121 dnd = RFC 4480 §3.2 busy (SylkServer, interworking.md §2.2)" },
  // RPID activities describe what the person does; "free for chat" is only said as text.
  chat: { activities: [], other: "free for chat", ref: "RFC 6121 chat: no RPID activity; text marks chat" },
} as const satisfies Record<XmppShow, ShowToRpidRow>;

/** Rank when several activities are present: the least available one wins (dnd > xa > away > chat). */
export const SHOW_RANK = { dnd: 4, xa: 3, away: 2, chat: 1 } as const satisfies Record<XmppShow, number>;

/**
 * SIP → XMPP: RPID activity → <show/>. Activities not listed (working, unknown, other texts we do not
 * know, ...) say nothing about reachability and leave the presence plainly available.
 */
export const rpidActivityToShow: Readonly<Record<string, XmppShow>> = {
  // Occupied and should not be disturbed (RFC 4480 §3.2 definitions).
  busy: "dnd",
  "on-the-phone": "dnd",
  meeting: "dnd",
  presentation: "dnd",
  performance: "dnd",
  worship: "dnd",
  steering: "dnd",
  // Gone for a long time.
  vacation: "xa",
  holiday: "xa",
  sleeping: "xa",
  "permanent-absence": "xa",
  travel: "xa",
  // Briefly away from communication.
  away: "away",
  appointment: "away",
  breakfast: "away",
  dinner: "away",
  meal: "away",
  "in-transit": "away",
  shopping: "away",
  playing: "away",
  spectator: "away",
  tv: "away",
};

/** <rpid:other> texts this gateway writes (showToRpid) and reads back, compared case-insensitively. */
export const rpidOtherToShow: Readonly<Record<string, XmppShow>> = {
  "extended away": "xa",
  "free for chat": "chat",
};

/** RFC 4480 §3.12: an idle user (no input for a while) is shown as away when no activity says more. */
export const IDLE_SHOW: XmppShow = "away";
