import { describe, it, expect } from "@jest/globals";
import fc from "fast-check";
import { parseMessage } from "../../../../src/sip/message/parse.js";
import { serializeMessage } from "../../../../src/sip/message/serialize.js";
import { createSipStreamFramer, type FrameEvent } from "../../../../src/sip/message/framer.js";
import type { ParseResult } from "../../../../src/sip/message/types.js";
import { TORTURE_CASES } from "./torture-expectations.js";
import { expectEquivalent, lfArchiveToWire, readFixture } from "./torture-support.js";
import { notify } from "./sample-messages.js";

const fixtures = TORTURE_CASES.map((c) => (c.lfArchive === true ? lfArchiveToWire(readFixture(c.file)) : readFixture(c.file)));
const validWire = TORTURE_CASES.flatMap((c, i) => (c.outcome === "parses" ? [fixtures[i]!] : []));

/** A result is either a message or a typed error a transport can act on. */
function expectWellFormed(r: ParseResult): void {
  if (r.ok) return;
  expect([400, 505, 513]).toContain(r.error.status);
  expect(r.error.reason.length).toBeGreaterThan(0);
  if (r.error.answerable) expect(r.error.partial?.kind).toBe("request");
}

/** Anything the parser accepts must survive serialize → parse unchanged. */
function expectStableRoundTrip(r: ParseResult): void {
  if (!r.ok) return;
  const again = parseMessage(serializeMessage(r.message));
  if (!again.ok) throw new Error(`accepted, serialised, then refused: ${again.error.reason}`);
  expectEquivalent(r.message, again.message);
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant("insertSyntax" as const), at: fc.nat(), text: fc.constantFrom("\r\n", "\r\n ", ",", ";", "\"", "<", ">", ":", "%", "[", "\n", "\r", " ", "\u0000") }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(src: Buffer, muts: readonly Mutation[]): Buffer {
  let b = Buffer.from(src);
  for (const m of muts) {
    const at = b.length === 0 ? 0 : m.at % (b.length + 1);
    if (m.kind === "flip" && b.length > 0) b[at % b.length] = m.value;
    else if (m.kind === "truncate") b = b.subarray(0, at);
    else if (m.kind === "insert") b = Buffer.concat([b.subarray(0, at), m.bytes, b.subarray(at)]);
    else if (m.kind === "insertSyntax") b = Buffer.concat([b.subarray(0, at), Buffer.from(m.text, "latin1"), b.subarray(at)]);
  }
  return b;
}

