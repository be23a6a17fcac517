// The gateway's pino logger: secrets are redacted by path before a line is written, and message
// bodies (personal data: IM text, presence notes) reach the log only when `log.bodies` is on.
import pino, { type DestinationStream, type Logger } from "pino";
import type { LogConfig } from "../config/schema.js";

export const REDACTED = "[redacted]";

// Secret-bearing keys at the depths our log calls use; pino (fast-redact) needs explicit depths.
const SECRET_KEYS = ["secret", "password", "privateKey", "authorization", "proxyAuthorization", "redisUrl"] as const;
export const REDACT_PATHS: readonly string[] = [
  ...SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]),
  'headers["authorization"]',
  'headers["proxy-authorization"]',
  'headers["Authorization"]',
  'headers["Proxy-Authorization"]',
  '*.headers["authorization"]',
  '*.headers["proxy-authorization"]',
  "tls.key",
  "*.tls.key",
];

export interface LoggerOptions {
  /** Where lines go (default stdout); tests pass a stream to capture them. */
  readonly destination?: DestinationStream;
  readonly name?: string;
}

export function createLogger(cfg: LogConfig, opts: LoggerOptions = {}): Logger {
  const options = {
    level: cfg.level,
    name: opts.name ?? "stox",
    redact: { paths: [...REDACT_PATHS], censor: REDACTED },
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}

const MAX_LOGGED_BODY = 4096;

/**
 * What to put in a log line for a message body: the text (cut at 4 KiB) when `log.bodies` is on,
 * otherwise only its size, so IM text and presence notes stay out of logs by default.
 */
export function bodyForLog(body: Uint8Array | string, cfg: Pick<LogConfig, "bodies">): string {
  const bytes = typeof body === "string" ? Buffer.byteLength(body) : body.byteLength;
  if (!cfg.bodies) return `[${bytes} bytes]`;
  const text = typeof body === "string" ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");
  return text.length > MAX_LOGGED_BODY ? `${text.slice(0, MAX_LOGGED_BODY)}…[${bytes} bytes]` : text;
}

// RFC 3261 §20.7/§20.28: credentials travel in Authorization / Proxy-Authorization header values.
const CREDENTIAL_HEADER = /^((?:proxy-)?authorization[ \t]*:)[^\r\n]*/gim;

/** A raw SIP message made safe to log: credential headers masked, body replaced per `log.bodies`. */
export function sipTextForLog(raw: string, cfg: Pick<LogConfig, "bodies">): string {
  const split = raw.indexOf("\r\n\r\n");
  const head = (split < 0 ? raw : raw.slice(0, split)).replace(CREDENTIAL_HEADER, `$1 ${REDACTED}`);
  if (split < 0) return head;
  const body = raw.slice(split + 4);
  return body.length === 0 ? `${head}\r\n\r\n` : `${head}\r\n\r\n${bodyForLog(body, cfg)}`;
}
