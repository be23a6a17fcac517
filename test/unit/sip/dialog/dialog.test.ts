import { describe, it, expect } from "@jest/globals";
import {
  acceptRemoteSeq, buildInDialogRequest, createDialogTable, createUacDialog, createUasDialog, incomingDialogId,
  isDialogError, refreshTarget, type DialogState,
} from "../../../../src/sip/dialog/dialog.js";
import { createHeaders } from "../../../../src/sip/message/headers.js";
import type { SipRequest, SipResponse } from "../../../../src/sip/message/types.js";

function req(method: string, uri: string, h: Record<string, string | string[]>): SipRequest {
  const headers = createHeaders();
  for (const [k, v] of Object.entries(h)) headers.set(k, v);
  return { kind: "request", version: "SIP/2.0", method, uri, headers, body: new Uint8Array() };
}
function res(status: number, h: Record<string, string | string[]>): SipResponse {
  const headers = createHeaders();
  for (const [k, v] of Object.entries(h)) headers.set(k, v);
  return { kind: "response", version: "SIP/2.0", status, reason: "OK", headers, body: new Uint8Array() };
}
const must = (d: ReturnType<typeof createUasDialog>): DialogState => { if (isDialogError(d)) throw new Error(d.reason); return d; };

const subscribe = req("SUBSCRIBE", "sip:alice@gw.example", {
  from: "<sip:bob@sip.example>;tag=b1", to: "<sip:alice@gw.example>", "call-id": "c1", cseq: "7 SUBSCRIBE",
  contact: "<sip:bob@192.0.2.9:5062;transport=tcp>", "record-route": ["<sip:p1.example;lr>", "<sip:p2.example;lr>"],
});

describe("RFC 3261 §12.1 dialog creation", () => {
  it("UAS: route set in Record-Route order, remote target from Contact, remote seq from CSeq, empty local seq", () => {
    const d = must(createUasDialog(subscribe, "a1", "sip:alice@198.51.100.1:5060"));
    expect(d.id).toEqual({ callId: "c1", localTag: "a1", remoteTag: "b1" });
    expect(d.routeSet).toEqual(["<sip:p1.example;lr>", "<sip:p2.example;lr>"]);
    expect(d.remoteTarget).toBe("sip:bob@192.0.2.9:5062;transport=tcp");
    expect([d.localSeq, d.remoteSeq, d.localUri, d.remoteUri]).toEqual([null, 7, "sip:alice@gw.example", "sip:bob@sip.example"]);
    expect(JSON.parse(JSON.stringify(d))).toEqual(d); // plain data, persistable
  });
  it("UAS without Contact is a 400", () => {
    const bad = req("SUBSCRIBE", "sip:a@b", { from: "<sip:x@y>;tag=1", to: "<sip:a@b>", "call-id": "c", cseq: "1 SUBSCRIBE" });
    expect(createUasDialog(bad, "t", "sip:gw")).toEqual({ status: 400, reason: "Missing Contact" });
  });
  it("UAC: route set is the reversed Record-Route of the response", () => {
    const out = req("SUBSCRIBE", "sip:carol@sip.example", { from: "<sip:alice@gw.example>;tag=a9", to: "<sip:carol@sip.example>", "call-id": "c2", cseq: "1 SUBSCRIBE" });
    const ok = res(202, { from: "<sip:alice@gw.example>;tag=a9", to: "<sip:carol@sip.example>;tag=c9", "call-id": "c2", cseq: "1 SUBSCRIBE",
      contact: "<sip:carol@192.0.2.7>", "record-route": ["<sip:p2.example;lr>", "<sip:p1.example;lr>"] });
    const d = must(createUacDialog(out, ok, "sip:alice@198.51.100.1"));
    expect(d.id).toEqual({ callId: "c2", localTag: "a9", remoteTag: "c9" });
    expect(d.routeSet).toEqual(["<sip:p1.example;lr>", "<sip:p2.example;lr>"]);
    expect([d.localSeq, d.remoteSeq, d.early]).toEqual([1, null, false]);
  });
  it("finds the dialog of an incoming in-dialog request by Call-ID and tags", () => {
    const d = must(createUasDialog(subscribe, "a1", "sip:gw"));
    const table = createDialogTable<{ dialog: DialogState }>();
    table.set({ dialog: d });
    const refresh = req("SUBSCRIBE", "sip:gw", { from: "<sip:bob@sip.example>;tag=b1", to: "<sip:alice@gw.example>;tag=a1", "call-id": "c1", cseq: "8 SUBSCRIBE" });
    expect(table.get(incomingDialogId(refresh)!)?.dialog).toBe(d);
    expect(incomingDialogId(subscribe)).toBeUndefined(); // no To tag: out of dialog
  });
});

