import { describe, it, expect } from "@jest/globals";
import { createSipStreamFramer, type FrameEvent } from "../../../../src/sip/message/framer.js";
import { parseMessage } from "../../../../src/sip/message/parse.js";
import { notify } from "./sample-messages.js";

const msg = Buffer.from(notify());
const kinds = (events: FrameEvent[]) => events.map((e) => e.kind);

describe("SipStreamFramer", () => {
  it("frames back-to-back messages from one chunk, exactly by Content-Length", () => {
    const f = createSipStreamFramer();
    const events = f.push(Buffer.concat([msg, msg, msg]));
    expect(kinds(events)).toEqual(["message", "message", "message"]);
    for (const e of events) if (e.kind === "message") expect(e.bytes.equals(msg)).toBe(true);
    expect(f.buffered).toBe(0);
  });

  it("reassembles a message fed one byte at a time", () => {
    const f = createSipStreamFramer();
    const out: FrameEvent[] = [];
    for (let i = 0; i < msg.length; i++) out.push(...f.push(msg.subarray(i, i + 1)));
    expect(kinds(out)).toEqual(["message"]);
    const m = out[0]!;
    expect(m.kind === "message" && parseMessage(m.bytes).ok).toBe(true);
  });

  it("splits at every possible boundary", () => {
    const two = Buffer.concat([msg, msg]);
    for (let cut = 1; cut < two.length; cut += 7) {
      const f = createSipStreamFramer();
      const events = [...f.push(two.subarray(0, cut)), ...f.push(two.subarray(cut))];
      expect(kinds(events)).toEqual(["message", "message"]);
    }
  });

  it("returns copies that later pushes do not overwrite", () => {
    const f = createSipStreamFramer();
    const first = f.push(msg)[0]!;
    f.push(Buffer.alloc(5000, 0x41));
    expect(first.kind === "message" && first.bytes.equals(msg)).toBe(true);
  });

  it("reports CRLFCRLF pings and CRLF pongs between messages (RFC 5626 §4.4.1)", () => {
    const f = createSipStreamFramer();
    expect(kinds(f.push(Buffer.from("\r\n\r\n")))).toEqual(["ping"]);
    expect(kinds(f.push(Buffer.concat([Buffer.from("\r\n\r\n"), msg, Buffer.from("\r\n"), msg])))).toEqual(["ping", "message", "pong", "message"]);
    expect(kinds(f.push(Buffer.from("\r\n")))).toEqual(["pong"]);
    // …and if that CRLF was the first half of a ping, the second half completes it.
    expect(kinds(f.push(Buffer.from("\r\n")))).toEqual(["ping"]);
  });

  it("treats a missing Content-Length as fatal, answerable with the parsed request (RFC 3261 §18.3)", () => {
    const f = createSipStreamFramer();
    const noLength = Buffer.from(notify().replace(/Content-Length: \d+\r\n/, ""));
    const events = f.push(noLength);
    expect(events).toHaveLength(1);
    const e = events[0]!;
    expect(e.kind).toBe("error");
    if (e.kind !== "error") return;
    expect(e.error).toMatchObject({ status: 400, reason: "Bad Request - Missing Content-Length", answerable: true });
    expect(e.error.partial?.method).toBe("NOTIFY");
    expect(f.push(msg)).toEqual([]);
  });

  it("refuses conflicting and compact-form Content-Length values", () => {
    const raw = notify().replace(/Content-Length: (\d+)/, "Content-Length: $1\r\nl: 3");
    const e = createSipStreamFramer().push(Buffer.from(raw))[0];
    expect(e?.kind === "error" && e.error.reason).toBe("Bad Request - Conflicting Content-Length");
    const compact = Buffer.from(notify().replace("Content-Length:", "l  :"));
    expect(kinds(createSipStreamFramer().push(compact))).toEqual(["message"]);
  });

  it("stops at maxBytes: 513 once headers announce too much, or when no header end comes", () => {
    const big = createSipStreamFramer({ maxBytes: 800 }).push(msg.subarray(0, 700))[0];
    expect(big?.kind === "error" && big.error).toMatchObject({ status: 513, answerable: true });
    const endless = createSipStreamFramer({ maxBytes: 1000 });
    expect(endless.push(Buffer.alloc(900, 0x41))).toEqual([]);
    const e = endless.push(Buffer.alloc(200, 0x41))[0];
    expect(e?.kind === "error" && e.error).toMatchObject({ status: 513, answerable: false });
  });

  it("stays linear: 2000 messages in one chunk are framed quickly", () => {
    const many = Buffer.concat(Array.from({ length: 2000 }, () => msg));
    const f = createSipStreamFramer({ maxBytes: 65535 });
    const started = process.hrtime.bigint();
    const events = f.push(many);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    expect(events).toHaveLength(2000);
    // Generous bound (shared CPU): quadratic copying of 2.5 MB would take seconds.
    expect(ms).toBeLessThan(1500);
  });
});
