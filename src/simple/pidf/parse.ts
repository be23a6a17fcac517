// application/pidf+xml (and the legacy label application/cpim-pidf+xml) → PidfDocument.
// Core PIDF rules (RFC 3863 §4) are enforced and fail with a SIP status and a precise reason;
// extension values are read leniently (see parse-extensions.ts). Never throws.
import { attr, child, textOf, type XmlElement } from "../../xml/element.js";
import { safeParseXml, type XmlLimits } from "../../xml/safe-parse.js";
import type { PidfError } from "./errors.js";
import { checkMediaType, pidfError } from "./errors.js";
import {
  CAPS_NS, CIPID_NS, DM_NS, PIDF_NS, RPID_NS,
  type Cipid, type PidfContact, type PidfDevice, type PidfDocument, type PidfNote, type PidfPerson,
  type PidfStatus, type PidfTuple, type Rpid, type ServCaps,
} from "./model.js";
import { readCipidElement, readNote, readRpidElement, readServCaps, readTimestamp, type Warn } from "./parse-extensions.js";

export type PidfResult =
  | { readonly ok: true; readonly value: PidfDocument; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly error: PidfError };

export interface ParsePidfOptions {
  /** The body's Content-Type header value; when given it must name a PIDF media type in UTF-8. */
  readonly contentType?: string;
  readonly limits?: Partial<XmlLimits>;
}

/** Namespaces whose elements this parser interprets (for RFC 3863 mustUnderstand). */
const UNDERSTOOD: ReadonlySet<string> = new Set([PIDF_NS, DM_NS, RPID_NS, CIPID_NS, CAPS_NS]);
const MUST_UNDERSTAND = `{${PIDF_NS}}mustUnderstand`;
// RFC 3863 §4.1.5: qvalue = ("0" ["." 0*3DIGIT]) / ("1" ["." 0*3("0")]); peers send "1.00" and
// "0.500000" too, so any decimal in [0, 1] is accepted.
const DECIMAL = /^\d+(\.\d+)?$/;

class Invalid {
  constructor(readonly error: PidfError) {}
}

function invalid(reason: string): never {
  throw new Invalid(pidfError("invalid", reason));
}

/** RFC 3863 §4.3 (recalled): an element marked mustUnderstand="true" that the recipient does not understand makes the document unusable. */
function checkMustUnderstand(el: XmlElement): void {
  const mu = el.attrs.get(MUST_UNDERSTAND);
  if ((mu === "true" || mu === "1") && !UNDERSTOOD.has(el.ns)) {
    throw new Invalid(pidfError("must-understand", `<${el.prefix ? `${el.prefix}:` : ""}${el.name}> in ${el.ns} is marked mustUnderstand and is not understood`));
  }
  for (const c of el.children) checkMustUnderstand(c);
}

function requiredId(el: XmlElement, what: string, seen: Set<string>): string {
  const id = attr(el, "id");
  if (id === undefined || id.trim() === "") invalid(`<${what}> without an id attribute`);
  // RFC 3863 §4.1.2 / RFC 4479 §4: ids are xs:ID, unique within the document.
  if (seen.has(id)) invalid(`duplicate id "${id}" on <${what}>`);
  seen.add(id);
  return id;
}

function readContact(el: XmlElement, warn: Warn): PidfContact {
  const uri = textOf(el) ?? "";
  if (uri === "") invalid("empty <contact>");
  const p = attr(el, "priority");
  if (p === undefined) return { uri };
  const n = Number(p);
  if (!DECIMAL.test(p.trim()) || n > 1) {
    warn(`ignored contact priority "${p}": not a qvalue in [0, 1]`);
    return { uri };
  }
  return { uri, priority: n };
}

function readStatus(el: XmlElement, tupleId: string): PidfStatus {
  let basic: PidfStatus["basic"];
  const extensions: XmlElement[] = [];
  for (const c of el.children) {
    if (c.ns === PIDF_NS && c.name === "basic") {
      const v = textOf(c);
      if (v !== "open" && v !== "closed") invalid(`tuple "${tupleId}": <basic> is "${v ?? ""}", expected open or closed`);
      basic = v;
    } else {
      extensions.push(c);
    }
  }
  return basic === undefined ? { extensions } : { basic, extensions };
}

interface Common {
  rpid: { -readonly [K in keyof Rpid]: Rpid[K] };
  cipid: { -readonly [K in keyof Cipid]: string };
  notes: PidfNote[];
  timestamp?: string;
  extensions: XmlElement[];
}

/** Reads children shared by tuple, person and device; returns the ones left for the caller. */
function readCommon(el: XmlElement, noteNs: string, warn: Warn, rest: (c: XmlElement, into: Common) => boolean): Common {
  const into: Common = { rpid: {}, cipid: {}, notes: [], extensions: [] };
  for (const c of el.children) {
    if (c.ns === noteNs && c.name === "note") into.notes.push(readNote(c));
    else if (c.ns === noteNs && c.name === "timestamp") {
      const t = readTimestamp(c, warn);
      if (t !== undefined) into.timestamp = t;
    } else if (c.ns === RPID_NS && readRpidElement(c, into.rpid, warn)) continue;
    else if (readCipidElement(c, into.cipid)) continue;
    else if (!rest(c, into)) into.extensions.push(c);
  }
  return into;
}

