// Live connections of the connection-oriented transports (TCP, TLS, WS, WSS): lookup by flow id
// (responses and in-dialog requests go back on the connection a request came in on) and by remote
// address (RFC 3261 §18.1.1: reuse an existing connection to the same destination), the connection
// cap, and idle reaping.
import type { SipTransportName } from "../message/types.js";

export interface Connection {
  /** Flow token, unique for the life of the process. */
  readonly id: string;
  readonly transport: SipTransportName;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** Writes one complete message; rejects when the connection is gone. */
  write(bytes: Buffer): Promise<void>;
  /** Closes now; the owner's close handler calls `remove`. */
  close(): void;
}

export interface ConnectionTable {
  add(conn: Connection): void;
  remove(conn: Connection): void;
  byId(id: string): Connection | undefined;
  byRemote(transport: SipTransportName, address: string, port: number): Connection | undefined;
  /** Marks traffic, for idle reaping. */
  touch(id: string): void;
  size(): number;
  full(): boolean;
  /** Closes connections idle for longer than `idleMs`; returns how many. */
  reap(idleMs: number): number;
  all(): Iterable<Connection>;
}

let nextId = 0;
export function newFlowId(transport: SipTransportName): string {
  nextId += 1;
  return `${transport.toLowerCase()}-${nextId.toString(36)}`;
}

function remoteKey(transport: string, address: string, port: number): string {
  return `${transport}|${address}|${port}`;
}

export function createConnectionTable(max: number, now: () => number = Date.now): ConnectionTable {
  const ids = new Map<string, { conn: Connection; last: number }>();
  const remotes = new Map<string, Connection>();
  return {
    add(conn) {
      ids.set(conn.id, { conn, last: now() });
      // The newest connection to an address wins the reuse slot; older ones still serve their flows.
      remotes.set(remoteKey(conn.transport, conn.remoteAddress, conn.remotePort), conn);
    },
    remove(conn) {
      ids.delete(conn.id);
      const key = remoteKey(conn.transport, conn.remoteAddress, conn.remotePort);
      if (remotes.get(key) === conn) remotes.delete(key);
    },
    byId: (id) => ids.get(id)?.conn,
    byRemote: (transport, address, port) => remotes.get(remoteKey(transport, address, port)),
    touch(id) {
      const e = ids.get(id);
      if (e !== undefined) e.last = now();
    },
    size: () => ids.size,
    full: () => ids.size >= max,
    reap(idleMs) {
      const cutoff = now() - idleMs;
      let n = 0;
      for (const { conn, last } of [...ids.values()]) {
        if (last < cutoff) {
          conn.close();
          n += 1;
        }
      }
      return n;
    },
    all: () => [...ids.values()].map((e) => e.conn),
  };
}
