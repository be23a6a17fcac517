// The whole gateway (createGateway, the same settings as bench/lib/im-targets.ts) in this process, with
// the stand-in XEP-0114 server (fake-component-server.ts) and a UDP sender of SIP MESSAGEs that sends a
// batch, waits for every 200, then sends the next, so batching does not depend on scheduling. Used by
// the deterministic per-MESSAGE benches (im-gateway-instr.ts, im-gateway-heap.ts).
import { createSocket } from "node:dgram";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { loadConfig } from "../../src/config/load.js";
import { createGateway } from "../../src/main.js";
import { freePort } from "../../test/support/peers/process.js";
import { startFakeServer } from "./fake-component-server.js";

const DOMAIN = "sip.example";
const XMPP_DOMAIN = "xmpp.example";

/** MESSAGE number `i` from bob@sip.example to alice@xmpp.example, 170 bytes of body, Via naming `port`. */
function message(port: number, i: number): Buffer {
  const body = `n${i} ` + "x".repeat(164);
  return Buffer.from([
    `MESSAGE sip:alice@${XMPP_DOMAIN} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK-bench-${i}`,
    "Max-Forwards: 70",
    `From: <sip:bob@${DOMAIN}>;tag=${i}SIPpTag00${i}`,
    `To: <sip:alice@${XMPP_DOMAIN}>`,
    `Call-ID: ${i}-bench@127.0.0.1`,
    "CSeq: 1 MESSAGE",
    "Content-Type: text/plain;charset=UTF-8",
    `Content-Length: ${Buffer.byteLength(body)}`,
    "",
    body,
  ].join("\r\n"));
}

export interface InProcessGateway {
  /** Sends `batch` MESSAGEs and resolves once each got its 200. */
  oneBatch(batch: number): Promise<void>;
  stop(): Promise<void>;
}

/** Starts it all and returns once the component link is up (a first MESSAGE got through). */
export async function startInProcessGateway(tmpPrefix: string): Promise<InProcessGateway> {
  const fake = await startFakeServer(await freePort(), DOMAIN);
  const sipPort = await freePort();
  const dir = mkdtempSync(join(tmpdir(), tmpPrefix));
  const file = join(dir, "stox.json");
  writeFileSync(file, JSON.stringify({
    xmpp: { components: [{ domain: DOMAIN, host: "127.0.0.1", port: fake.port, secret: "unchecked", keepaliveSeconds: 30 }], localDomains: [XMPP_DOMAIN] },
    sip: { domains: [DOMAIN], listen: [{ transport: "udp", host: "127.0.0.1", port: sipPort }], trust: { proxies: ["127.0.0.1/32"] }, limits: { ratePerSourcePerSecond: 0 } },
    http: { host: "127.0.0.1", port: await freePort() },
    im: { ratePerUserPerSecond: 0 },
    log: { level: "warn" },
  }));
  const config = loadConfig({ env: {}, argv: ["--config", file] });
  if (!config.ok) throw new Error(JSON.stringify(config.error));
  const gw = createGateway(config.value, pino({ level: "silent" }));
  await gw.start();
  const sock = createSocket("udp4");
  await new Promise<void>((r) => sock.bind(0, "127.0.0.1", () => r()));
  const myPort = sock.address().port;
  let seq = 0;
  let waiting = 0;
  let done: (() => void) | undefined;
  sock.on("message", (m) => {
    if (m.subarray(0, 12).toString() === "SIP/2.0 200 " && --waiting === 0) done?.();
  });
  // The link is up once a MESSAGE gets its 200 (before that the gateway answers 503).
  while (fake.messages() === 0) {
    sock.send(message(myPort, seq++), sipPort, "127.0.0.1");
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 100));
  return {
    oneBatch: (batch) => new Promise<void>((resolve) => {
      waiting = batch;
      done = resolve;
      for (let i = 0; i < batch; i++) sock.send(message(myPort, seq++), sipPort, "127.0.0.1");
    }),
    async stop() {
      sock.close();
      await gw.stop();
      await fake.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
