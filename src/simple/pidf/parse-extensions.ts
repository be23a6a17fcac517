// Readers for the PIDF extensions the gateway understands: RPID (RFC 4480), CIPID (RFC 4482) and
// service capabilities (RFC 5196). Extension values are read leniently: a value that does not fit its
// schema type is dropped with a warning instead of failing the whole document, because RFC 3863 §4.3
// lets a watcher ignore what it cannot use and only <basic> decides availability.
import { attr, textOf, type XmlElement } from "../../xml/element.js";
import {
  CAPS_FLAGS, CAPS_NS, CAPS_SETS, CIPID_NS, RPID_NS,
  type CapsFlag, type CapsSet, type CapsSetName, type Cipid, type PidfNote, type Rpid,
  type RpidEnumeration, type RpidPlaceIs, type ServCaps,
} from "./model.js";

export type Warn = (message: string) => void;

const FLAG_SET: ReadonlySet<string> = new Set(CAPS_FLAGS);
const SET_SET: ReadonlySet<string> = new Set(CAPS_SETS);
const CIPID_FIELDS: Readonly<Record<string, keyof Cipid>> = {
  "display-name": "displayName", card: "card", homepage: "homepage", icon: "icon", map: "map", sound: "sound",
};
// XML Schema dateTime (RFC 3339 profile), which every PIDF timestamp uses (RFC 3863 §4.1.7).
const DATE_TIME = /^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

export function isDateTime(s: string): boolean {
  return DATE_TIME.test(s) && !Number.isNaN(Date.parse(s.startsWith("-") ? "" : s));
}

/** A note element (pidf:note, dm:note, rpid:note all share the Note_t shape). */
export function readNote(el: XmlElement): PidfNote {
  const text = textOf(el) ?? "";
  // xml:lang is inherited (XML 1.0 §2.12), so a note without its own attribute takes the document's.
  return el.lang === undefined ? { text } : { text, lang: el.lang };
}

export function readTimestamp(el: XmlElement, warn: Warn): string | undefined {
  const t = textOf(el) ?? "";
  if (isDateTime(t)) return t;
  warn(`ignored <${el.name}> "${t.slice(0, 40)}": not an xs:dateTime`);
  return undefined;
}

function readEnumeration(el: XmlElement, warn: Warn): RpidEnumeration {
  const values: string[] = [];
  const other: string[] = [];
  const notes: PidfNote[] = [];
  for (const c of el.children) {
    if (c.ns !== RPID_NS && c.ns !== "") {
      // place-type values live in the location-type registry namespace (RFC 4589), e.g. lt:residence.
      if (el.name === "place-type") values.push(c.name);
      continue;
    }
    if (c.name === "note") notes.push(readNote(c));
    else if (c.name === "other") other.push(textOf(c) ?? "");
    else values.push(c.name);
  }
  const out: { -readonly [K in keyof RpidEnumeration]: RpidEnumeration[K] } = { values, other, notes };
  const id = attr(el, "id");
  const from = attr(el, "from");
  const until = attr(el, "until");
  if (id !== undefined) out.id = id;
  for (const [k, v] of [["from", from], ["until", until]] as const) {
    if (v === undefined) continue;
    if (isDateTime(v)) out[k] = v;
    else warn(`ignored ${k}="${v}" on <${el.name}>: not an xs:dateTime`);
  }
  return out;
}

/** Name of the first RPID child, or the text of an <other> child, or the element's own text. */
function choiceOf(el: XmlElement): string | undefined {
  for (const c of el.children) {
    if (c.ns !== RPID_NS) continue;
    if (c.name === "note") continue;
    return c.name === "other" ? (textOf(c) ?? "") : c.name;
  }
  const t = textOf(el);
  return t === "" ? undefined : t;
}

function readPlaceIs(el: XmlElement): RpidPlaceIs {
  const out: { -readonly [K in keyof RpidPlaceIs]: string } = {};
  for (const c of el.children) {
    if (c.ns !== RPID_NS || (c.name !== "audio" && c.name !== "video" && c.name !== "text")) continue;
    const v = choiceOf(c);
    if (v !== undefined) out[c.name] = v;
  }
  return out;
}

