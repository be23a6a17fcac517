// SIP over TLS with a throwaway self-signed certificate made by openssl: a node:tls client talks to
// the stack, and a second stack sends to the first over an outbound TLS connection.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { connect } from "node:tls";
import pino from "pino";
import { createRequest } from "../../../src/sip/message/build.js";
import { newCallId, newTag } from "../../../src/sip/message/ids.js";
import { createSipStack, type SipStack } from "../../../src/sip/stack.js";
import { requireBinary, tempDir } from "../../support/peers/process.js";

const logger = pino({ level: "silent" });

function selfSigned(): { cert: Buffer; key: Buffer; dir: string } {
  requireBinary("openssl"); // throws with the install hint: this test never skips
  const dir = tempDir("tls");
  const r = spawnSync("openssl", [
    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
    "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"),
  ], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`);
  return { cert: readFileSync(join(dir, "cert.pem")), key: readFileSync(join(dir, "key.pem")), dir };
}

describe("SIP over TLS", () => {
  let server: SipStack;
  let client: SipStack;
  let creds: ReturnType<typeof selfSigned>;
  const got: string[] = [];
  beforeAll(async () => {
    creds = selfSigned();
    server = createSipStack({ listen: [{ transport: "TLS", host: "127.0.0.1", port: 0, tls: { cert: creds.cert, key: creds.key } }], logger });
    client = createSipStack({ listen: [{ transport: "TLS", host: "127.0.0.1", port: 0, tls: { cert: creds.cert, key: creds.key, ca: creds.cert } }], logger });
    await server.start();
    await client.start();
    server.onRequest((tx) => { got.push(`${tx.source.transport}:${Buffer.from(tx.request.body).toString()}`); tx.respond(200); });
  });
  afterAll(async () => {
    await client.close();
    await server.close();
    rmSync(creds.dir, { recursive: true, force: true });
  });

  it("answers a MESSAGE from a node:tls client over the same connection", async () => {
    const port = server.localContact("TLS").port;
    const sock = connect({ host: "127.0.0.1", port, ca: creds.cert });
    await new Promise<void>((resolve, reject) => { sock.once("secureConnect", () => resolve()); sock.once("error", reject); });
    const body = "over tls";
    sock.write(
      `MESSAGE sip:bob@127.0.0.1:${port};transport=tls SIP/2.0\r\nVia: SIP/2.0/TLS client.invalid;branch=z9hG4bK-tls-1\r\n` +
      `Max-Forwards: 70\r\nFrom: <sip:alice@localhost>;tag=1\r\nTo: <sip:bob@localhost>\r\nCall-ID: tls-1\r\nCSeq: 1 MESSAGE\r\n` +
      `Content-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    const reply = await new Promise<string>((resolve) => sock.once("data", (d) => resolve(d.toString())));
    sock.destroy();
    // Via sent-by is a fake host: only "same connection" routing (§18.2.2) can deliver this.
    expect(reply.split("\r\n")[0]).toBe("SIP/2.0 200 OK");
    expect(got).toContain("TLS:over tls");
  });

  it("opens an outbound TLS connection verified against the CA and gets the 200", async () => {
    const port = server.localContact("TLS").port;
    const req = createRequest({
      method: "MESSAGE", uri: `sips:bob@127.0.0.1:${port}`,
      headers: { from: `<sips:alice@127.0.0.1>;tag=${newTag()}`, to: "<sips:bob@127.0.0.1>", "call-id": newCallId("127.0.0.1"), cseq: "1 MESSAGE" },
      body: "stack to stack", contentType: "text/plain",
    });
    const res = await client.sendRequest(req);
    expect(res.status).toBe(200);
    expect(got).toContain("TLS:stack to stack");
  });
});
