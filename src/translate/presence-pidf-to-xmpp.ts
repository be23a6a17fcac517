// One PIDF document → the XMPP presences SIP watchers' XMPP peers see, one per tuple (service).
// RFC 8048 §5.3 (recalled): basic open → available, closed → unavailable; <note/> → <status/>.
// <show/> comes from RPID activities (mappings/presence-show.ts), person-level unless the tuple has its own.
import { qvalueToXmppPriority } from "../../mappings/presence-fields.js";
import { IDLE_SHOW, SHOW_RANK, rpidActivityToShow, rpidOtherToShow } from "../../mappings/presence-show.js";
import type { PresenceStatus, XmppPresenceState, XmppShow } from "../domain/presence.js";
import type { PidfDocument, PidfNote, PidfTuple, RpidEnumeration, RpidUserInput } from "../simple/pidf/model.js";

export interface PidfToXmppOptions {
  /** Opt in to mapping contact priority back to <priority/> (off by default, like the other direction). */
  readonly mapPriority?: boolean;
}

/** The least available <show/> any activity implies (dnd > xa > away > chat), or undefined. */
export function showFromActivities(a: RpidEnumeration): XmppShow | undefined {
  let show: XmppShow | undefined;
  const consider = (s: XmppShow | undefined): void => {
    if (s !== undefined && (show === undefined || SHOW_RANK[s] > SHOW_RANK[show])) show = s;
  };
  for (const v of a.values) consider(rpidActivityToShow[v]);
  for (const o of a.other) consider(rpidOtherToShow[o.trim().toLowerCase()]);
  return show;
}

/**
 * Resource for a tuple: the contact's GRUU `gr` parameter (RFC 5627 §4, what this gateway writes),
 * else the tuple id, which is unique in the document (a dm:deviceID is not: one device may offer
 * several services).
 */
export function resourceForTuple(t: PidfTuple): string {
  const uri = t.contact?.uri;
  if (uri !== undefined && /^sips?:/i.test(uri)) {
    const m = /;gr=([^;?>]*)/i.exec(uri);
    if (m?.[1] !== undefined && m[1] !== "") {
      try {
        return decodeURIComponent(m[1]);
      } catch {
        return m[1];
      }
    }
  }
  return t.id;
}

function statusesOf(notes: readonly PidfNote[]): PresenceStatus[] {
  // RFC 6121 §4.7.2.2: at most one <status/> per xml:lang; the first note in a language wins.
  const seen = new Set<string>();
  const out: PresenceStatus[] = [];
  for (const n of notes) {
    const key = n.lang ?? "";
    if (seen.has(key) || n.text === "") continue;
    seen.add(key);
    out.push(n.lang === undefined ? { text: n.text } : { text: n.text, lang: n.lang });
  }
  return out;
}

export function pidfToXmppPresences(doc: PidfDocument, opts: PidfToXmppOptions = {}): XmppPresenceState[] {
  const person = doc.persons[0];
  const byDevice = new Map<string, RpidUserInput>();
  for (const d of doc.devices) if (d.deviceId !== undefined && d.rpid.userInput) byDevice.set(d.deviceId, d.rpid.userInput);
  // Person/document notes stand in for tuple notes only when no tuple has its own: a document that
  // annotates some tuples has said what the others' notes are (none).
  const tupleNotes = doc.tuples.some((t) => t.notes.length > 0);
  const fallbackNotes = tupleNotes ? [] : person !== undefined && person.notes.length > 0 ? person.notes : doc.notes;
  const out: XmppPresenceState[] = [];
  const seen = new Set<string>();
  for (const t of doc.tuples) {
    // A tuple without <basic> says nothing about availability (RFC 3863 §4.1.4 makes it optional).
    if (t.status.basic === undefined) continue;
    const resource = resourceForTuple(t);
    if (seen.has(resource)) continue;
    seen.add(resource);
    const available = t.status.basic === "open";
    const state: { -readonly [K in keyof XmppPresenceState]: XmppPresenceState[K] } = { resource, available, statuses: [] };
    if (available) {
      const activities = t.rpid.activities ?? person?.rpid.activities;
      let show = activities === undefined ? undefined : showFromActivities(activities);
      const input = t.rpid.userInput ?? (t.deviceId === undefined ? undefined : byDevice.get(t.deviceId)) ?? person?.rpid.userInput;
      if (show === undefined && input?.value === "idle") show = IDLE_SHOW;
      if (show !== undefined) state.show = show;
    }
    state.statuses = statusesOf(t.notes.length > 0 ? t.notes : fallbackNotes);
    if (opts.mapPriority && t.contact?.priority !== undefined) state.priority = qvalueToXmppPriority(t.contact.priority);
    if (t.timestamp !== undefined) state.delay = t.timestamp;
    out.push(state);
  }
  return out;
}
