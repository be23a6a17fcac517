// UDP listener (RFC 3261 §18): one datagram is one message.
import { createSocket, type Socket } from "node:dgram";
import { lookup as dnsLookup, type LookupOneOptions } from "node:dns";
import { isIP, isIPv6 } from "node:net";
import type { Logger } from "pino";
import type { SipPeer } from "../message/types.js";
import { SipTransportError, type SipListenSpec } from "./types.js";

export interface UdpListener {
  readonly spec: SipListenSpec;
  port(): number;
  send(bytes: Buffer, host: string, port: number): Promise<void>;
  close(): Promise<void>;
}

const DEFAULT_BUFFER_BYTES = 4 * 1024 * 1024;

/**
 * Requests a socket buffer size and logs what the kernel granted. Set after bind rather than through
 * createSocket's recvBufferSize/sendBufferSize: Node applies those inside the bind callback and throws
 * there if setsockopt fails (e.g. ENOBUFS above macOS kern.ipc.maxsockbuf), which nothing could catch.
 * Linux caps the request at net.core.rmem_max / wmem_max without an error and reports twice the value
 * it set (socket(7): the doubling is its bookkeeping overhead), so half the report is compared.
 */
function setBuffer(socket: Socket, which: "receive" | "send", requested: number, logger: Logger): void {
  if (requested <= 0) return;
  try {
    if (which === "receive") socket.setRecvBufferSize(requested);
    else socket.setSendBufferSize(requested);
  } catch (err) {
    logger.warn({ err, requested }, `UDP ${which} buffer size refused: OS default kept`);
    return;
  }
  const reported = which === "receive" ? socket.getRecvBufferSize() : socket.getSendBufferSize();
  const granted = process.platform === "linux" ? Math.floor(reported / 2) : reported;
  const sysctl = which === "receive" ? "net.core.rmem_max" : "net.core.wmem_max";
  if (granted < requested) logger.warn({ requested, granted, reported }, `UDP ${which} buffer smaller than configured (raise ${sysctl})`);
  else logger.info({ requested, granted, reported }, `UDP ${which} buffer set`);
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;

/**
 * dgram looks every destination up before each send; for the IP literals the transport layer passes
 * (RFC 3263 resolution happened before), Node's dns.lookup answers on the next tick. This answers at
 * once, so a datagram goes out inside send() with no tick and no lookup per message; names still go
 * to dns.lookup.
 */
function literalLookup(hostname: string, options: LookupOneOptions | number, callback: LookupCallback): void {
  const family = isIP(hostname);
  if (family !== 0) callback(null, hostname, family);
  else if (typeof options === "number") dnsLookup(hostname, options, callback);
  else dnsLookup(hostname, options, callback);
}

export async function listenUdp(
  spec: SipListenSpec, onDatagram: (bytes: Buffer, source: SipPeer) => void, logger: Logger,
): Promise<UdpListener> {
  const socket: Socket = createSocket({ type: isIPv6(spec.host) ? "udp6" : "udp4", reuseAddr: false, lookup: literalLookup });
  socket.on("message", (bytes, rinfo) => {
    onDatagram(bytes, { transport: "UDP", address: rinfo.address, port: rinfo.port });
  });
  // A bound UDP socket only errors on send failures we already see in callbacks; log, never throw.
  socket.on("error", (err) => logger.warn({ err }, "UDP socket error"));
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(spec.port, spec.host, () => {
      socket.off("error", reject);
      resolve();
    });
  });
  // Bigger kernel buffers absorb bursts (thousands of datagrams/s) while the event loop is busy: a
  // datagram that does not fit is dropped by the kernel and costs a retransmission (RFC 3261 §17.1.2.2).
  setBuffer(socket, "receive", spec.receiveBufferBytes ?? DEFAULT_BUFFER_BYTES, logger);
  setBuffer(socket, "send", spec.sendBufferBytes ?? DEFAULT_BUFFER_BYTES, logger);
  let open = true;
  return {
    spec,
    port: () => socket.address().port,
    send(bytes, host, port) {
      if (!open) return Promise.reject(new SipTransportError("send-failed", "UDP socket closed"));
      return new Promise((resolve, reject) => {
        socket.send(bytes, port, host, (err) => {
          if (err) reject(new SipTransportError("send-failed", `UDP to ${host}:${port}: ${err.message}`));
          else resolve();
        });
      });
    },
    close() {
      open = false;
      return new Promise((resolve) => socket.close(() => resolve()));
    },
  };
}