type MutableRpid = { -readonly [K in keyof Rpid]: Rpid[K] };

/** Folds one RPID element into `into`; returns false when the element is not an RPID one we read. */
export function readRpidElement(el: XmlElement, into: MutableRpid, warn: Warn): boolean {
  switch (el.name) {
    case "activities": into.activities = readEnumeration(el, warn); return true;
    case "mood": into.mood = readEnumeration(el, warn); return true;
    case "place-type": into.placeType = readEnumeration(el, warn); return true;
    case "privacy": into.privacy = readEnumeration(el, warn); return true;
    case "place-is": into.placeIs = readPlaceIs(el); return true;
    case "sphere": { const v = choiceOf(el); if (v !== undefined) into.sphere = v; return true; }
    case "class": into.class = textOf(el) ?? ""; return true;
    case "relationship": { const v = choiceOf(el); if (v !== undefined) into.relationship = v; return true; }
    case "service-class": { const v = choiceOf(el); if (v !== undefined) into.serviceClass = v; return true; }
    case "status-icon": into.statusIcon = textOf(el) ?? ""; return true;
    case "time-offset": {
      const raw = textOf(el) ?? "";
      const minutes = Number(raw);
      if (!/^[+-]?\d+$/.test(raw) || !Number.isSafeInteger(minutes)) {
        warn(`ignored <time-offset> "${raw}": not an integer`);
        return true;
      }
      const description = attr(el, "description");
      into.timeOffset = description === undefined ? { minutes } : { minutes, description };
      return true;
    }
    case "user-input": {
      const value = textOf(el);
      if (value !== "active" && value !== "idle") {
        warn(`ignored <user-input> "${value ?? ""}": neither active nor idle`);
        return true;
      }
      const ui: { value: "active" | "idle"; idleThreshold?: number; lastInput?: string } = { value };
      const threshold = attr(el, "idle-threshold");
      if (threshold !== undefined && /^\d+$/.test(threshold)) ui.idleThreshold = Number(threshold);
      const last = attr(el, "last-input");
      if (last !== undefined && isDateTime(last)) ui.lastInput = last;
      into.userInput = ui;
      return true;
    }
    default:
      return false;
  }
}

export function readCipidElement(el: XmlElement, into: { -readonly [K in keyof Cipid]: string }): boolean {
  const field = CIPID_FIELDS[el.name];
  if (el.ns !== CIPID_NS || field === undefined) return false;
  into[field] = textOf(el) ?? "";
  return true;
}

function readBoolean(el: XmlElement, warn: Warn): boolean | undefined {
  const t = textOf(el);
  if (t === "true" || t === "1") return true;
  if (t === "false" || t === "0") return false;
  warn(`ignored <caps:${el.name}> "${t ?? ""}": not an xs:boolean`);
  return undefined;
}

function readSet(el: XmlElement): CapsSet {
  const pick = (name: string): string[] => {
    const out: string[] = [];
    for (const group of el.children) {
      if (group.ns !== CAPS_NS || group.name !== name) continue;
      // Entries are either empty elements named after the value (<caps:MESSAGE/>) or carry it as text.
      for (const v of group.children) out.push(v.children.length === 0 && v.text.trim() !== "" ? v.text.trim() : v.name);
    }
    return out;
  };
  return { supported: pick("supported"), notsupported: pick("notsupported") };
}

export function readServCaps(el: XmlElement, warn: Warn): ServCaps {
  const flags: Partial<Record<CapsFlag, boolean>> = {};
  const types: string[] = [];
  const sets: Partial<Record<CapsSetName, CapsSet>> = {};
  let description: string | undefined;
  for (const c of el.children) {
    if (c.ns !== CAPS_NS) continue;
    if (FLAG_SET.has(c.name)) {
      const b = readBoolean(c, warn);
      if (b !== undefined) flags[c.name as CapsFlag] = b;
    } else if (SET_SET.has(c.name)) {
      sets[c.name as CapsSetName] = readSet(c);
    } else if (c.name === "type") {
      types.push(textOf(c) ?? "");
    } else if (c.name === "description") {
      description = textOf(c);
    }
  }
  return description === undefined ? { flags, types, sets } : { flags, types, sets, description };
}