describe("parseMessage properties", () => {
  it("never throws on arbitrary bytes", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
      expectWellFormed(parseMessage(bytes));
    }), { numRuns: 2000 });
  });

  it("never throws on SIP-looking junk, and round-trips what it accepts", () => {
    const line = fc.stringMatching(/^[A-Za-z-]{1,12} ?: ?[ -~]{0,30}$/);
    const msg = fc.tuple(fc.constantFrom("INVITE sip:a@b SIP/2.0", "SIP/2.0 200 OK", "X y z"), fc.array(line, { maxLength: 12 }), fc.string({ maxLength: 40 }))
      .map(([start, lines, body]) => Buffer.from(`${start}\r\n${lines.join("\r\n")}\r\n\r\n${body}`));
    fc.assert(fc.property(msg, (bytes) => {
      const r = parseMessage(bytes);
      expectWellFormed(r);
      expectStableRoundTrip(r);
    }), { numRuns: 1500 });
  });

  it("never throws on mutated torture messages, and round-trips the mutants it accepts", () => {
    fc.assert(fc.property(fc.nat({ max: fixtures.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), (i, muts) => {
      const r = parseMessage(mutate(fixtures[i]!, muts));
      expectWellFormed(r);
      expectStableRoundTrip(r);
    }), { numRuns: 2500 });
  });

  it("round-trips generated messages field for field", () => {
    const token = fc.stringMatching(/^[A-Za-z0-9.!%*_+`'~-]{1,12}$/);
    const host = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?(\.[a-z]{2,5}){0,2}$/);
    const value = fc.stringMatching(/^[!-~]([ -~]{0,30}[!-~])?$/).filter((v) => !v.includes(","));
    const gen = fc.record({
      method: token, user: fc.stringMatching(/^[A-Za-z0-9._!~*'()-]{1,12}$/), host, tag: token, seq: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
      vias: fc.array(fc.tuple(fc.constantFrom("UDP", "TCP", "TLS", "WS"), host, token), { minLength: 1, maxLength: 4 }),
      extra: fc.array(fc.tuple(fc.stringMatching(/^X-[A-Za-z0-9-]{1,10}$/), value), { maxLength: 5 }),
      body: fc.uint8Array({ maxLength: 300 }),
    });
    fc.assert(fc.property(gen, (g) => {
      const head = [
        `${g.method} sip:${g.user}@${g.host} SIP/2.0`,
        ...g.vias.map(([t, h, b]) => `Via: SIP/2.0/${t} ${h};branch=z9hG4bK${b}`),
        `From: <sip:${g.user}@${g.host}>;tag=${g.tag}`, `To: <sip:${g.user}@${g.host}>`, `Call-ID: ${g.tag}@${g.host}`,
        `CSeq: ${g.seq} ${g.method}`, "Max-Forwards: 70", ...g.extra.map(([n, v]) => `${n}: ${v}`), `Content-Length: ${g.body.length}`,
      ].join("\r\n");
      const r = parseMessage(Buffer.concat([Buffer.from(`${head}\r\n\r\n`), g.body]));
      if (!r.ok) throw new Error(`generated message refused: ${r.error.reason}`);
      expect(r.message.kind === "request" && r.message.method).toBe(g.method);
      expect(r.message.headers.getAll("via")).toHaveLength(g.vias.length);
      for (const [n, v] of g.extra) expect(r.message.headers.getAll(n)).toContain(v);
      expect(Buffer.from(r.message.body).equals(Buffer.from(g.body))).toBe(true);
      expectStableRoundTrip(r);
    }), { numRuns: 400 });
  });
});

describe("SipStreamFramer properties", () => {
  it("frames any chunking of a stream of messages into exactly those messages", () => {
    const pool = [...validWire.filter((b) => /\r\n(content-length|l)\s*:/i.test(b.toString("latin1"))), Buffer.from(notify())];
    const framed = pool.map((b) => {
      const r = parseMessage(b);
      return r.ok ? serializeMessage(r.message) : null;
    }).filter((b): b is Buffer => b !== null);
    fc.assert(fc.property(
      fc.array(fc.nat({ max: framed.length - 1 }), { minLength: 1, maxLength: 6 }),
      fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 20 }),
      fc.boolean(),
      (picks, cuts, keepalives) => {
        const msgs = picks.map((i) => framed[i]!);
        const stream = Buffer.concat(msgs.flatMap((m) => (keepalives ? [Buffer.from("\r\n\r\n"), m] : [m])));
        const f = createSipStreamFramer();
        const events: FrameEvent[] = [];
        let pos = 0;
        for (let k = 0; pos < stream.length; k++) {
          const n = cuts[k % cuts.length]!;
          events.push(...f.push(stream.subarray(pos, pos + n)));
          pos += n;
        }
        const out = events.flatMap((e) => (e.kind === "message" ? [e.bytes] : []));
        expect(events.some((e) => e.kind === "error")).toBe(false);
        expect(out).toHaveLength(msgs.length);
        out.forEach((b, i) => expect(b.equals(msgs[i]!)).toBe(true));
        if (keepalives) expect(events.filter((e) => e.kind === "ping").length).toBeGreaterThanOrEqual(1);
      },
    ), { numRuns: 500 });
  });

  it("never throws on arbitrary byte streams", () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 10 }), (chunks) => {
      const f = createSipStreamFramer({ maxBytes: 1000 });
      for (const c of chunks) for (const e of f.push(c)) if (e.kind === "message") expectWellFormed(parseMessage(e.bytes));
    }), { numRuns: 1000 });
  });
});
