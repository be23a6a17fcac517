// PidfDocument → application/pidf+xml, built with xmlbuilder2 (escaping and namespaces are the
// builder's job, never string templates). Child order follows the schemas: RFC 3863 §4 (tuple:
// status, extensions, contact, note*, timestamp; presence: tuple*, note*, extensions) and RFC 4479 §6
// (person/device: extensions, deviceID, note*, timestamp).
import { create } from "xmlbuilder2";
import type { XMLBuilder } from "xmlbuilder2/lib/interfaces.js";
import { XML_NS, type XmlElement } from "../../xml/element.js";
import {
  CAPS_FLAGS, CAPS_NS, CAPS_SETS, CIPID_NS, DM_NS, PIDF_NS, RPID_NS,
  type Cipid, type PidfDocument, type PidfNote, type Rpid, type RpidEnumeration, type ServCaps,
} from "./model.js";

const XMLNS_NS = "http://www.w3.org/2000/xmlns/";
/** RFC 4589 location types, the vocabulary of RPID <place-type>. */
const LT_NS = "urn:ietf:params:xml:ns:location-type";
const CIPID_ORDER: readonly [keyof Cipid, string][] = [
  ["card", "card"], ["displayName", "display-name"], ["homepage", "homepage"], ["icon", "icon"], ["map", "map"], ["sound", "sound"],
];

function notes(parent: XMLBuilder, ns: string, qname: string, list: readonly PidfNote[]): void {
  for (const n of list) {
    const el = parent.ele(ns, qname);
    if (n.lang !== undefined) el.att(XML_NS, "xml:lang", n.lang);
    el.txt(n.text);
  }
}

function enumeration(parent: XMLBuilder, name: string, e: RpidEnumeration): void {
  const el = parent.ele(RPID_NS, `rpid:${name}`);
  if (e.id !== undefined) el.att("id", e.id);
  if (e.from !== undefined) el.att("from", e.from);
  if (e.until !== undefined) el.att("until", e.until);
  notes(el, RPID_NS, "rpid:note", e.notes);
  for (const v of e.values) {
    if (name === "place-type") el.ele(LT_NS, `lt:${v}`);
    else el.ele(RPID_NS, `rpid:${v}`);
  }
  for (const o of e.other) el.ele(RPID_NS, "rpid:other").txt(o);
}

/** A choice element: known names become empty children, anything else goes into <other>. */
function choice(parent: XMLBuilder, name: string, value: string, known: readonly string[]): void {
  const el = parent.ele(RPID_NS, `rpid:${name}`);
  if (known.includes(value)) el.ele(RPID_NS, `rpid:${value}`);
  else el.ele(RPID_NS, "rpid:other").txt(value);
}

const RELATIONSHIPS = ["assistant", "associate", "family", "friend", "self", "supervisor", "unknown"];
const SERVICE_CLASSES = ["courier", "electronic", "freight", "in-person", "postal", "unknown"];

function rpid(parent: XMLBuilder, r: Rpid): void {
  if (r.activities) enumeration(parent, "activities", r.activities);
  if (r.class !== undefined) parent.ele(RPID_NS, "rpid:class").txt(r.class);
  if (r.mood) enumeration(parent, "mood", r.mood);
  if (r.placeIs) {
    const el = parent.ele(RPID_NS, "rpid:place-is");
    for (const medium of ["audio", "video", "text"] as const) {
      const v = r.placeIs[medium];
      if (v !== undefined) el.ele(RPID_NS, `rpid:${medium}`).ele(RPID_NS, `rpid:${v}`);
    }
  }
  if (r.placeType) enumeration(parent, "place-type", r.placeType);
  if (r.privacy) enumeration(parent, "privacy", r.privacy);
  if (r.relationship !== undefined) choice(parent, "relationship", r.relationship, RELATIONSHIPS);
  if (r.serviceClass !== undefined) choice(parent, "service-class", r.serviceClass, SERVICE_CLASSES);
  if (r.sphere !== undefined) parent.ele(RPID_NS, "rpid:sphere").txt(r.sphere);
  if (r.statusIcon !== undefined) parent.ele(RPID_NS, "rpid:status-icon").txt(r.statusIcon);
  if (r.timeOffset) {
    const el = parent.ele(RPID_NS, "rpid:time-offset");
    if (r.timeOffset.description !== undefined) el.att("description", r.timeOffset.description);
    el.txt(String(r.timeOffset.minutes));
  }
  if (r.userInput) {
    const el = parent.ele(RPID_NS, "rpid:user-input");
    if (r.userInput.idleThreshold !== undefined) el.att("idle-threshold", String(r.userInput.idleThreshold));
    if (r.userInput.lastInput !== undefined) el.att("last-input", r.userInput.lastInput);
    el.txt(r.userInput.value);
  }
}

function cipid(parent: XMLBuilder, c: Cipid): void {
  for (const [field, name] of CIPID_ORDER) {
    const v = c[field];
    if (v !== undefined) parent.ele(CIPID_NS, `c:${name}`).txt(v);
  }
}