describe("memory: values many dialogs hold are shared", () => {
  const watcher = (n: number, source: SipRequest["source"]): SipRequest => ({
    ...req("SUBSCRIBE", "sip:alice@gw.example", {
      from: `<sip:w${n}@sip.example>;tag=t${n}`, to: "<sip:alice@gw.example>", "call-id": `c${n}`, cseq: "1 SUBSCRIBE",
      contact: `<sip:w${n}@192.0.2.9:5062>`,
    }),
    source,
  });
  it("our URI and Contact, the empty route set and a connectionless source are one value each, equal to the originals", () => {
    const d1 = must(createUasDialog(watcher(1, { transport: "UDP", address: "192.0.2.9", port: 5062 }), "a1", "sip:alice@198.51.100.1:5060"));
    const d2 = must(createUasDialog(watcher(2, { transport: "UDP", address: "192.0.2.9", port: 5062 }), "a2", "sip:alice@198.51.100.1:5060"));
    expect(d1.localUri).toBe("sip:alice@gw.example");
    expect(d1.localTarget).toBe("sip:alice@198.51.100.1:5060");
    expect(d1.flow).toEqual({ transport: "UDP", address: "192.0.2.9", port: 5062 });
    expect(d2.flow).toBe(d1.flow);
    expect(d1.routeSet).toEqual([]);
    expect(d2.routeSet).toBe(d1.routeSet);
    // Per-dialog values stay per dialog.
    expect([d1.remoteUri, d2.remoteUri, d1.id.callId, d2.id.callId]).toEqual(["sip:w1@sip.example", "sip:w2@sip.example", "c1", "c2"]);
    // Another port is another source.
    const d3 = must(createUasDialog(watcher(3, { transport: "UDP", address: "192.0.2.9", port: 5064 }), "a3", "sip:alice@198.51.100.1:5060"));
    expect(d3.flow).toEqual({ transport: "UDP", address: "192.0.2.9", port: 5064 });
    expect(d3.flow).not.toBe(d1.flow);
  });
  it("keeps a connection's own peer (flow token) as it is, and a refresh from the same source changes nothing", () => {
    const tcp = { transport: "TCP" as const, address: "192.0.2.9", port: 40000, flow: "conn-7" };
    const d = must(createUasDialog(watcher(4, tcp), "a4", "sip:alice@198.51.100.1:5060;transport=tcp"));
    expect(d.flow).toBe(tcp);
    const udp = must(createUasDialog(watcher(5, { transport: "UDP", address: "192.0.2.9", port: 5062 }), "a5", "sip:gw"));
    const again = req("SUBSCRIBE", "sip:gw", { from: "<sip:w5@sip.example>;tag=t5", to: "<sip:alice@gw.example>;tag=a5", "call-id": "c5", cseq: "2 SUBSCRIBE", contact: "<sip:w5@192.0.2.9:5062>" });
    expect(refreshTarget(udp, again, { transport: "UDP", address: "192.0.2.9", port: 5062 })).toBe(udp);
    const moved = refreshTarget(udp, again, { transport: "UDP", address: "192.0.2.10", port: 5062 });
    expect(moved.flow).toEqual({ transport: "UDP", address: "192.0.2.10", port: 5062 });
    expect(moved.remoteTarget).toBe(udp.remoteTarget);
  });
});

