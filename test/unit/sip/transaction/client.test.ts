// Client transactions (RFC 3261 §17.1, RFC 6026 §8.4) driven with jest fake timers.
import { afterEach, beforeEach, describe, expect, it, jest } from "@jest/globals";
import type { SipResponse } from "../../../../src/sip/message/types.js";
import { createTransactionLayer } from "../../../../src/sip/transaction/layer.js";
import { isSyntheticResponse } from "../../../../src/sip/transaction/synthetic.js";
import { fakeTransport, outgoing, peerUdp, responseTo, txContext } from "./helpers.js";

beforeEach(() => { jest.useFakeTimers({ now: 0 }); });
afterEach(() => { jest.useRealTimers(); });

function setup(transport: "UDP" | "TCP") {
  const t = fakeTransport(transport, () => Date.now());
  const layer = createTransactionLayer(txContext(t.layer));
  return { ...t, tl: layer };
}

describe("non-INVITE client transaction", () => {
  it("over UDP retransmits at T1, 2T1, 4T1, T2, T2… and reports 408 at Timer F (64·T1)", async () => {
    const { tl, sent } = setup("UDP");
    let final: SipResponse | undefined;
    void tl.sendRequest(outgoing("MESSAGE"), peerUdp).then((r) => { final = r; });
    await jest.advanceTimersByTimeAsync(31_999);
    expect(final).toBeUndefined();
    expect(sent.map((s) => `${s.op}@${s.at}`)).toEqual([
      "request@0", "resend@500", "resend@1500", "resend@3500", "resend@7500", "resend@11500",
      "resend@15500", "resend@19500", "resend@23500", "resend@27500", "resend@31500",
    ]);
    await jest.advanceTimersByTimeAsync(1);
    expect(final?.status).toBe(408);
    expect(isSyntheticResponse(final!)).toBe(true);
    expect(tl.size()).toBe(0);
  });

  it("over TCP never retransmits and still times out with 408", async () => {
    const { tl, sent } = setup("TCP");
    const p = tl.sendRequest(outgoing("MESSAGE"), peerUdp);
    await jest.advanceTimersByTimeAsync(32_000);
    expect((await p).status).toBe(408);
    expect(sent.map((s) => s.op)).toEqual(["request"]);
  });

  it("in Proceeding retransmits every T2 (§17.1.2.2)", async () => {
    const { tl, sent } = setup("UDP");
    const provisional: number[] = [];
    const req = outgoing("SUBSCRIBE");
    void tl.sendRequest(req, peerUdp, { onProvisional: (r) => provisional.push(r.status) });
    await jest.advanceTimersByTimeAsync(100);
    tl.receive(responseTo(req, 180), peerUdp);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(provisional).toEqual([180]);
    // Timer E was armed for T1 before the 1xx; afterwards the interval is T2.
    expect(sent.map((s) => s.at)).toEqual([0, 500, 4500, 8500]);
  });

  it("passes the final up once, absorbs its retransmissions, and ends after Timer K (T4)", async () => {
    const { tl, sent } = setup("UDP");
    const req = outgoing("MESSAGE");
    const finals: number[] = [];
    void tl.sendRequest(req, peerUdp).then((r) => finals.push(r.status));
    await jest.advanceTimersByTimeAsync(10);
    tl.receive(responseTo(req, 200), peerUdp);
    tl.receive(responseTo(req, 200), peerUdp);
    await jest.advanceTimersByTimeAsync(4_999);
    expect(finals).toEqual([200]);
    expect(tl.size()).toBe(1);
    expect(sent).toHaveLength(1); // no retransmission after the final
    await jest.advanceTimersByTimeAsync(1);
    expect(tl.size()).toBe(0);
  });

  it("reports a transport error as 503 (§8.1.3.1)", async () => {
    const t = fakeTransport("UDP", () => Date.now());
    t.failNextSend();
    const tl = createTransactionLayer(txContext(t.layer));
    const res = await tl.sendRequest(outgoing("MESSAGE"), peerUdp);
    expect(res.status).toBe(503);
    expect(isSyntheticResponse(res)).toBe(true);
    expect(tl.size()).toBe(0);
  });

  it("does not match a response with another CSeq method to the transaction", async () => {
    const { tl } = setup("UDP");
    const req = outgoing("MESSAGE");
    const finals: number[] = [];
    void tl.sendRequest(req, peerUdp).then((r) => finals.push(r.status));
    await jest.advanceTimersByTimeAsync(10);
    const wrong = responseTo(req, 200);
    wrong.headers.set("cseq", "1 OPTIONS");
    tl.receive(wrong, peerUdp);
    await jest.advanceTimersByTimeAsync(10);
    expect(finals).toEqual([]);
  });
});

