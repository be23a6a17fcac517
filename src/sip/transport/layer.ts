// The transport layer (RFC 3261 §18): listeners for UDP, TCP, TLS, WS/WSS behind one interface;
// the receive pipeline (size limit → parse → 400/505 or drop → Via received/rport → rate limit);
// the send side (flow reuse, connection reuse by address, §18.1.1 UDP→TCP for large requests,
// §18.2.2 response routing). Nothing thrown below a socket handler escapes it.
import { networkInterfaces } from "node:os";
import type { Logger } from "pino";
import type { SipMessage, SipParseError, SipPeer, SipRequest, SipResponse, SipTransportName } from "../message/types.js";
import { createResponse, parseMessage, parseVia, serializeMessage } from "../transaction/message-api.js";
import { createConnectionTable, type Connection } from "./connections.js";
import { createRateLimiter } from "./rate-limit.js";
import { stampReceived } from "./received.js";
import { routeResponse } from "./response-route.js";
import { listenStream, type StreamListener } from "./stream.js";
import {
  isReliable, SipTransportError, type SentMessage, type SipDestination, type SipListening, type SipListenSpec,
  type SipReceiveHandler, type SipTarget, type SipTransportLayer, type SipTransportLimits,
} from "./types.js";
import { listenUdp, type UdpListener } from "./udp.js";
import { listenWs, type WsListener } from "./ws.js";

/** RFC 3261 §18.1.1: above this size a UDP request goes over a congestion-controlled transport. */
export const UDP_MTU_LIMIT = 1300;
const DEFAULT_STREAM_MAX = 256 * 1024;

export interface TransportLayerOptions {
  readonly listen: readonly SipListenSpec[];
  readonly logger: Logger;
  readonly limits?: SipTransportLimits;
}

interface Bound {
  readonly spec: SipListenSpec;
  readonly udp?: UdpListener;
  readonly stream?: StreamListener;
  readonly ws?: WsListener;
  info: SipListening;
}

/** A wildcard bind address is not something a peer can reach: advertise a real interface address. */
function defaultAdvertisedHost(host: string): string {
  if (host !== "0.0.0.0" && host !== "::") return host;
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  }
  return "127.0.0.1";
}

function hostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

