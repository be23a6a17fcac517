// RFC 3862 §2.3 character escape mechanism for CPIM header values, and the name-addr form of
// From/To/cc (RFC 3862 §4.1–4.3: `[Formal-name] "<" URI ">"`).
// The escape set (\\ \" \' \b \t \n \r \uXXXX) is recalled from RFC 3862 §3.6 (only the title pages of
// the RFC were readable here); it matches the sets implemented by liblinphone and siphon-rs.
import type { CpimAddress } from "./types.js";

const SIMPLE: Readonly<Record<string, string>> = { "\\": "\\", '"': '"', "'": "'", b: "\b", t: "\t", n: "\n", r: "\r" };

/** Decodes escapes; undefined on a malformed escape. */
export function unescapeCpim(raw: string): string | undefined {
  if (!raw.includes("\\")) return raw;
  let out = "";
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const e = raw[i + 1];
    if (e === undefined) return undefined;
    const simple = SIMPLE[e];
    if (simple !== undefined) {
      out += simple;
      i += 1;
    } else if (e === "u" && /^[0-9a-fA-F]{4}$/.test(raw.slice(i + 2, i + 6))) {
      out += String.fromCharCode(parseInt(raw.slice(i + 2, i + 6), 16));
      i += 5;
    } else {
      return undefined;
    }
  }
  return out;
}

/**
 * Encodes a value so that it stays on one header line and round-trips through unescapeCpim; trailing
 * blanks are escaped too, since line-oriented peers strip them.
 */
export function escapeCpim(value: string): string {
  const body = value.replace(/[ \t]+$/, "");
  const tail = value.slice(body.length).replace(/[ \t]/g, (c) => (c === " " ? "\\u0020" : "\\t"));
  return escapeControls(body) + tail;
}

function escapeControls(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\\\x00-\x1f\x7f]/g, (c) => {
    switch (c) {
      case "\\": return "\\\\";
      case "\t": return "\\t";
      case "\n": return "\\n";
      case "\r": return "\\r";
      case "\b": return "\\b";
      default: return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
    }
  });
}

/** Parses `[Formal-name] <URI>`; COMPAT(various): a bare URI without brackets is accepted. */
export function parseCpimAddress(value: string): CpimAddress | undefined {
  const v = value.trim();
  const lt = v.lastIndexOf("<");
  if (lt === -1) return /^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$/.test(v) ? { uri: v } : undefined;
  if (!v.endsWith(">")) return undefined;
  const uri = v.slice(lt + 1, -1).trim();
  if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$/.test(uri)) return undefined;
  let name = v.slice(0, lt).trim();
  if (name.length >= 2 && name.startsWith('"') && name.endsWith('"')) name = name.slice(1, -1);
  return name === "" ? { uri } : { displayName: name, uri };
}

/**
 * Formats an address as final wire text (already escaped: the builder must not escape it again). A
 * display name that is not a plain token run is quoted, its quotes escaped as \" (RFC 3862 §4.1).
 */
export function formatCpimAddress(a: CpimAddress): string {
  if (a.displayName === undefined || a.displayName === "") return `<${a.uri}>`;
  const plain = /^[A-Za-z0-9!#$%&'*+\-.^_`{|}~ ]+$/.test(a.displayName) && a.displayName.trim() === a.displayName;
  return plain ? `${a.displayName} <${a.uri}>` : `"${escapeCpim(a.displayName).replace(/"/g, '\\"')}" <${a.uri}>`;
}