describe("INVITE client transaction", () => {
  it("retransmits with Timer A doubling and times out at Timer B with 408", async () => {
    const { tl, sent } = setup("UDP");
    let final: SipResponse | undefined;
    void tl.sendRequest(outgoing("INVITE"), peerUdp).then((r) => { final = r; });
    await jest.advanceTimersByTimeAsync(32_000);
    expect(sent.map((s) => s.at)).toEqual([0, 500, 1500, 3500, 7500, 15500, 31500]);
    expect(final?.status).toBe(408);
  });

  it("ACKs a non-2xx final itself (same branch, To tag of the response) and again on its retransmission; Timer D ends it", async () => {
    const { tl, sent } = setup("UDP");
    const req = outgoing("INVITE");
    const finals: number[] = [];
    void tl.sendRequest(req, peerUdp).then((r) => finals.push(r.status));
    await jest.advanceTimersByTimeAsync(10);
    tl.receive(responseTo(req, 486, "busy"), peerUdp);
    await jest.advanceTimersByTimeAsync(10);
    tl.receive(responseTo(req, 486, "busy"), peerUdp);
    await jest.advanceTimersByTimeAsync(10);
    expect(finals).toEqual([486]);
    const acks = sent.filter((s) => s.op === "send" || (s.op === "resend" && s.bytes.toString().startsWith("ACK")));
    expect(acks).toHaveLength(2);
    const ack = acks[0]!.message!;
    expect(ack.kind === "request" && ack.method).toBe("ACK");
    expect(ack.headers.getAll("via")).toEqual([req.headers.getAll("via")[0]]);
    expect(ack.headers.get("to")).toContain("tag=busy");
    expect(ack.headers.get("cseq")).toBe("1 ACK");
    await jest.advanceTimersByTimeAsync(32_000);
    expect(tl.size()).toBe(0);
  });

  it("enters Accepted on 2xx (RFC 6026): later 2xx go to onAdditional2xx until Timer M", async () => {
    const { tl } = setup("UDP");
    const req = outgoing("INVITE");
    const extra: string[] = [];
    const finals: number[] = [];
    void tl.sendRequest(req, peerUdp, { onAdditional2xx: (r) => extra.push(r.headers.get("to") ?? "") }).then((r) => finals.push(r.status));
    await jest.advanceTimersByTimeAsync(10);
    tl.receive(responseTo(req, 200, "a"), peerUdp);
    tl.receive(responseTo(req, 200, "a"), peerUdp); // retransmission
    tl.receive(responseTo(req, 200, "b"), peerUdp); // a fork
    await jest.advanceTimersByTimeAsync(10);
    expect(finals).toEqual([200]);
    expect(extra).toHaveLength(2);
    expect(extra[1]).toContain("tag=b");
    await jest.advanceTimersByTimeAsync(32_000);
    expect(tl.size()).toBe(0);
  });

  it("stops Timer B once a provisional arrived (Proceeding waits for the TU)", async () => {
    const { tl } = setup("UDP");
    const req = outgoing("INVITE");
    let final: SipResponse | undefined;
    void tl.sendRequest(req, peerUdp).then((r) => { final = r; });
    await jest.advanceTimersByTimeAsync(10);
    tl.receive(responseTo(req, 180), peerUdp);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(final).toBeUndefined();
    tl.receive(responseTo(req, 200), peerUdp);
    await jest.advanceTimersByTimeAsync(0);
    expect(final?.status).toBe(200);
  });
});
