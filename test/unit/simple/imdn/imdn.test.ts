import { describe, expect, it } from "@jest/globals";
import { buildImdn, parseImdn, type Imdn } from "../../../../src/simple/imdn/imdn.js";
import { imdnRequestHeaders, imdnRequestOf, parseDispositions } from "../../../../src/simple/imdn/disposition.js";
import { parseCpim } from "../../../../src/simple/cpim/parse.js";
import { buildCpim } from "../../../../src/simple/cpim/build.js";

// RFC 5438 §7.2.1 delivery notification example.
const DELIVERED = `<?xml version="1.0" encoding="UTF-8"?>
<imdn xmlns="urn:ietf:params:xml:ns:imdn">
  <message-id>34jk324j</message-id>
  <datetime>2008-04-04T12:16:49-05:00</datetime>
  <recipient-uri>im:bob@example.com</recipient-uri>
  <original-recipient-uri>im:bob@example.com</original-recipient-uri>
  <delivery-notification>
    <status>
      <delivered/>
    </status>
  </delivery-notification>
</imdn>`;

describe("IMDN XML (RFC 5438 §7)", () => {
  it("parses the RFC delivery notification", () => {
    const r = parseImdn(DELIVERED);
    expect(r).toEqual({
      ok: true,
      value: {
        messageId: "34jk324j", dateTime: new Date("2008-04-04T17:16:49Z"),
        recipientUri: "im:bob@example.com", originalRecipientUri: "im:bob@example.com",
        notification: { kind: "delivery", status: "delivered" },
      },
    });
  });

  it.each<Imdn["notification"]>([
    { kind: "delivery", status: "failed" },
    { kind: "delivery", status: "forbidden" },
    { kind: "delivery", status: "error" },
    { kind: "display", status: "displayed" },
    { kind: "processing", status: "stored" },
  ])("round-trips %j", (notification) => {
    const n: Imdn = { messageId: "m-1", dateTime: new Date("2020-05-06T07:08:09Z"), notification };
    expect(parseImdn(buildImdn(n))).toEqual({ ok: true, value: n });
  });

  it.each([
    [DELIVERED.replace("<message-id>34jk324j</message-id>", ""), "IMDN: missing <message-id>"],
    [DELIVERED.replace("2008-04-04T12:16:49-05:00", "yesterday"), "IMDN: missing or bad <datetime>"],
    [DELIVERED.replace("<delivered/>", "<read/>"), "IMDN: unknown delivery status"],
  ])("refuses malformed notification %#", (xml, reason) => {
    expect(parseImdn(xml)).toEqual({ ok: false, error: { reason } });
  });
});

describe("IMDN request headers in CPIM (RFC 5438 §5)", () => {
  it("parses dispositions, ignoring unknown tokens", () => {
    expect([...parseDispositions("positive-delivery, Display, x-future")]).toEqual(["positive-delivery", "display"]);
  });

  it("builds headers that parse back as an IMDN request", () => {
    const bytes = buildCpim({
      from: { uri: "sip:a@x" }, to: [{ uri: "sip:b@x" }],
      namespaces: [{ prefix: "imdn", uri: "urn:ietf:params:imdn" }],
      extra: imdnRequestHeaders("abc", ["positive-delivery", "display"]),
      contentType: "text/plain;charset=UTF-8", body: new TextEncoder().encode("hi"),
    });
    const m = parseCpim(bytes);
    if (!m.ok) throw new Error(m.error.reason);
    const req = imdnRequestOf(m.value);
    expect(req.messageId).toBe("abc");
    expect([...req.dispositions]).toEqual(["positive-delivery", "display"]);
  });
});
