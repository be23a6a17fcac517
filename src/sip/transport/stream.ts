// TCP and TLS (RFC 3261 §18): listener, outbound connections on demand with a connect timeout, and
// per-connection stream framing. Every connection, inbound or outbound, is a flow in the table.
import { connect as netConnect, createServer as createNetServer, isIP, type AddressInfo, type Server, type Socket } from "node:net";
import { connect as tlsConnect, createServer as createTlsServer } from "node:tls";
import type { Logger } from "pino";
import type { SipParseError, SipPeer, SipTransportName } from "../message/types.js";
import { createSipStreamFramer } from "../transaction/message-api.js";
import { newFlowId, type Connection, type ConnectionTable } from "./connections.js";
import { SipTransportError, type SipListenSpec, type SipTlsOptions } from "./types.js";

export interface StreamHooks {
  readonly table: ConnectionTable;
  readonly maxBytes: number;
  readonly connectTimeoutMs: number;
  readonly logger: Logger;
  onFrame(bytes: Buffer, source: SipPeer): void;
  /** The stream cannot be framed: answer if possible; the connection is closed right after. */
  onFramingError(error: SipParseError, source: SipPeer): Promise<void>;
  onClosed(conn: Connection): void;
}

export interface StreamListener {
  readonly spec: SipListenSpec;
  port(): number;
  /** Opens an outbound connection (TLS verifies the server against `tls.ca` unless told not to). */
  connect(host: string, port: number): Promise<Connection>;
  close(): Promise<void>;
}

/** How long a connection that failed framing stays half-closed for its error response to drain. */
const FRAMING_ERROR_LINGER_MS = 1000;

/** Wraps a connected socket as a flow: framing in, whole messages out. */
function attach(socket: Socket, transport: SipTransportName, hooks: StreamHooks): Connection {
  const address = socket.remoteAddress ?? "0.0.0.0";
  const port = socket.remotePort ?? 0;
  const framer = createSipStreamFramer({ maxBytes: hooks.maxBytes });
  const conn: Connection = {
    id: newFlowId(transport),
    transport,
    remoteAddress: address,
    remotePort: port,
    write: (bytes) => new Promise((resolve, reject) => {
      if (socket.destroyed || !socket.writable) {
        reject(new SipTransportError("flow-closed", `${transport} connection ${conn.id} is closed`));
        return;
      }
      socket.write(bytes, (err) => (err ? reject(new SipTransportError("send-failed", err.message)) : resolve()));
    }),
    close: () => socket.destroy(),
  };
  const source: SipPeer = { transport, address, port, flow: conn.id };
  hooks.table.add(conn);
  socket.setNoDelay(true);
  socket.on("data", (chunk: Buffer) => {
    hooks.table.touch(conn.id);
    for (const ev of framer.push(chunk)) {
      if (ev.kind === "message") hooks.onFrame(ev.bytes, source);
      else if (ev.kind === "ping") socket.write("\r\n"); // RFC 5626 §4.4.1 pong
      else if (ev.kind === "error") {
        // RFC 3261 §18.3: without a usable Content-Length the stream is lost; answer, then close.
        // end() alone half-closes: a peer that never stops writing (nothing reads any more) would
        // hold the connection until the idle reaper, so it is destroyed once the answer had time to go.
        void hooks.onFramingError(ev.error, source).finally(() => {
          socket.end();
          setTimeout(() => socket.destroy(), FRAMING_ERROR_LINGER_MS).unref();
        });
        socket.pause();
        return;
      }
    }
  });
  socket.on("error", (err) => hooks.logger.debug({ err, flow: conn.id }, "stream socket error"));
  socket.on("close", () => {
    hooks.table.remove(conn);
    hooks.onClosed(conn);
  });
  return conn;
}

function tlsServerOptions(tls: SipTlsOptions) {
  return { cert: tls.cert, key: tls.key, ca: tls.ca as (string | Buffer)[] | undefined, requestCert: tls.requestCert ?? false, rejectUnauthorized: tls.requestCert ?? false };
}

export async function listenStream(spec: SipListenSpec, hooks: StreamHooks): Promise<StreamListener> {
  const transport = spec.transport;
  const isTls = transport === "TLS";
  if (isTls && spec.tls === undefined) throw new TypeError("TLS listener needs tls options (cert, key)");
  const onSocket = (socket: Socket): void => {
    if (hooks.table.full()) {
      hooks.logger.warn({ remote: socket.remoteAddress, transport }, "connection refused: connection limit");
      socket.destroy();
      return;
    }
    attach(socket, transport, hooks);
  };
  const server: Server = isTls
    ? createTlsServer(tlsServerOptions(spec.tls!), onSocket)
    : createNetServer(onSocket);
  if (isTls) server.on("tlsClientError", (err: Error) => hooks.logger.info({ err }, "TLS handshake failed"));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(spec.port, spec.host, () => {
      server.off("error", reject);
      resolve();
    });
  });

  return {
    spec,
    port: () => (server.address() as AddressInfo).port,
    connect(host, port) {
      if (hooks.table.full()) return Promise.reject(new SipTransportError("connection-limit", `${transport} to ${host}:${port}`));
      return new Promise<Connection>((resolve, reject) => {
        const socket = isTls
          ? tlsConnect({ host, port, ca: spec.tls?.ca as (string | Buffer)[] | undefined, servername: isIP(host) === 0 ? host : undefined, rejectUnauthorized: spec.tls?.rejectUnauthorized ?? true })
          : netConnect({ host, port });
        const timer = setTimeout(() => {
          socket.destroy();
          reject(new SipTransportError("connect-timeout", `${transport} to ${host}:${port} after ${hooks.connectTimeoutMs} ms`));
        }, hooks.connectTimeoutMs);
        const ready = isTls ? "secureConnect" : "connect";
        socket.once(ready, () => {
          clearTimeout(timer);
          socket.removeAllListeners("error");
          resolve(attach(socket, transport, hooks));
        });
        socket.once("error", (err) => {
          clearTimeout(timer);
          reject(new SipTransportError("connect-failed", `${transport} to ${host}:${port}: ${err.message}`));
        });
      });
    },
    close: () => new Promise((resolve) => {
      for (const c of hooks.table.all()) if (c.transport === transport) c.close();
      server.close(() => resolve());
    }),
  };
}
