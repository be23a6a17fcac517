// Reusable field schemas for the config: each carries its own validation and doc string, and the
// secret marker that the loader (…File / …_FILE indirection), redaction and the docs read back.
import { isIP } from "node:net";
import { z } from "zod";

const secretSchemas = new WeakSet<z.ZodTypeAny>();

/** A secret string: redacted in logs, may be given as `<key>File` in the file or `<ENV>_FILE` in the environment. */
export function secret(description: string): z.ZodString {
  const s = z.string().min(1, "must not be empty").describe(description);
  secretSchemas.add(s);
  return s;
}

export function isSecretSchema(s: z.ZodTypeAny): boolean {
  return secretSchemas.has(s);
}

// RFC 1035 §2.3.1 letters/digits/hyphen labels; XMPP domainparts may also be IDN U-labels (RFC 7622 §3.2),
// so any non-ASCII letter is accepted here and the address layer converts with tr46.
const LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;

export function domain(description: string) {
  return z
    .string()
    .max(253, "a domain name is at most 253 octets")
    .refine((d) => d.split(".").every((l) => LABEL.test(l)), "must be a domain name (letters, digits, hyphens, dot-separated)")
    .describe(description);
}

export function host(description: string) {
  return z
    .string()
    .min(1)
    .refine((h) => isIP(h) !== 0 || h.split(".").every((l) => LABEL.test(l)), "must be an IP address or a host name")
    .describe(description);
}

export function port(description: string): z.ZodNumber {
  return z.number().int().min(1).max(65535).describe(description);
}

/** CIDR block, IPv4 or IPv6 (a bare address means a single host). */
export function cidr(description: string) {
  return z
    .string()
    .refine((c) => {
      const [addr = "", prefix, extra] = c.split("/");
      const family = isIP(addr);
      if (family === 0 || extra !== undefined) return false;
      if (prefix === undefined) return true;
      const n = Number(prefix);
      return /^\d+$/.test(prefix) && n <= (family === 4 ? 32 : 128);
    }, "must be an IP address or CIDR block such as 10.0.0.0/8")
    .describe(description);
}

/** RFC 3261 §19.1: the gateway only places sip: and sips: URIs in Route/Request-URI. */
export function sipUri(description: string): z.ZodString {
  return z
    .string()
    .regex(/^sips?:[^\s]+$/i, "must be a sip: or sips: URI")
    .describe(description);
}

export function filePath(description: string): z.ZodString {
  return z.string().min(1, "must be a file path").describe(description);
}
