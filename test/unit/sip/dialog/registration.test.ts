import { describe, it, expect, jest, beforeEach, afterEach } from "@jest/globals";
import { createRegistration, type RegistrationStatus } from "../../../../src/sip/dialog/registration.js";
import { createResponse } from "../../../../src/sip/message/build.js";
import type { SipRequest } from "../../../../src/sip/message/types.js";
import { fakeStack, flush, logger } from "./fake-stack.js";

describe("upstream REGISTER", () => {
  let f: ReturnType<typeof fakeStack>;
  beforeEach(() => { jest.useFakeTimers(); f = fakeStack(); });
  afterEach(() => { jest.useRealTimers(); });
  const okWith = (expires: number) => (req: SipRequest) =>
    createResponse(req, 200, undefined, { headers: { contact: `${req.headers.get("contact")};expires=${expires}`, expires: "9999" } });

  it("binds, takes the Contact's expires over Expires (§10.2.4), refreshes ahead with the same Call-ID", async () => {
    f.respondWith(okWith(300));
    const reg = createRegistration(f.uac, logger, { aor: "sip:gw@192.0.2.50", expires: 600 });
    expect((await reg.ready).status).toBe(200);
    expect(reg.status()).toEqual({ state: "registered", expires: 300 });
    const first = f.sent[0]!.request;
    expect([first.uri, first.headers.get("to"), first.headers.get("contact"), first.headers.get("expires")])
      .toEqual(["sip:192.0.2.50", "<sip:gw@192.0.2.50>", "<sip:gw@198.51.100.1:5060>", "600"]);
    jest.advanceTimersByTime(239_000);
    expect(f.sent).toHaveLength(1);
    jest.advanceTimersByTime(1_000);
    await flush();
    expect(f.sent).toHaveLength(2);
    const again = f.sent[1]!.request;
    expect(again.headers.get("call-id")).toBe(first.headers.get("call-id"));
    expect(again.headers.get("cseq")).toBe("2 REGISTER");
    await reg.unregister();
    expect(f.sent[2]!.request.headers.get("expires")).toBe("0");
    expect(reg.status()).toEqual({ state: "unregistered" });
  });

  it("retries 423 with Min-Expires and reports a failure, then tries again later", async () => {
    let calls = 0;
    f.respondWith((req) => {
      calls++;
      if (calls === 1) return createResponse(req, 423, undefined, { headers: { "min-expires": "1200" } });
      if (calls === 2) return createResponse(req, 403);
      return okWith(1200)(req);
    });
    const statuses: RegistrationStatus[] = [];
    const reg = createRegistration(f.uac, logger, { aor: "sip:gw@192.0.2.50", expires: 60, retryAfterFailureS: 30 });
    reg.onStatus((s) => statuses.push(s));
    expect((await reg.ready).status).toBe(403);
    expect(f.sent[1]!.request.headers.get("expires")).toBe("1200");
    jest.advanceTimersByTime(30_000);
    await flush();
    expect(statuses.map((s) => s.state)).toEqual(["failed", "registered"]);
    reg.detach();
  });
});