function withOptional<T extends object>(base: Omit<T, never> & object, extra: Record<string, unknown>): T {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) out[k] = v;
  return out as T;
}

function readTuple(el: XmlElement, ids: Set<string>, warn: Warn): PidfTuple {
  const id = requiredId(el, "tuple", ids);
  const statusEl = child(el, PIDF_NS, "status");
  // RFC 3863 §4.1.3: a tuple MUST contain exactly one <status>.
  if (statusEl === undefined) invalid(`tuple "${id}" has no <status>`);
  let contact: PidfContact | undefined;
  let deviceId: string | undefined;
  let servcaps: ServCaps | undefined;
  const common = readCommon(el, PIDF_NS, warn, (c) => {
    if (c.ns === PIDF_NS && c.name === "status") return true;
    if (c.ns === PIDF_NS && c.name === "contact") {
      if (contact !== undefined) invalid(`tuple "${id}" has more than one <contact>`);
      contact = readContact(c, warn);
      return true;
    }
    if (c.ns === DM_NS && c.name === "deviceID") return (deviceId = textOf(c)), true;
    if (c.ns === CAPS_NS && c.name === "servcaps") return (servcaps = readServCaps(c, warn)), true;
    return false;
  });
  const base = {
    id, status: readStatus(statusEl, id), notes: common.notes, rpid: common.rpid, cipid: common.cipid,
    extensions: common.extensions,
  };
  return withOptional<PidfTuple>(base, { contact, timestamp: common.timestamp, deviceId, servcaps });
}

function readPerson(el: XmlElement, ids: Set<string>, warn: Warn): PidfPerson {
  const id = requiredId(el, "dm:person", ids);
  const c = readCommon(el, DM_NS, warn, () => false);
  const base = { id, rpid: c.rpid, cipid: c.cipid, notes: c.notes, extensions: c.extensions };
  return withOptional<PidfPerson>(base, { timestamp: c.timestamp });
}

function readDevice(el: XmlElement, ids: Set<string>, warn: Warn): PidfDevice {
  const id = requiredId(el, "dm:device", ids);
  let deviceId: string | undefined;
  const c = readCommon(el, DM_NS, warn, (x) => (x.ns === DM_NS && x.name === "deviceID" ? ((deviceId = textOf(x)), true) : false));
  // RFC 4479 §3.2 device: CIPID does not apply to devices; anything CIPID-like stays an extension.
  const base = { id, rpid: c.rpid, notes: c.notes, extensions: c.extensions };
  return withOptional<PidfDevice>(base, { deviceId, timestamp: c.timestamp });
}

export function parsePidf(body: string | Uint8Array, opts: ParsePidfOptions = {}): PidfResult {
  if (opts.contentType !== undefined) {
    const mediaError = checkMediaType(opts.contentType);
    if (mediaError !== undefined) return { ok: false, error: mediaError };
  }
  const xml = safeParseXml(body, opts.limits);
  if (!xml.ok) return { ok: false, error: pidfError("xml", xml.error.reason, xml.error.kind) };
  const root = xml.value;
  if (root.ns !== PIDF_NS || root.name !== "presence") {
    return { ok: false, error: pidfError("not-pidf", `root element is {${root.ns}}${root.name}, expected {${PIDF_NS}}presence`) };
  }
  const warnings: string[] = [];
  const warn: Warn = (m) => void warnings.push(m);
  try {
    checkMustUnderstand(root);
    const entity = attr(root, "entity");
    // RFC 3863 §4.1.1 makes entity mandatory, but the gateway knows the presentity from the
    // subscription dialog, so a missing entity is reported, not fatal.
    if (entity === undefined) warn("<presence> has no entity attribute");
    const ids = new Set<string>();
    const tuples: PidfTuple[] = [];
    const persons: PidfPerson[] = [];
    const devices: PidfDevice[] = [];
    const notes: PidfNote[] = [];
    const extensions: XmlElement[] = [];
    for (const c of root.children) {
      if (c.ns === PIDF_NS && c.name === "tuple") tuples.push(readTuple(c, ids, warn));
      else if (c.ns === PIDF_NS && c.name === "note") notes.push(readNote(c));
      else if (c.ns === DM_NS && c.name === "person") persons.push(readPerson(c, ids, warn));
      else if (c.ns === DM_NS && c.name === "device") devices.push(readDevice(c, ids, warn));
      else extensions.push(c);
    }
    const value = withOptional<PidfDocument>({ tuples, persons, devices, notes, extensions }, { entity });
    return { ok: true, value, warnings };
  } catch (e) {
    if (e instanceof Invalid) return { ok: false, error: e.error };
    return { ok: false, error: pidfError("invalid", e instanceof Error ? e.message : "unreadable PIDF") };
  }
}
