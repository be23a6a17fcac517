// The SIP side of the config: listeners, routing, trust, credentials, timers and limits.
import { z } from "zod";
import { cidr, domain, filePath, host, port, secret, sipUri } from "./fields.js";

export const sipTransportSchema = z.enum(["udp", "tcp", "tls", "ws", "wss"]);

const listenSchema = z
  .object({
    transport: sipTransportSchema.describe("Transport of this listener."),
    host: host("Local address to bind.").default("0.0.0.0"),
    port: port("Local port to bind (5060 udp/tcp, 5061 tls by convention)."),
    advertisedHost: host("Host placed in Via/Contact when the bound address is not reachable (NAT, Kubernetes Service).").optional(),
    advertisedPort: port("Port placed in Via/Contact.").optional(),
  })
  .strict()
  .describe("One SIP listener.");

const credentialSchema = z
  .object({
    identity: sipUri("SIP identity (From URI) these credentials are used for.").optional(),
    realm: z.string().min(1).describe("Digest realm these credentials answer (RFC 3261 §22.2).").optional(),
    username: z.string().min(1).describe("Digest username."),
    password: secret("Digest password."),
  })
  .strict()
  .refine((c) => c.identity !== undefined || c.realm !== undefined, { message: "set identity or realm", path: ["identity"] })
  .describe("Credentials for upstream digest challenges.");

export const sipSchema = z
  .object({
    domains: z.array(domain("SIP domain")).min(1, "at least one SIP domain is required").describe("SIP domains served by the gateway."),
    listen: z
      .array(listenSchema)
      .min(1)
      .describe("Listeners.")
      .default([
        { transport: "udp", host: "0.0.0.0", port: 5060 },
        { transport: "tcp", host: "0.0.0.0", port: 5060 },
      ]),
    tls: z
      .object({
        certFile: filePath("PEM certificate chain."),
        keyFile: filePath("PEM private key (mount it from a Secret)."),
        caFile: filePath("PEM CA bundle to verify peers.").optional(),
      })
      .strict()
      .describe("TLS material for tls/wss listeners and outbound sips:.")
      .optional(),
    outboundProxy: sipUri("Every outbound request is sent through this proxy (RFC 3261 §8.1.2: pre-existing route set).").optional(),
    routes: z
      .array(
        z
          .object({
            domain: domain("Destination domain."),
            uri: sipUri("Next hop for that domain (instead of RFC 3263 DNS lookup)."),
          })
          .strict(),
      )
      .describe("Static next hops per destination domain.")
      .default([]),
    trust: z
      .object({
        proxies: z.array(cidr("CIDR")).describe("Sources trusted to assert From identities (RFC 7247 Security Considerations).").default([]),
        digest: z.boolean().describe("Challenge requests from sources that are not trusted proxies with digest authentication (RFC 3261 §22.2); the authenticated user must be the From.").default(false),
        realm: z.string().min(1).describe("Digest realm of the challenges (default: the first SIP domain).").optional(),
        algorithms: z
          .array(z.enum(["SHA-512-256", "SHA-256", "MD5"]))
          .min(1)
          .describe("Digest algorithms offered, one challenge each, most preferred first (RFC 8760 §2.3). COMPAT: some UAs (SIPp 3.6, old phones) answer only the first challenge and know only MD5: list MD5 alone for them.")
          .default(["SHA-256", "MD5"]),
        users: z
          .array(
            z
              .object({
                identity: sipUri("The SIP identity (From AOR) these credentials prove, e.g. sip:bob@sip.example."),
                username: z.string().min(1).describe("Digest username."),
                password: secret("Digest password."),
              })
              .strict(),
          )
          .describe("SIP users that may authenticate directly to the gateway when trust.digest is on.")
          .default([]),
      })
      .strict()
      .describe("Who may send SIP requests into the gateway.")
      .default({}),
    register: z
      .object({
        registrar: sipUri("Registrar URI."),
        aor: sipUri("Address of record to register."),
        username: z.string().min(1).describe("Digest username."),
        password: secret("Digest password."),
        expires: z.number().int().min(60).describe("Requested registration lifetime in seconds (RFC 3261 §10.2.1).").default(3600),
      })
      .strict()
      .describe("Register the gateway upstream (optional).")
      .optional(),
    credentials: z.array(credentialSchema).describe("Digest credentials for upstream challenges.").default([]),
    timers: z
      .object({
        t1Ms: z.number().int().min(1).describe("RFC 3261 §17.1.1.1 T1, RTT estimate.").default(500),
        t2Ms: z.number().int().min(1).describe("RFC 3261 §17.1.2.2 T2, max retransmit interval for non-INVITE.").default(4000),
        t4Ms: z.number().int().min(1).describe("RFC 3261 §17.1.2.2 T4, max duration a message stays in the network.").default(5000),
      })
      .strict()
      .describe("Transaction timers.")
      .default({}),
    udp: z
      .object({
        receiveBufferBytes: z.number().int().min(0).max(1 << 30)
          .describe("SO_RCVBUF requested for UDP listeners (0: OS default). Linux grants at most net.core.rmem_max (the gateway logs the size granted); raise that sysctl to get more.")
          .default(4 * 1024 * 1024),
        sendBufferBytes: z.number().int().min(0).max(1 << 30)
          .describe("SO_SNDBUF requested for UDP listeners (0: OS default); capped by net.core.wmem_max.")
          .default(4 * 1024 * 1024),
      })
      .strict()
      .describe("UDP socket buffers: room for bursts while the event loop is busy (a full receive buffer drops datagrams).")
      .default({}),
    limits: z
      .object({
        maxMessageBytes: z.number().int().min(1024).describe("Largest SIP message accepted on any transport; larger ones get 513 or are dropped.").default(65_535),
        ratePerSourcePerSecond: z.number().min(0).describe("Requests per second per source IP (token bucket; 0 disables).").default(50),
        burst: z.number().int().min(1).describe("Token bucket size per source IP.").default(100),
        maxConnections: z.number().int().min(1).describe("Open TCP/TLS/WS connections at most.").default(10_000),
      })
      .strict()
      .describe("Abuse limits.")
      .default({}),
  })
  .strict()
  .describe("SIP side.");
