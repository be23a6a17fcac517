// SIP over WebSocket (RFC 7118): the "sip" subprotocol, one SIP message per frame (§5: no framer,
// Content-Length optional; recalled, the RFC text was not stored). Inbound only: a WS flow that is
// gone cannot be re-opened (browsers are not reachable), so sends to it fail with flow-closed.
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import type { SipPeer } from "../message/types.js";
import { newFlowId, type Connection, type ConnectionTable } from "./connections.js";
import { SipTransportError, type SipListenSpec } from "./types.js";

export interface WsHooks {
  readonly table: ConnectionTable;
  readonly maxBytes: number;
  readonly logger: Logger;
  onFrame(bytes: Buffer, source: SipPeer): void;
  onClosed(conn: Connection): void;
}

export interface WsListener {
  readonly spec: SipListenSpec;
  port(): number;
  close(): Promise<void>;
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

export async function listenWs(spec: SipListenSpec, hooks: WsHooks): Promise<WsListener> {
  const secure = spec.transport === "WSS";
  if (secure && spec.tls === undefined) throw new TypeError("WSS listener needs tls options (cert, key)");
  const http: HttpServer = secure
    ? createHttpsServer({ cert: spec.tls!.cert, key: spec.tls!.key, ca: spec.tls!.ca as string[] | undefined })
    : createHttpServer();
  const wss = new WebSocketServer({
    server: http,
    maxPayload: hooks.maxBytes,
    // RFC 7118 §4.1: the server selects "sip"; a client that does not offer it is refused below.
    handleProtocols: (protocols) => (protocols.has("sip") ? "sip" : false),
  });

  wss.on("connection", (ws: WebSocket, req) => {
    if (ws.protocol !== "sip") {
      ws.close(1002, "SIP subprotocol required (RFC 7118)");
      return;
    }
    if (hooks.table.full()) {
      hooks.logger.warn({ remote: req.socket.remoteAddress }, "WebSocket refused: connection limit");
      ws.close(1013, "Try again later");
      return;
    }
    const address = req.socket.remoteAddress ?? "0.0.0.0";
    const port = req.socket.remotePort ?? 0;
    const conn: Connection = {
      id: newFlowId(spec.transport),
      transport: spec.transport,
      remoteAddress: address,
      remotePort: port,
      write: (bytes) => new Promise((resolve, reject) => {
        if (ws.readyState !== ws.OPEN) {
          reject(new SipTransportError("flow-closed", `WebSocket ${conn.id} is closed`));
          return;
        }
        // Text frames: SIP is UTF-8 text and browser UAs (sip.js) expect strings (RFC 7118 §5.1 allows both).
        ws.send(bytes, { binary: false }, (err) => (err ? reject(new SipTransportError("send-failed", err.message)) : resolve()));
      }),
      close: () => ws.terminate(),
    };
    hooks.table.add(conn);
    const source: SipPeer = { transport: spec.transport, address, port, flow: conn.id };
    ws.on("message", (data) => {
      hooks.table.touch(conn.id);
      hooks.onFrame(toBuffer(data), source);
    });
    ws.on("error", (err) => hooks.logger.info({ err, flow: conn.id }, "WebSocket error"));
    ws.on("close", () => {
      hooks.table.remove(conn);
      hooks.onClosed(conn);
    });
  });

  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(spec.port, spec.host, () => {
      http.off("error", reject);
      resolve();
    });
  });
  return {
    spec,
    port: () => (http.address() as AddressInfo).port,
    close: () => new Promise((resolve) => {
      for (const c of wss.clients) c.terminate();
      wss.close(() => http.close(() => resolve()));
      http.closeAllConnections?.();
    }),
  };
}
