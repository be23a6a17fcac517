// Realistic messages shared by the unit tests and the benchmark's shape.
export const PIDF = `<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:alice@example.com">
  <tuple id="t8a7s9d"><status><basic>open</basic></status><contact priority="0.8">sip:alice@pc33.example.com</contact></tuple>
  <dm:person id="p1"><rpid:activities><rpid:away/></rpid:activities><dm:note>Gone for lunch — back at 2</dm:note></dm:person>
</presence>
`;

export function notify(body = PIDF): string {
  const len = Buffer.byteLength(body, "utf8");
  return [
    "NOTIFY sip:bob@192.0.2.4:5060;transport=udp SIP/2.0",
    "Via: SIP/2.0/UDP gw.example.com:5060;branch=z9hG4bK776asdhds;rport",
    "Max-Forwards: 70",
    "To: <sip:bob@example.com>;tag=1928301774",
    "From: \"Alice Ä\" <sip:alice@example.com>;tag=a73kszlfl",
    "Call-ID: a84b4c76e66710@gw.example.com",
    "CSeq: 314159 NOTIFY",
    "Contact: <sip:alice@gw.example.com:5060>",
    "Event: presence",
    "Subscription-State: active;expires=3599",
    "Content-Type: application/pidf+xml",
    `Content-Length: ${len}`,
    "",
    body,
  ].join("\r\n");
}
