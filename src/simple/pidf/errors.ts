// Why a presence body was refused, as a value carrying the SIP response it calls for.
// RFC 3261 §21.4: 400 for a body we cannot understand, 413 for one that is too large, 415 for a
// media type or charset we do not accept (with Accept listing PIDF_MEDIA_TYPES).
import type { XmlErrorKind } from "../../xml/safe-parse.js";

export type PidfErrorKind = "xml" | "not-pidf" | "invalid" | "must-understand" | "media-type";

export interface PidfError {
  readonly kind: PidfErrorKind;
  /** Human-readable, precise enough for a SIP reason phrase or a Warning header. */
  readonly reason: string;
  readonly sipStatus: 400 | 413 | 415;
  /** For kind "xml": what the hardened parser refused. */
  readonly xmlKind?: XmlErrorKind;
}

/** RFC 3863 §3.1; the cpim-pidf label predates the RFC and is still sent by some UAs. */
export const PIDF_MEDIA_TYPES: readonly string[] = ["application/pidf+xml", "application/cpim-pidf+xml"];

export function pidfError(kind: PidfErrorKind, reason: string, xmlKind?: XmlErrorKind): PidfError {
  let sipStatus: PidfError["sipStatus"] = 400;
  if (kind === "media-type" || xmlKind === "encoding") sipStatus = 415;
  else if (xmlKind === "too-large" || xmlKind === "too-many-elements") sipStatus = 413;
  return xmlKind === undefined ? { kind, reason, sipStatus } : { kind, reason, sipStatus, xmlKind };
}

/** Checks a Content-Type value (type/subtype plus parameters); undefined when acceptable. */
export function checkMediaType(contentType: string): PidfError | undefined {
  const [typePart, ...params] = contentType.split(";");
  const mediaType = (typePart ?? "").trim().toLowerCase();
  if (!PIDF_MEDIA_TYPES.includes(mediaType)) {
    return pidfError("media-type", `Content-Type ${mediaType || "(empty)"} is not a PIDF type`);
  }
  for (const p of params) {
    const eq = p.indexOf("=");
    if (eq < 0 || p.slice(0, eq).trim().toLowerCase() !== "charset") continue;
    const charset = p.slice(eq + 1).trim().replace(/^"(.*)"$/, "$1").toLowerCase();
    if (charset !== "utf-8" && charset !== "utf8") return pidfError("media-type", `charset ${charset} is not UTF-8`);
  }
  return undefined;
}
