// SIP over WebSocket (RFC 7118): a sip.js 0.21.2 UserAgent — the browser softphone stack, run in Node
// with the `ws` package as its WebSocket — sends a MESSAGE to the stack over ws:// and gets 200.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import pino from "pino";
import { Messager, UserAgent } from "sip.js";
import WebSocket from "ws";
import { createSipStack, type SipStack } from "../../../src/sip/stack.js";

const logger = pino({ level: "silent" });

describe("SIP over WebSocket with sip.js", () => {
  let stack: SipStack;
  let ua: UserAgent;
  const got: { body: string; transport: string; flow?: string }[] = [];
  beforeAll(async () => {
    (globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;
    stack = createSipStack({ listen: [{ transport: "WS", host: "127.0.0.1", port: 0 }], logger });
    await stack.start();
    stack.onRequest((tx) => {
      got.push({ body: Buffer.from(tx.request.body).toString(), transport: tx.source.transport, flow: tx.source.flow });
      tx.respond(200);
    });
    ua = new UserAgent({
      uri: UserAgent.makeURI("sip:alice@example.com"),
      transportOptions: { server: `ws://127.0.0.1:${stack.localContact("WS").port}` },
      logLevel: "error",
    });
    await ua.start();
  });
  afterAll(async () => {
    await ua.stop();
    await stack.close();
  });

  it("answers 200 to a sip.js MESSAGE over the same WebSocket", async () => {
    const target = UserAgent.makeURI("sip:bob@gateway.example")!;
    const accepted = new Promise<number>((resolve, reject) => {
      void new Messager(ua, target, "hello from sip.js").message({
        requestDelegate: {
          onAccept: (r) => resolve(r.message.statusCode ?? 0),
          onReject: (r) => reject(new Error(`rejected ${r.message.statusCode}`)),
        },
      });
    });
    expect(await accepted).toBe(200);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ body: "hello from sip.js", transport: "WS" });
    expect(got[0]!.flow).toMatch(/^ws-/);
  });
});
