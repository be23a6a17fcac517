// XMPP presences of one bare JID (all its resources) → one PIDF document for SIP watchers.
// RFC 8048 §5.2 (recalled): one tuple per resource; no type → open, unavailable → closed; <status/> →
// <note/>. RPID/caps rows come from mappings/presence-show.ts and mappings/presence-caps.ts.
import { createHash } from "node:crypto";
import { ALWAYS_WITH_CAPS, featureToServcap } from "../../mappings/presence-caps.js";
import { xmppPriorityToQvalue } from "../../mappings/presence-fields.js";
import { SHOW_RANK, showToRpid } from "../../mappings/presence-show.js";
import type { XmppPresenceState, XmppShow } from "../domain/presence.js";
import type { CapsFlag, PidfDocument, PidfNote, PidfPerson, PidfTuple, Rpid, RpidEnumeration, ServCaps } from "../simple/pidf/model.js";

export interface XmppToPidfOptions {
  /** SIP AOR the presentity is reachable at through the gateway, e.g. "sip:juliet@example.com". */
  readonly sipAor: string;
  /** Opt in to RFC 8048's optional priority scaling (see mappings/presence-fields.ts); off by default. */
  readonly mapPriority?: boolean;
}

/** xs:ID-safe (NCName) and stable: the same resource always yields the same tuple id. */
export function tupleIdFor(resource: string): string {
  return `t${createHash("sha256").update(resource, "utf8").digest("hex").slice(0, 16)}`;
}

/** RFC 3261 §25.1 pvalue: escape everything outside unreserved / param-unreserved. */
export function grValue(resource: string): string {
  return encodeURIComponent(resource).replace(/%5B|%5D|%2F|%3A|%26|%2B|%24/gi, (m) => decodeURIComponent(m));
}

/** Lower is more available: chat (0) < none (1) < away (2) < xa (3) < dnd (4). */
const rank = (s: XmppPresenceState): number => (s.show === undefined ? 1 : s.show === "chat" ? 0 : SHOW_RANK[s.show]);

/**
 * The resource whose state speaks for the person: highest priority first (RFC 6121 §8.5.2.1.1 routes
 * bare-JID messages there), then the most available <show/>, then the resource name, for determinism.
 */
export function bestResource(resources: readonly XmppPresenceState[]): XmppPresenceState | undefined {
  let best: XmppPresenceState | undefined;
  for (const r of resources) {
    if (!r.available) continue;
    if (best === undefined) { best = r; continue; }
    const dp = (r.priority ?? 0) - (best.priority ?? 0);
    const dr = rank(best) - rank(r);
    if (dp > 0 || (dp === 0 && (dr > 0 || (dr === 0 && r.resource < best.resource)))) best = r;
  }
  return best;
}

function activitiesFor(show: XmppShow | undefined): RpidEnumeration {
  if (show === undefined) return { values: [], other: [], notes: [] };
  const row = showToRpid[show];
  return { values: row.activities, other: "other" in row ? [row.other] : [], notes: [] };
}

function servcapsFor(s: XmppPresenceState): ServCaps | undefined {
  const features = s.caps?.features;
  if (features === undefined) return undefined;
  const flags: Partial<Record<CapsFlag, boolean>> = {};
  for (const f of ALWAYS_WITH_CAPS) flags[f] = true;
  for (const f of features) {
    const row = featureToServcap[f];
    if (row !== undefined) flags[row.flag] = true;
  }
  return { flags, types: [], sets: {} };
}

const notesOf = (s: XmppPresenceState): PidfNote[] => s.statuses.map((st) => (st.lang === undefined ? { text: st.text } : { text: st.text, lang: st.lang }));

function tupleFor(s: XmppPresenceState, person: XmppPresenceState | undefined, opts: XmppToPidfOptions): PidfTuple {
  const rpid: { activities?: RpidEnumeration } = {};
  // Person-level activities apply to every tuple; a resource whose <show/> differs says so itself,
  // with an empty <activities/> when it is plainly available (RFC 4479 §3.4 composition is the watcher's).
  if (s.available && person !== undefined && s.show !== person.show) rpid.activities = activitiesFor(s.show);
  const priority = opts.mapPriority && s.priority !== undefined ? xmppPriorityToQvalue(s.priority) : undefined;
  const uri = `${opts.sipAor};gr=${grValue(s.resource)}`;
  const tuple: { -readonly [K in keyof PidfTuple]: PidfTuple[K] } = {
    id: tupleIdFor(s.resource),
    status: { basic: s.available ? "open" : "closed", extensions: [] },
    contact: priority === undefined ? { uri } : { uri, priority },
    notes: notesOf(s),
    rpid: rpid as Rpid,
    cipid: {},
    extensions: [],
  };
  if (s.delay !== undefined) tuple.timestamp = s.delay;
  const caps = s.available ? servcapsFor(s) : undefined;
  if (caps !== undefined) tuple.servcaps = caps;
  return tuple;
}

/**
 * @param presentity bare JID "user@domain" of the XMPP user; the entity becomes pres:user@domain.
 * @param resources every known resource of that user, unavailable ones included (they become closed
 *   tuples, so SIP watchers learn that the device left). An empty list yields one closed tuple.
 */
export function xmppPresencesToPidf(presentity: string, resources: readonly XmppPresenceState[], opts: XmppToPidfOptions): PidfDocument {
  const entity = `pres:${presentity}`;
  if (resources.length === 0) {
    const closed: PidfTuple = { id: tupleIdFor(""), status: { basic: "closed", extensions: [] }, notes: [], rpid: {}, cipid: {}, extensions: [] };
    return { entity, tuples: [closed], persons: [], devices: [], notes: [], extensions: [] };
  }
  const best = bestResource(resources);
  const tuples = resources.map((r) => tupleFor(r, best, opts));
  const persons: PidfPerson[] = [];
  if (best !== undefined) {
    const activities = activitiesFor(best.show);
    const rpid: Rpid = activities.values.length + activities.other.length > 0 ? { activities } : {};
    persons.push({ id: `p${tupleIdFor(presentity).slice(1)}`, rpid, cipid: {}, notes: notesOf(best), extensions: [] });
  }
  return { entity, tuples, persons, devices: [], notes: [], extensions: [] };
}