function servcaps(parent: XMLBuilder, s: ServCaps): void {
  const el = parent.ele(CAPS_NS, "caps:servcaps");
  for (const f of CAPS_FLAGS) {
    const v = s.flags[f];
    if (v !== undefined) el.ele(CAPS_NS, `caps:${f}`).txt(String(v));
  }
  for (const t of s.types) el.ele(CAPS_NS, "caps:type").txt(t);
  for (const name of CAPS_SETS) {
    const set = s.sets[name];
    if (set === undefined) continue;
    const setEl = el.ele(CAPS_NS, `caps:${name}`);
    for (const [group, values] of [["supported", set.supported], ["notsupported", set.notsupported]] as const) {
      if (values.length === 0) continue;
      const g = setEl.ele(CAPS_NS, `caps:${group}`);
      // Values that are valid element names are written as empty elements (<caps:MESSAGE/>), the
      // RFC 5196 shape for every set except languages, whose values are text in <caps:l>.
      for (const v of values) {
        if (name === "languages") g.ele(CAPS_NS, "caps:l").txt(v);
        else g.ele(CAPS_NS, `caps:${v}`);
      }
    }
  }
  if (s.description !== undefined) el.ele(CAPS_NS, "caps:description").txt(s.description);
}

/** Re-serialises an element kept from a parsed document (unknown extension). */
function extension(parent: XMLBuilder, el: XmlElement): void {
  const qname = el.prefix !== undefined ? `${el.prefix}:${el.name}` : el.name;
  const out = el.ns === "" ? parent.ele(qname) : parent.ele(el.ns, qname);
  let generated = 0;
  for (const [key, value] of el.attrs) {
    const m = /^\{(.*)\}(.*)$/.exec(key);
    if (m === null) out.att(key, value);
    else if (m[1] === XML_NS) out.att(XML_NS, `xml:${m[2]}`, value);
    else out.att(m[1] ?? "", `ns${generated++}:${m[2]}`, value);
  }
  if (el.children.length === 0) out.txt(el.text);
  else {
    if (el.text.trim() !== "") out.txt(el.text.trim());
    for (const c of el.children) extension(out, c);
  }
}

export function buildPidf(doc: PidfDocument): string {
  const root = create({ version: "1.0", encoding: "UTF-8" }).ele(PIDF_NS, "presence");
  const hasRpid = (r: Rpid): boolean => Object.keys(r).length > 0;
  const usesDm = doc.persons.length > 0 || doc.devices.length > 0 || doc.tuples.some((t) => t.deviceId !== undefined);
  const usesRpid = doc.persons.some((p) => hasRpid(p.rpid)) || doc.devices.some((d) => hasRpid(d.rpid)) || doc.tuples.some((t) => hasRpid(t.rpid));
  const usesCipid = [...doc.persons, ...doc.tuples].some((x) => Object.keys(x.cipid).length > 0);
  if (usesDm) root.att(XMLNS_NS, "xmlns:dm", DM_NS);
  if (usesRpid) root.att(XMLNS_NS, "xmlns:rpid", RPID_NS);
  if (usesCipid) root.att(XMLNS_NS, "xmlns:c", CIPID_NS);
  if (doc.tuples.some((t) => t.servcaps !== undefined)) root.att(XMLNS_NS, "xmlns:caps", CAPS_NS);
  if (doc.entity !== undefined) root.att("entity", doc.entity);

  for (const t of doc.tuples) {
    const tuple = root.ele(PIDF_NS, "tuple", { id: t.id });
    const status = tuple.ele(PIDF_NS, "status");
    if (t.status.basic !== undefined) status.ele(PIDF_NS, "basic").txt(t.status.basic);
    for (const x of t.status.extensions) extension(status, x);
    if (t.deviceId !== undefined) tuple.ele(DM_NS, "dm:deviceID").txt(t.deviceId);
    rpid(tuple, t.rpid);
    cipid(tuple, t.cipid);
    if (t.servcaps) servcaps(tuple, t.servcaps);
    for (const x of t.extensions) extension(tuple, x);
    if (t.contact) {
      const c = tuple.ele(PIDF_NS, "contact");
      if (t.contact.priority !== undefined) c.att("priority", String(t.contact.priority));
      c.txt(t.contact.uri);
    }
    notes(tuple, PIDF_NS, "note", t.notes);
    if (t.timestamp !== undefined) tuple.ele(PIDF_NS, "timestamp").txt(t.timestamp);
  }
  notes(root, PIDF_NS, "note", doc.notes);
  for (const p of doc.persons) {
    const person = root.ele(DM_NS, "dm:person", { id: p.id });
    rpid(person, p.rpid);
    cipid(person, p.cipid);
    for (const x of p.extensions) extension(person, x);
    notes(person, DM_NS, "dm:note", p.notes);
    if (p.timestamp !== undefined) person.ele(DM_NS, "dm:timestamp").txt(p.timestamp);
  }
  for (const d of doc.devices) {
    const device = root.ele(DM_NS, "dm:device", { id: d.id });
    rpid(device, d.rpid);
    for (const x of d.extensions) extension(device, x);
    if (d.deviceId !== undefined) device.ele(DM_NS, "dm:deviceID").txt(d.deviceId);
    notes(device, DM_NS, "dm:note", d.notes);
    if (d.timestamp !== undefined) device.ele(DM_NS, "dm:timestamp").txt(d.timestamp);
  }
  for (const x of doc.extensions) extension(root, x);
  return root.end({ prettyPrint: true });
}
