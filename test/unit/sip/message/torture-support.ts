// Reading the torture fixtures, and the equivalence used by the round-trip checks.
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect } from "@jest/globals";
import type { SipMessage } from "../../../../src/sip/message/types.js";

export const FIXTURE_DIR = fileURLToPath(new URL("../../../fixtures/sip-torture/", import.meta.url));

export function fixtureNames(): string[] {
  return readdirSync(FIXTURE_DIR).filter((f) => f.endsWith(".sip")).sort();
}

export function readFixture(name: string): Buffer {
  return readFileSync(FIXTURE_DIR + name);
}

/**
 * The RFC 5118 archive as a wire message (fixture README): CRLF line ends, a closed header section
 * and a Content-Length equal to the body's byte length.
 */
export function lfArchiveToWire(raw: Buffer): Buffer {
  const text = raw.toString("latin1").replace(/\r?\n/g, "\r\n");
  const split = text.indexOf("\r\n\r\n");
  const head = split < 0 ? text.replace(/(\r\n)*$/, "") : text.slice(0, split);
  const body = split < 0 ? "" : text.slice(split + 4);
  const fixed = /\r\n(Content-Length|l)[ \t]*:[^\r]*/i.test(head)
    ? head.replace(/(\r\n(?:Content-Length|l)[ \t]*:)[^\r]*/i, `$1 ${Buffer.byteLength(body, "latin1")}`)
    : head;
  return Buffer.from(`${fixed}\r\n\r\n${body}`, "latin1");
}

/** Same start line, same headers (names and values, in order), same body bytes. */
export function expectEquivalent(a: SipMessage, b: SipMessage): void {
  expect(b.kind).toBe(a.kind);
  if (a.kind === "request" && b.kind === "request") {
    expect(b.method).toBe(a.method);
    expect(b.uri).toBe(a.uri);
  } else if (a.kind === "response" && b.kind === "response") {
    expect(b.status).toBe(a.status);
    expect(b.reason).toBe(a.reason);
  }
  const names = (m: SipMessage) => m.headers.names().filter((n) => n !== "content-length");
  expect(new Set(names(b))).toEqual(new Set(names(a)));
  for (const n of names(a)) expect(b.headers.getAll(n)).toEqual(a.headers.getAll(n));
  expect(Buffer.from(b.body).equals(Buffer.from(a.body))).toBe(true);
}
