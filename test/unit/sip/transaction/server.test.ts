// Server transactions (RFC 3261 §17.2, RFC 6026 §8.5–8.7), CANCEL (§9.2) and merged requests
// (§8.2.2.2), driven through the transaction layer with jest fake timers.
import { afterEach, beforeEach, describe, expect, it, jest } from "@jest/globals";
import type { SipResponse } from "../../../../src/sip/message/types.js";
import type { IncomingRequest } from "../../../../src/sip/transaction/incoming-request.js";
import { createTransactionLayer } from "../../../../src/sip/transaction/layer.js";
import { fakeTransport, incoming, peerTcp, peerUdp, txContext } from "./helpers.js";

beforeEach(() => { jest.useFakeTimers({ now: 0 }); });
afterEach(() => { jest.useRealTimers(); });

function setup(transport: "UDP" | "TCP" = "UDP") {
  const t = fakeTransport(transport, () => Date.now());
  const tl = createTransactionLayer(txContext(t.layer));
  const seen: IncomingRequest[] = [];
  tl.onRequest((tx) => seen.push(tx));
  const statuses = () => t.sent.filter((s) => s.message?.kind === "response").map((s) => (s.message as SipResponse).status);
  return { ...t, tl, seen, statuses };
}

describe("non-INVITE server transaction", () => {
  it("passes the request up once, absorbs a retransmission in Trying, re-sends the final to later ones", async () => {
    const { tl, seen, sent } = setup();
    tl.receive(incoming("MESSAGE", "z9hG4bK-1"), peerUdp);
    tl.receive(incoming("MESSAGE", "z9hG4bK-1"), peerUdp);
    expect(seen).toHaveLength(1);
    expect(sent).toHaveLength(0);
    seen[0]!.respond(200);
    tl.receive(incoming("MESSAGE", "z9hG4bK-1"), peerUdp);
    await jest.advanceTimersByTimeAsync(0);
    expect(seen).toHaveLength(1);
    expect(sent.map((s) => s.op)).toEqual(["response", "resend"]);
    expect(sent[1]!.bytes.equals(sent[0]!.bytes)).toBe(true);
  });

  it("re-sends the last provisional in Proceeding", async () => {
    const { tl, seen, sent } = setup();
    tl.receive(incoming("SUBSCRIBE", "z9hG4bK-p"), peerUdp);
    seen[0]!.respond(183);
    tl.receive(incoming("SUBSCRIBE", "z9hG4bK-p"), peerUdp);
    await jest.advanceTimersByTimeAsync(0);
    expect(sent.map((s) => s.op)).toEqual(["response", "resend"]);
  });

  it("keeps the transaction for Timer J (64·T1) on UDP and ends at once on TCP", async () => {
    const udp = setup("UDP");
    udp.tl.receive(incoming("MESSAGE", "z9hG4bK-j"), peerUdp);
    udp.seen[0]!.respond(200);
    await jest.advanceTimersByTimeAsync(31_999);
    expect(udp.tl.size()).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(udp.tl.size()).toBe(0);

    const tcp = setup("TCP");
    tcp.tl.receive(incoming("MESSAGE", "z9hG4bK-j"), peerTcp);
    tcp.seen[0]!.respond(200);
    expect(tcp.tl.size()).toBe(0);
  });

  it("sends one final only: a second final is ignored", async () => {
    const { tl, seen, statuses } = setup();
    tl.receive(incoming("MESSAGE", "z9hG4bK-2f"), peerUdp);
    seen[0]!.respond(200);
    seen[0]!.respond(500);
    await jest.advanceTimersByTimeAsync(0);
    expect(statuses()).toEqual([200]);
    expect(seen[0]!.finalSent).toBe(true);
  });

  it("gives every response of the transaction the same To tag", async () => {
    const { tl, seen, sent } = setup();
    tl.receive(incoming("SUBSCRIBE", "z9hG4bK-tag"), peerUdp);
    seen[0]!.respond(180);
    seen[0]!.respond(202);
    const tags = sent.map((s) => /tag=([^;>\s]+)/.exec((s.message as SipResponse).headers.get("to") ?? "")?.[1]);
    expect(tags[0]).toBeDefined();
    expect(tags[1]).toBe(tags[0]);
  });
});

