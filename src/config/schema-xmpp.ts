// The XMPP side of the config: XEP-0114 component links and the local XMPP domains.
import { z } from "zod";
import { domain, host, port, secret } from "./fields.js";

export const componentSchema = z
  .object({
    domain: domain("Component domain the XMPP server routes to the gateway (XEP-0114 §3: one domain per connection)."),
    host: host("Host of the XMPP server's component listener.").default("127.0.0.1"),
    port: port("Port of the XMPP server's component listener (Prosody/ejabberd default 5347).").default(5347),
    secret: secret("Shared secret of the XEP-0114 handshake (§3: SHA-1 of stream id + secret)."),
    keepaliveSeconds: z
      .number().int().min(0)
      .describe("XEP-0199 ping to the server every N seconds; no answer marks the link dead (0 disables).")
      .default(60),
    reconnect: z
      .object({
        minMs: z.number().int().min(10).describe("First reconnect delay (exponential backoff with full jitter).").default(500),
        maxMs: z.number().int().min(10).describe("Upper bound of the reconnect delay.").default(30_000),
      })
      .strict()
      .describe("Reconnect backoff of the component link.")
      .default({}),
    bufferMaxStanzas: z
      .number().int().min(0)
      .describe("Stanzas held while the link is down; beyond this sends are refused (bufferFull).")
      .default(1000),
    bufferMaxBytes: z
      .number().int().min(0)
      .describe("Bytes held while the link is down.")
      .default(4 * 1024 * 1024),
    maxStanzaBytes: z
      .number().int().min(1024)
      .describe("Largest inbound stanza accepted; larger ones are refused (policy-violation).")
      .default(256 * 1024),
  })
  .strict()
  .describe("One XEP-0114 component connection.");

export const xmppSchema = z
  .object({
    components: z
      .array(componentSchema)
      .min(1, "at least one component is required")
      .describe("Component links, one per component domain."),
    localDomains: z
      .array(domain("XMPP domain"))
      .describe("XMPP domains whose users may write through the gateway (RFC 7247 Security Considerations: other origins are refused).")
      .default([]),
  })
  .strict()
  .describe("XMPP side.");
