// Typed model of a PIDF document (RFC 3863) with the extensions the gateway understands:
// the RFC 4479 data model (person/device/deviceID), RPID (RFC 4480), CIPID (RFC 4482) and service
// capabilities (RFC 5196). Elements from other namespaces are kept as read-only XML trees in
// `extensions` so a re-built document loses nothing it was given (RFC 3863 §4.3: PIDF is extensible).
import type { XmlElement } from "../../xml/element.js";

export const PIDF_NS = "urn:ietf:params:xml:ns:pidf";
export const DM_NS = "urn:ietf:params:xml:ns:pidf:data-model";
export const RPID_NS = "urn:ietf:params:xml:ns:pidf:rpid";
export const CIPID_NS = "urn:ietf:params:xml:ns:pidf:cipid";
export const CAPS_NS = "urn:ietf:params:xml:ns:pidf:caps";

/** Free text with its language (RFC 3863 §4.1.6 <note xml:lang>). */
export interface PidfNote {
  readonly text: string;
  readonly lang?: string;
}

/** RFC 3863 §4.1.4: the only status value PIDF defines. */
export type PidfBasic = "open" | "closed";

export interface PidfContact {
  readonly uri: string;
  /** RFC 3863 §4.1.5 qvalue, 0 ≤ priority ≤ 1. */
  readonly priority?: number;
}

/**
 * An RPID enumeration element such as <activities> or <mood> (RFC 4480 §3.2, §3.4): the local names of
 * its RPID child elements (e.g. "away", "on-the-phone"), the texts of its <other> children, its notes
 * and its optional validity interval.
 */
export interface RpidEnumeration {
  readonly values: readonly string[];
  readonly other: readonly string[];
  readonly notes: readonly PidfNote[];
  readonly id?: string;
  readonly from?: string;
  readonly until?: string;
}

/** RFC 4480 §3.6 <place-is>: one condition per medium (e.g. audio "noisy"). */
export interface RpidPlaceIs {
  readonly audio?: string;
  readonly video?: string;
  readonly text?: string;
}

/** RFC 4480 §3.11 <time-offset>: minutes from UTC. */
export interface RpidTimeOffset {
  readonly minutes: number;
  readonly description?: string;
}

/** RFC 4480 §3.12 <user-input>. */
export interface RpidUserInput {
  readonly value: "active" | "idle";
  readonly idleThreshold?: number;
  readonly lastInput?: string;
}

/** RPID elements, wherever they appear (person, tuple, device). */
export interface Rpid {
  readonly activities?: RpidEnumeration;
  readonly mood?: RpidEnumeration;
  readonly placeType?: RpidEnumeration;
  readonly privacy?: RpidEnumeration;
  readonly placeIs?: RpidPlaceIs;
  /** <sphere>: free text or the name of its child (work, home, unknown). */
  readonly sphere?: string;
  readonly class?: string;
  /** <relationship>: child name (assistant, family, self, ...) or the <other> text. */
  readonly relationship?: string;
  /** <service-class>: child name (electronic, postal, ...). */
  readonly serviceClass?: string;
  readonly statusIcon?: string;
  readonly timeOffset?: RpidTimeOffset;
  readonly userInput?: RpidUserInput;
}

/** CIPID (RFC 4482 §2): all are URIs except displayName. */
export interface Cipid {
  readonly displayName?: string;
  readonly card?: string;
  readonly homepage?: string;
  readonly icon?: string;
  readonly map?: string;
  readonly sound?: string;
}

/** A RFC 5196 supported/notsupported pair: element names or values (e.g. methods "MESSAGE"). */
export interface CapsSet {
  readonly supported: readonly string[];
  readonly notsupported: readonly string[];
}

/** RFC 5196 §3 boolean capabilities (media types, automata, isfocus). */
export const CAPS_FLAGS = [
  "audio", "application", "data", "control", "video", "text", "message", "automata", "isfocus",
] as const;
export type CapsFlag = (typeof CAPS_FLAGS)[number];

/** RFC 5196 §3 sets with supported/notsupported children. */
export const CAPS_SETS = [
  "class", "duplex", "methods", "extensions", "event-packages", "priority", "languages", "mobility",
  "schemes", "actor",
] as const;
export type CapsSetName = (typeof CAPS_SETS)[number];

/** RFC 5196 §3 <servcaps>. */
export interface ServCaps {
  readonly flags: Readonly<Partial<Record<CapsFlag, boolean>>>;
  /** MIME types (<type>). */
  readonly types: readonly string[];
  readonly sets: Readonly<Partial<Record<CapsSetName, CapsSet>>>;
  readonly description?: string;
}

export interface PidfStatus {
  readonly basic?: PidfBasic;
  /** Status extensions such as RFC 3863's im:im (kept, not interpreted). */
  readonly extensions: readonly XmlElement[];
}

export interface PidfTuple {
  readonly id: string;
  readonly status: PidfStatus;
  readonly contact?: PidfContact;
  readonly notes: readonly PidfNote[];
  readonly timestamp?: string;
  /** RFC 4479 §6 <dm:deviceID>: the device this service runs on. */
  readonly deviceId?: string;
  readonly rpid: Rpid;
  readonly cipid: Cipid;
  readonly servcaps?: ServCaps;
  readonly extensions: readonly XmlElement[];
}

/** RFC 4479 §3.3 <dm:person>. */
export interface PidfPerson {
  readonly id: string;
  readonly rpid: Rpid;
  readonly cipid: Cipid;
  readonly notes: readonly PidfNote[];
  readonly timestamp?: string;
  readonly extensions: readonly XmlElement[];
}

/** RFC 4479 §3.2 <dm:device>. */
export interface PidfDevice {
  readonly id: string;
  readonly deviceId?: string;
  readonly rpid: Rpid;
  readonly notes: readonly PidfNote[];
  readonly timestamp?: string;
  readonly extensions: readonly XmlElement[];
}

export interface PidfDocument {
  /** RFC 3863 §4.1.1 presentity URI (pres:, sip:, ...); absent only when the peer left it out. */
  readonly entity?: string;
  readonly tuples: readonly PidfTuple[];
  readonly persons: readonly PidfPerson[];
  readonly devices: readonly PidfDevice[];
  readonly notes: readonly PidfNote[];
  readonly extensions: readonly XmlElement[];
}