describe("INVITE server transaction", () => {
  it("sends 100 Trying when the TU is silent for 200 ms", async () => {
    const { tl, statuses } = setup();
    tl.receive(incoming("INVITE", "z9hG4bK-i1"), peerUdp);
    await jest.advanceTimersByTimeAsync(199);
    expect(statuses()).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(statuses()).toEqual([100]);
  });

  it("retransmits a non-2xx with Timer G (T1 doubling to T2) until the ACK, then Timer I absorbs ACKs", async () => {
    const { tl, seen, sent } = setup();
    tl.receive(incoming("INVITE", "z9hG4bK-g"), peerUdp);
    seen[0]!.respond(486);
    await jest.advanceTimersByTimeAsync(12_000);
    expect(sent.map((s) => `${s.op}@${s.at}`)).toEqual(["response@0", "resend@500", "resend@1500", "resend@3500", "resend@7500", "resend@11500"]);
    tl.receive(incoming("ACK", "z9hG4bK-g"), peerUdp);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(sent).toHaveLength(6); // Confirmed: no more retransmissions
    expect(seen).toHaveLength(1); // the ACK of a non-2xx stays in the transaction
    expect(tl.size()).toBe(0); // Timer I (T4) has fired
  });

  it("gives up at Timer H (64·T1) when no ACK comes", async () => {
    const { tl, seen } = setup();
    tl.receive(incoming("INVITE", "z9hG4bK-h"), peerUdp);
    seen[0]!.respond(603);
    await jest.advanceTimersByTimeAsync(31_999);
    expect(tl.size()).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(tl.size()).toBe(0);
  });

  it("enters Accepted on 2xx (RFC 6026): retransmitted INVITEs absorbed, ACKs to the TU, Timer L ends it", async () => {
    const { tl, seen, sent } = setup();
    tl.receive(incoming("INVITE", "z9hG4bK-l"), peerUdp);
    seen[0]!.respond(200);
    tl.receive(incoming("INVITE", "z9hG4bK-l"), peerUdp);
    await jest.advanceTimersByTimeAsync(0);
    expect(sent).toHaveLength(1);
    seen[0]!.respondWith((sent[0]!.message as SipResponse)); // the TU's own 2xx retransmission passes (§13.3.1.4)
    tl.receive(incoming("ACK", "z9hG4bK-l", { toTag: "x" }), peerUdp);
    expect(seen.map((s) => s.request.method)).toEqual(["INVITE", "ACK"]);
    await jest.advanceTimersByTimeAsync(32_000);
    expect(tl.size()).toBe(0);
  });

  it("passes an ACK that matches no transaction (ACK for a 2xx, new branch) to the TU", () => {
    const { tl, seen } = setup();
    tl.receive(incoming("ACK", "z9hG4bK-unknown", { toTag: "t" }), peerUdp);
    expect(seen.map((s) => s.request.method)).toEqual(["ACK"]);
  });
});

