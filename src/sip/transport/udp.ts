// UDP listener (RFC 3261 §18): one datagram is one message.
import { createSocket, type Socket } from "node:dgram";
import { isIPv6 } from "node:net";
import type { Logger } from "pino";
import type { SipPeer } from "../message/types.js";
import { SipTransportError, type SipListenSpec } from "./types.js";

export interface UdpListener {
  readonly spec: SipListenSpec;
  port(): number;
  send(bytes: Buffer, host: string, port: number): Promise<void>;
  close(): Promise<void>;
}

export async function listenUdp(
  spec: SipListenSpec, onDatagram: (bytes: Buffer, source: SipPeer) => void, logger: Logger,
): Promise<UdpListener> {
  const socket: Socket = createSocket({ type: isIPv6(spec.host) ? "udp6" : "udp4", reuseAddr: false });
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
  // Bigger kernel buffers absorb bursts (thousands of requests/s) while the event loop is busy.
  try {
    socket.setRecvBufferSize(4 * 1024 * 1024);
    socket.setSendBufferSize(4 * 1024 * 1024);
  } catch { /* capped by net.core.rmem_max: keep the default */ }
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