describe("RFC 3261 §12.2 requests within a dialog", () => {
  it("loose routing: Request-URI is the remote target, Route is the route set; CSeq starts random then increments", () => {
    const d = must(createUasDialog(subscribe, "a1", "sip:alice@198.51.100.1"));
    const first = buildInDialogRequest(d, "NOTIFY", { body: "x", contentType: "text/plain" });
    expect(first.request.uri).toBe("sip:bob@192.0.2.9:5062;transport=tcp");
    expect(first.request.headers.getAll("route")).toEqual(["<sip:p1.example;lr>", "<sip:p2.example;lr>"]);
    expect(first.request.headers.get("to")).toBe("<sip:bob@sip.example>;tag=b1");
    expect(first.request.headers.get("from")).toBe("<sip:alice@gw.example>;tag=a1");
    expect(first.request.headers.get("contact")).toBe("<sip:alice@198.51.100.1>");
    const seq1 = first.dialog.localSeq!;
    expect(seq1).toBeGreaterThan(0);
    expect(seq1).toBeLessThan(2 ** 31);
    const second = buildInDialogRequest(first.dialog, "NOTIFY");
    expect(second.request.headers.get("cseq")).toBe(`${seq1 + 1} NOTIFY`);
    expect(second.dialog.localSeq).toBe(seq1 + 1);
  });
  it("strict routing: Request-URI is the first route, the remote target goes last in Route (§12.2.1.1)", () => {
    const strict = req("SUBSCRIBE", "sip:a@gw", { ...Object.fromEntries(["from", "to", "call-id", "cseq", "contact"].map((k) => [k, subscribe.headers.get(k)!])),
      "record-route": ["<sip:strict.example;maddr=192.0.2.1>", "<sip:p2.example;lr>"] });
    const d = must(createUasDialog(strict, "a1", "sip:gw"));
    const { request } = buildInDialogRequest(d, "NOTIFY");
    expect(request.uri).toBe("sip:strict.example;maddr=192.0.2.1");
    expect(request.headers.getAll("route")).toEqual(["<sip:p2.example;lr>", "<sip:bob@192.0.2.9:5062;transport=tcp>"]);
  });
  it("ACK keeps the given CSeq and does not advance the dialog", () => {
    const d: DialogState = { ...must(createUasDialog(subscribe, "a1", "sip:gw")), localSeq: 4 };
    const ack = buildInDialogRequest(d, "ACK", { cseq: 4 });
    expect(ack.request.headers.get("cseq")).toBe("4 ACK");
    expect(ack.dialog.localSeq).toBe(4);
    expect(ack.request.headers.has("contact")).toBe(false);
  });
  it("rejects a lower remote CSeq with 500 and accepts higher ones (§12.2.2)", () => {
    const d = must(createUasDialog(subscribe, "a1", "sip:gw"));
    const lower = req("SUBSCRIBE", "sip:gw", { cseq: "6 SUBSCRIBE" });
    const higher = req("SUBSCRIBE", "sip:gw", { cseq: "9 SUBSCRIBE" });
    expect(acceptRemoteSeq(d, lower)).toEqual({ status: 500, reason: "CSeq Out of Order" });
    const next = acceptRemoteSeq(d, higher);
    expect(!isDialogError(next) && next.remoteSeq).toBe(9);
  });
  it("a target refresh replaces the remote target", () => {
    const d = must(createUasDialog(subscribe, "a1", "sip:gw"));
    const refreshed = refreshTarget(d, req("SUBSCRIBE", "sip:gw", { contact: "<sip:bob@192.0.2.99>" }));
    expect(refreshed.remoteTarget).toBe("sip:bob@192.0.2.99");
    expect(refreshTarget(refreshed, req("SUBSCRIBE", "sip:gw", {}))).toBe(refreshed);
  });
});

describe("userOf", () => {
  it("gives the percent-decoded user of a SIP URI, and nothing for bad escapes or other schemes", async () => {
    const { userOf } = await import("../../../../src/sip/dialog/dialog.js");
    expect(userOf("sip:b%40b@sip.example;gr=x")).toBe("b@b");
    expect(userOf("sips:alice@example.com")).toBe("alice");
    expect(userOf("sip:%zz@sip.example")).toBeUndefined();
    expect(userOf("sip:sip.example")).toBeUndefined();
    expect(userOf("tel:+123")).toBeUndefined();
  });
});