describe("CANCEL (RFC 3261 §9.2)", () => {
  it("answers 200 to the CANCEL, 487 to the INVITE, and tells the TU", async () => {
    const { tl, seen, statuses, sent } = setup();
    tl.receive(incoming("INVITE", "z9hG4bK-c"), peerUdp);
    let cancelled = 0;
    seen[0]!.onCancel(() => { cancelled += 1; });
    tl.receive(incoming("CANCEL", "z9hG4bK-c"), peerUdp);
    await jest.advanceTimersByTimeAsync(0);
    expect(statuses()).toEqual([200, 487]);
    expect(cancelled).toBe(1);
    expect(seen[0]!.finalSent).toBe(true);
    const cseqs = sent.map((s) => (s.message as SipResponse).headers.get("cseq"));
    expect(cseqs).toEqual(["1 CANCEL", "1 INVITE"]);
    expect(seen).toHaveLength(1); // the CANCEL itself never reaches the TU
  });

  it("answers 481 to a CANCEL matching nothing", async () => {
    const { tl, statuses } = setup();
    tl.receive(incoming("CANCEL", "z9hG4bK-none"), peerUdp);
    expect(statuses()).toEqual([481]);
  });

  it("only answers 200 when the INVITE already has a final", async () => {
    const { tl, seen, statuses } = setup();
    tl.receive(incoming("INVITE", "z9hG4bK-c2"), peerUdp);
    seen[0]!.respond(486);
    tl.receive(incoming("CANCEL", "z9hG4bK-c2"), peerUdp);
    expect(statuses()).toEqual([486, 200]);
  });
});

describe("merged requests (RFC 3261 §8.2.2.2)", () => {
  it("answers 482 to a second copy arriving with another branch, without the TU", () => {
    const { tl, seen, statuses } = setup();
    tl.receive(incoming("MESSAGE", "z9hG4bK-path1", { callId: "m@x", fromTag: "ft", cseq: 7 }), peerUdp);
    tl.receive(incoming("MESSAGE", "z9hG4bK-path2", { callId: "m@x", fromTag: "ft", cseq: 7 }), peerUdp);
    expect(seen).toHaveLength(1);
    expect(statuses()).toEqual([482]);
  });

  it("does not treat an in-dialog request (To tag) or a new CSeq as merged", () => {
    const { tl, seen } = setup();
    tl.receive(incoming("MESSAGE", "z9hG4bK-a", { callId: "m@y", cseq: 1 }), peerUdp);
    tl.receive(incoming("MESSAGE", "z9hG4bK-b", { callId: "m@y", cseq: 2 }), peerUdp);
    tl.receive(incoming("NOTIFY", "z9hG4bK-c", { callId: "m@y", cseq: 1, toTag: "t" }), peerUdp);
    expect(seen).toHaveLength(3);
  });
});

describe("the TU's handler", () => {
  it("gets 500 sent for it when it throws, and the layer keeps working", async () => {
    const t = fakeTransport("UDP", () => Date.now());
    const tl = createTransactionLayer(txContext(t.layer));
    tl.onRequest(() => { throw new Error("boom"); });
    tl.receive(incoming("MESSAGE", "z9hG4bK-throw"), peerUdp);
    expect(t.sent.map((s) => (s.message as SipResponse).status)).toEqual([500]);
  });

  it("stopAccepting answers new requests 503", () => {
    const { tl, seen, statuses } = setup();
    tl.stopAccepting();
    tl.receive(incoming("MESSAGE", "z9hG4bK-closing"), peerUdp);
    expect(seen).toHaveLength(0);
    expect(statuses()).toEqual([503]);
  });
});

describe("IncomingRequest.finalSent", () => {
  it("turns true with the first final, not with a provisional, and a second final is not sent", () => {
    const { tl, seen, statuses } = setup();
    tl.receive(incoming("MESSAGE", "z9hG4bK-fs"), peerUdp);
    const tx = seen[0]!;
    expect(tx.finalSent).toBe(false);
    tx.respond(180);
    expect(tx.finalSent).toBe(false);
    tx.respond(404);
    expect(tx.finalSent).toBe(true);
    tx.respond(200);
    expect(statuses()).toEqual([180, 404]);
  });

  it("is a plain data property, not a per-request getter (a getter made every request survive the scavenges)", () => {
    const { tl, seen } = setup();
    tl.receive(incoming("MESSAGE", "z9hG4bK-fd"), peerUdp);
    const d = Object.getOwnPropertyDescriptor(seen[0]!, "finalSent");
    expect(d?.get).toBeUndefined();
    expect(d?.value).toBe(false);
  });
});
