// Raw SIP over node sockets for the hostile-input tests: craft any bytes, read back every response.
import { createSocket } from "node:dgram";
import { connect, type Socket } from "node:net";

export interface SipResponseLine {
  readonly status: number;
  readonly reason: string;
  readonly text: string;
  header(name: string): string | undefined;
}

export function parseResponses(text: string): SipResponseLine[] {
  const out: SipResponseLine[] = [];
  for (const m of text.split(/(?=SIP\/2\.0 \d{3} )/)) {
    const line = /^SIP\/2\.0 (\d{3}) ([^\r\n]*)\r\n/.exec(m);
    if (line === null) continue;
    out.push({
      status: Number(line[1]), reason: line[2]!, text: m,
      header: (name) => new RegExp(`^${name}[ \\t]*:[ \\t]*([^\\r\\n]*)`, "im").exec(m)?.[1],
    });
  }
  return out;
}

let seq = 0;
/** A request with every mandatory header (RFC 3261 §8.1.1); `over` replaces or removes (null) headers. */
export function request(opts: {
  readonly method?: string; readonly uri?: string; readonly transport?: "UDP" | "TCP"; readonly port?: number;
  readonly from?: string; readonly to?: string; readonly body?: string | Buffer; readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string | null>>;
}): Buffer {
  const n = ++seq;
  const method = opts.method ?? "MESSAGE";
  const body = typeof opts.body === "string" ? Buffer.from(opts.body, "utf8") : (opts.body ?? Buffer.alloc(0));
  const h: Record<string, string | null> = {
    Via: `SIP/2.0/${opts.transport ?? "UDP"} 127.0.0.1:${opts.port ?? 9};rport;branch=z9hG4bK-hostile-${process.pid}-${n}`,
    "Max-Forwards": "70",
    From: `<${opts.from ?? "sip:bob@sip.example"}>;tag=h${n}`,
    To: `<${opts.to ?? opts.uri ?? "sip:alice@xmpp.example"}>`,
    "Call-ID": `hostile-${process.pid}-${n}@127.0.0.1`,
    CSeq: `1 ${method}`,
    ...(body.length > 0 || opts.contentType !== undefined ? { "Content-Type": opts.contentType ?? "text/plain" } : {}),
    ...opts.headers,
  };
  const head = Object.entries(h).filter(([, v]) => v !== null).map(([k, v]) => `${k}: ${v}`).join("\r\n");
  const cl = opts.headers?.["Content-Length"] === undefined ? `\r\nContent-Length: ${body.length}` : "";
  return Buffer.concat([Buffer.from(`${method} ${opts.uri ?? "sip:alice@xmpp.example"} SIP/2.0\r\n${head}${cl}\r\n\r\n`, "utf8"), body]);
}

export interface UdpPeer {
  readonly port: number;
  /** Sends one datagram and waits up to `ms` for `count` responses (fewer when none come). */
  /**
   * `callId` counts only answers carrying that Call-ID towards `count`: a late final answer to an
   * earlier request (one whose Via says rport, say) must not end the wait for this one's.
   */
  exchange(bytes: Buffer, gatewayPort: number, opts?: { readonly ms?: number; readonly count?: number; readonly callId?: string }): Promise<SipResponseLine[]>;
  close(): void;
}

export async function udpPeer(): Promise<UdpPeer> {
  const sock = createSocket("udp4");
  let got: string[] = [];
  sock.on("message", (m) => got.push(m.toString("utf8")));
  await new Promise<void>((r) => sock.bind(0, "127.0.0.1", () => r()));
  return {
    port: sock.address().port,
    async exchange(bytes, gatewayPort, o = {}) {
      got = [];
      await new Promise<void>((res, rej) => sock.send(bytes, gatewayPort, "127.0.0.1", (e) => (e ? rej(e) : res())));
      const end = Date.now() + (o.ms ?? 3000);
      // Provisional 100s are not sent for non-INVITE over UDP by us, but wait for the final one anyway.
      while (Date.now() < end) {
        const final = parseResponses(got.join("")).filter((r) => r.status >= 200 && (o.callId === undefined || r.header("Call-ID") === o.callId));
        if (final.length >= (o.count ?? 1)) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      return parseResponses(got.join(""));
    },
    close: () => sock.close(),
  };
}

export interface TcpResult {
  readonly responses: SipResponseLine[];
  /** The gateway closed the connection. */
  readonly closed: boolean;
  /** Bytes accepted by write() before the connection went away. */
  readonly written: number;
}

/**
 * Connects, writes `chunks` (stopping when the peer closes), and waits for `count` final responses or
 * the close, up to `ms`.
 */
export async function tcpExchange(port: number, chunks: readonly Buffer[], o: { readonly ms?: number; readonly count?: number; readonly keepOpen?: boolean; readonly untilClosed?: boolean } = {}): Promise<TcpResult & { socket: Socket }> {
  const socket = connect(port, "127.0.0.1");
  await new Promise<void>((res, rej) => { socket.once("connect", () => res()); socket.once("error", rej); });
  let data = "";
  let closed = false;
  let written = 0;
  const writeDeadline = Date.now() + (o.ms ?? 3000);
  socket.on("data", (d) => { data += d.toString("utf8"); });
  socket.on("error", () => { closed = true; });
  socket.on("close", () => { closed = true; });
  // A write that never drains (the gateway stopped reading) ends when the gateway closes.
  for (const c of chunks) {
    if (closed || Date.now() > writeDeadline) break;
    const ok = socket.write(c);
    written += c.length;
    if (!ok) {
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.max(0, writeDeadline - Date.now()));
        const go = () => { clearTimeout(t); r(); };
        socket.once("drain", go);
        socket.once("close", go);
      });
    }
  }
  const end = Date.now() + (o.ms ?? 3000);
  const done = () => closed || (!o.untilClosed && parseResponses(data).filter((r) => r.status >= 200).length >= (o.count ?? 1));
  while (Date.now() < end && !done()) {
    await new Promise((r) => setTimeout(r, 20));
  }
  if (!o.keepOpen) socket.destroy();
  return { responses: parseResponses(data), closed, written, socket };
}
