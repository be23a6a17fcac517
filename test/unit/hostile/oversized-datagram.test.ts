// Found by the hostile E2E run: an oversized UDP request was dropped in silence (logged only) although
// its header section was readable; RFC 3261 §21.5.14 has 513 for exactly this, and §18.2.2 lets us
// answer wherever the top Via says. Now the parser returns an answerable 513 with the partial request.
import { describe, expect, it } from "@jest/globals";
import { parseMessage } from "../../../src/sip/message/parse.js";

const head = (len: number) =>
  "MESSAGE sip:alice@xmpp.example SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;rport;branch=z9hG4bK-big\r\nMax-Forwards: 70\r\n" +
  "From: <sip:bob@sip.example>;tag=1\r\nTo: <sip:alice@xmpp.example>\r\nCall-ID: big@x\r\nCSeq: 1 MESSAGE\r\n" +
  `Content-Type: text/plain\r\nContent-Length: ${len}\r\n\r\n`;

describe("oversized datagrams", () => {
  it("are answerable 513 when the header section fits within the limit", () => {
    const r = parseMessage(Buffer.from(head(20_000) + "x".repeat(20_000)), { maxBytes: 16_384 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatchObject({ status: 513, reason: "Message Too Large", answerable: true });
    expect(r.error.partial?.method).toBe("MESSAGE");
    expect(r.error.partial?.headers.get("call-id")).toBe("big@x");
  });

  it("are dropped (not answerable) when the header section itself exceeds the limit", () => {
    const r = parseMessage(Buffer.from(head(0).replace("Max-Forwards: 70\r\n", `X-Pad: ${"p".repeat(20_000)}\r\n`)), { maxBytes: 16_384 });
    expect(!r.ok && r.error).toMatchObject({ status: 513, answerable: false });
  });

  it("are not answerable without a usable Via", () => {
    const r = parseMessage(Buffer.from(head(20_000).replace(/Via: [^\r]*\r\n/, "") + "x".repeat(20_000)), { maxBytes: 16_384 });
    expect(!r.ok && r.error).toMatchObject({ status: 513, answerable: false });
  });
});
