import { describe, it, expect, jest, beforeEach, afterEach } from "@jest/globals";
import { createInviteRole } from "../../../../src/sip/dialog/invite.js";
import { createResponse } from "../../../../src/sip/message/build.js";
import type { SipRequest } from "../../../../src/sip/message/types.js";
import { fakeStack, flush, incoming, logger, request } from "./fake-stack.js";

const OFFER = "v=0\r\no=- 1 1 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\nm=message 7394 TCP/MSRP *\r\n";
const ANSWER = OFFER.replace("192.0.2.9", "198.51.100.1");

describe("minimal INVITE dialogs", () => {
  let f: ReturnType<typeof fakeStack>;
  beforeEach(() => { jest.useFakeTimers(); f = fakeStack(); });
  afterEach(() => { jest.useRealTimers(); });

  const invite = (h: Record<string, string> = {}) => request("INVITE", "sip:alice@gw.example", {
    from: "<sip:bob@sip.example>;tag=b1", to: "<sip:alice@gw.example>", "call-id": "inv-1", cseq: "10 INVITE",
    contact: "<sip:bob@192.0.2.9:5062>", "content-type": "application/sdp", ...h,
  }, OFFER);
  const inDialog = (method: string, cseq: number, toTag: string) => request(method, "sip:alice@198.51.100.1:5060", {
    from: "<sip:bob@sip.example>;tag=b1", to: `<sip:alice@gw.example>;tag=${toTag}`, "call-id": "inv-1", cseq: `${cseq} ${method}`,
  });

  it("UAS: answers with SDP, retransmits the 2xx over UDP until the ACK, ends on BYE; re-INVITE gets 488", async () => {
    const role = createInviteRole({ uac: f.uac, stack: f.stack, logger, t1Ms: 500 });
    const ended: string[] = [];
    role.onInvite((ctx) => {
      expect(ctx.offer).toBe(OFFER);
      ctx.accept(ANSWER).onEnded((by) => ended.push(by));
    });
    const tx = incoming(invite());
    role.handle(tx);
    await flush();
    const ok = tx.responses[0]!;
    expect(ok.status).toBe(200);
    expect(new TextDecoder().decode(ok.body)).toBe(ANSWER);
    expect(ok.headers.get("content-type")).toBe("application/sdp");
    const toTag = ok.headers.get("to")!.split("tag=")[1]!;
    jest.advanceTimersByTime(500 + 1000);
    expect(f.stateless.length).toBe(2); // §13.3.1.4: at T1, then 2·T1
    role.handle(incoming(inDialog("ACK", 10, toTag)));
    jest.advanceTimersByTime(10_000);
    expect(f.stateless.length).toBe(2);
    const reinvite = incoming(inDialog("INVITE", 11, toTag));
    role.handle(reinvite);
    expect(reinvite.responses[0]!.status).toBe(488);
    const bye = incoming(inDialog("BYE", 12, toTag));
    role.handle(bye);
    expect(bye.responses[0]!.status).toBe(200);
    expect(ended).toEqual(["remote"]);
    const late = incoming(inDialog("BYE", 13, toTag));
    role.handle(late);
    expect(late.responses[0]!.status).toBe(481);
  });

  it("UAS: no handler or a rejection means a final error response", async () => {
    const role = createInviteRole({ uac: f.uac, stack: f.stack, logger });
    const tx = incoming(invite());
    role.handle(tx);
    expect(tx.responses[0]!.status).toBe(488);
    role.onInvite((ctx) => ctx.reject(486, "Busy Here"));
    const tx2 = incoming(invite());
    role.handle(tx2);
    await flush();
    expect(tx2.responses[0]!.status).toBe(486);
  });

  it("UAC: sends the offer, ACKs the 2xx itself with the INVITE's CSeq (§13.2.2.4), then BYE", async () => {
    f.respondWith((req: SipRequest) => createResponse(req, 200, undefined, {
      toTag: "t9", body: ANSWER, contentType: "application/sdp", headers: { contact: "<sip:carol@192.0.2.7:5070>" },
    }));
    const role = createInviteRole({ uac: f.uac, stack: f.stack, logger });
    const { response, session } = await role.invite("sip:alice@gw.example", "sip:carol@192.0.2.7", OFFER);
    expect(response.status).toBe(200);
    expect(session?.remoteSdp).toBe(ANSWER);
    expect(f.sent[0]!.request.headers.get("content-type")).toBe("application/sdp");
    const ack = f.stateless[0]!.message as SipRequest;
    expect([ack.method, ack.uri, ack.headers.get("cseq")]).toEqual(["ACK", "sip:carol@192.0.2.7:5070", "1 ACK"]);
    expect(f.stateless[0]!.dest).toEqual({ transport: "UDP", host: "192.0.2.7", port: 5070 });
    await session!.bye();
    const bye = f.sent[1]!.request;
    expect([bye.method, bye.headers.get("cseq"), bye.headers.get("to")]).toEqual(["BYE", "2 BYE", "<sip:carol@192.0.2.7>;tag=t9"]);
  });

  it("UAC: a failure response comes back without a session", async () => {
    f.respondWith((req: SipRequest) => createResponse(req, 486));
    const role = createInviteRole({ uac: f.uac, stack: f.stack, logger });
    const r = await role.invite("sip:alice@gw.example", "sip:carol@192.0.2.7", OFFER);
    expect(r.response.status).toBe(486);
    expect(r.session).toBeUndefined();
  });
});