export function createTransportLayer(opts: TransportLayerOptions): SipTransportLayer {
  const log = opts.logger;
  const limits = opts.limits ?? {};
  const table = createConnectionTable(limits.maxConnections ?? 10_000);
  const limiter = limits.rateLimit === undefined ? undefined : createRateLimiter(limits.rateLimit);
  const bound = new Map<SipTransportName, Bound>(); // first listener per transport sends
  const all: Bound[] = [];
  let onReceive: SipReceiveHandler = () => undefined;
  let onFlowClosed: (flow: string) => void = () => undefined;
  let reaper: ReturnType<typeof setInterval> | undefined;

  const maxBytes = (t: SipTransportName): number => limits.maxMessageBytes?.[t] ?? (t === "UDP" ? 65_535 : DEFAULT_STREAM_MAX);

  function ingest(bytes: Uint8Array, source: SipPeer): void {
    try {
      const parsed = parseMessage(bytes, { maxBytes: maxBytes(source.transport) });
      if (!parsed.ok) return void refuse(parsed.error, source);
      const msg = parsed.message;
      msg.source = source;
      if (msg.kind === "request" && !admit(msg, source)) return;
      onReceive(msg, source);
    } catch (err) {
      log.error({ err, source }, "SIP receive pipeline threw");
    }
  }

  /** RFC 3261 §18.2.1 stamping and the per-IP rate limit; false when the request stops here. */
  function admit(req: SipRequest, source: SipPeer): boolean {
    stampReceived(req, source);
    if (limiter === undefined) return true;
    const decision = limiter.check(source.address);
    if (decision === "accept") return true;
    if (decision === "reject-503" && req.method !== "ACK") {
      const retry = String(limits.rateLimit?.retryAfterSeconds ?? 5);
      log.warn({ source, method: req.method }, "rate limit: 503 sent, further requests of this burst dropped");
      void sendResponse(createResponse(req, 503, "Service Unavailable", { headers: { "retry-after": retry } }), source).catch(() => undefined);
    } else {
      log.debug({ source, method: req.method }, "rate limit: request dropped");
    }
    return false;
  }

  /** Malformed input: the parser's exact status back when answerable (§8.2, §21.4), else one log line. */
  async function refuse(error: SipParseError, source: SipPeer): Promise<void> {
    if (!error.answerable || error.partial === undefined) {
      log.info({ source, status: error.status, reason: error.reason }, "unparseable SIP message dropped");
      return;
    }
    stampReceived(error.partial, source);
    log.info({ source, status: error.status, reason: error.reason }, "malformed SIP request answered");
    await sendResponse(createResponse(error.partial, error.status, error.reason), source).catch((err: unknown) =>
      log.info({ err, source }, "error response could not be sent"));
  }

  function listenerFor(t: SipTransportName): Bound {
    const b = bound.get(t);
    if (b === undefined) throw new SipTransportError("no-listener", `no ${t} listener`);
    return b;
  }

  // Connects in progress per target: requests sent together to a new target share one connection
  // instead of racing to open one each (500 SUBSCRIBEs at once once made 500 connections).
  const connecting = new Map<string, Promise<Connection>>();
  async function connectionTo(t: SipTransportName, host: string, port: number): Promise<Connection> {
    const existing = table.byRemote(t, host, port);
    if (existing !== undefined) return existing;
    if (t === "WS" || t === "WSS") throw new SipTransportError("flow-closed", `no ${t} connection from ${host}:${port}`);
    const stream = listenerFor(t).stream;
    if (stream === undefined) throw new SipTransportError("no-listener", `no ${t} listener`);
    const key = `${t} ${host} ${port}`;
    const pending = connecting.get(key);
    if (pending !== undefined) return pending;
    const attempt = stream.connect(host, port).finally(() => connecting.delete(key));
    connecting.set(key, attempt);
    return attempt;
  }

  async function writeConn(conn: Connection, bytes: Buffer): Promise<SentMessage> {
    await conn.write(bytes);
    table.touch(conn.id);
    return { bytes, peer: { transport: conn.transport, address: conn.remoteAddress, port: conn.remotePort, flow: conn.id } };
  }

  async function deliver(bytes: Buffer, target: SipTarget): Promise<SentMessage> {
    if (target.transport === "UDP") {
      await listenerFor("UDP").udp!.send(bytes, target.host, target.port);
      return { bytes, peer: { transport: "UDP", address: target.host, port: target.port } };
    }
    return writeConn(await connectionTo(target.transport, target.host, target.port), bytes);
  }

  /** A destination's live connection, if it names a flow that still exists. */
  function liveFlow(dest: SipDestination): Connection | undefined {
    const flow = (dest as SipPeer).flow;
    return flow === undefined ? undefined : table.byId(flow);
  }

  function stampVia(req: SipRequest, t: SipTransportName, branch: string, replaceTop: boolean): void {
    const adv = listenerFor(t).info;
    const via = `SIP/2.0/${t} ${hostPort(adv.advertisedHost, adv.advertisedPort)};rport;branch=${branch}`;
    if (replaceTop) {
      const vias = req.headers.getAll("via");
      req.headers.set("via", [via, ...vias.slice(1)]);
    } else req.headers.prepend("via", via);
  }

  async function sendRequest(req: SipRequest, dest: SipDestination, branch: string): Promise<SentMessage> {
    const conn = liveFlow(dest);
    if (conn !== undefined) {
      stampVia(req, conn.transport, branch, false);
      return writeConn(conn, serializeMessage(req));
    }
    if ((dest as SipPeer).flow !== undefined && (dest.transport === "WS" || dest.transport === "WSS")) {
      throw new SipTransportError("flow-closed", `${dest.transport} flow ${(dest as SipPeer).flow} is gone`);
    }
    const target: SipTarget = { transport: dest.transport, host: (dest as SipTarget).host ?? (dest as SipPeer).address, port: dest.port };
    stampVia(req, target.transport, branch, false);
    let bytes = serializeMessage(req);
    if (target.transport === "UDP" && bytes.length > UDP_MTU_LIMIT) {
      // §18.1.1: a large request goes over TCP to the same address; with no TCP here it cannot go.
      if (!bound.has("TCP")) throw new SipTransportError("too-large", `${bytes.length}-byte request exceeds the UDP limit and no TCP transport is configured`);
      stampVia(req, "TCP", branch, true);
      bytes = serializeMessage(req);
      try {
        return await deliver(bytes, { ...target, transport: "TCP" });
      } catch (err) {
        // The brief's rule (stricter than §18.1.1's SHOULD-retry-on-UDP): the caller sees the failure.
        throw new SipTransportError("too-large", `${bytes.length}-byte request: TCP to ${target.host}:${target.port} failed (${(err as Error).message})`);
      }
    }
    return deliver(bytes, target);
  }

  async function sendResponse(res: SipResponse, source?: SipPeer): Promise<SentMessage> {
    const raw = res.headers.get("via");
    const via = raw === undefined ? null : parseVia(raw);
    const route = via === null ? undefined : routeResponse(via, source ?? res.source);
    if (route === undefined) throw new SipTransportError("send-failed", "response has no usable top Via");
    const bytes = serializeMessage(res);
    if (route.kind === "flow") {
      const conn = table.byId(route.flow);
      if (conn !== undefined) return writeConn(conn, bytes);
      return deliver(bytes, route.fallback);
    }
    return deliver(bytes, route.target);
  }

  function hooksFor(t: SipTransportName) {
    return {
      table,
      maxBytes: maxBytes(t),
      connectTimeoutMs: limits.connectTimeoutMs ?? 5000,
      logger: log,
      onFrame: ingest,
      onFramingError: (error: SipParseError, source: SipPeer) => refuse(error, source),
      onClosed: (conn: Connection) => {
        try { onFlowClosed(conn.id); } catch (err) { log.error({ err }, "flow-closed handler threw"); }
      },
    };
  }

  return {
    async start() {
      for (const spec of opts.listen) {
        const t = spec.transport;
        const udp = t === "UDP" ? await listenUdp(spec, ingest, log) : undefined;
        const stream = t === "TCP" || t === "TLS" ? await listenStream(spec, hooksFor(t)) : undefined;
        const ws = t === "WS" || t === "WSS" ? await listenWs(spec, hooksFor(t)) : undefined;
        const port = (udp ?? stream ?? ws)!.port();
        const info: SipListening = {
          transport: t, host: spec.host, port,
          advertisedHost: spec.advertisedHost ?? defaultAdvertisedHost(spec.host),
          advertisedPort: spec.advertisedPort ?? port,
        };
        const b: Bound = { spec, udp, stream, ws, info };
        all.push(b);
        if (!bound.has(t)) bound.set(t, b);
      }
      const idle = limits.idleTimeoutMs ?? 300_000;
      reaper = setInterval(() => {
        const n = table.reap(idle);
        if (n > 0) log.debug({ closed: n }, "idle connections reaped");
      }, Math.max(1000, Math.min(idle / 4, 30_000)));
      reaper.unref();
    },
    onReceive(h) { onReceive = h; },
    onFlowClosed(h) { onFlowClosed = h; },
    sendRequest,
    async send(msg: SipMessage, dest: SipDestination) {
      const bytes = serializeMessage(msg);
      const conn = liveFlow(dest);
      if (conn !== undefined) return writeConn(conn, bytes);
      return deliver(bytes, { transport: dest.transport, host: (dest as SipTarget).host ?? (dest as SipPeer).address, port: dest.port });
    },
    sendResponse,
    async resend(sent) {
      if (sent.peer.flow !== undefined) {
        const conn = table.byId(sent.peer.flow);
        if (conn === undefined) throw new SipTransportError("flow-closed", `flow ${sent.peer.flow} is gone`);
        await conn.write(sent.bytes);
      } else if (!isReliable(sent.peer.transport)) {
        await listenerFor("UDP").udp!.send(sent.bytes, sent.peer.address, sent.peer.port);
      }
    },
    listening: () => all.map((b) => b.info),
    connections: () => table.size(),
    async close() {
      if (reaper !== undefined) clearInterval(reaper);
      await Promise.all(all.map((b) => (b.udp ?? b.stream ?? b.ws)!.close()));
    },
  };
}
