// A minimal XEP-0114 server standing in for Prosody in the gateway CPU benches: accepts the handshake
// without checking it, counts <message/> stanzas, and routes every <iq/> addressed to the component's
// domain straight back to it (what a server does with the delivery barrier, docs/architecture.md).
import { createServer, type Server, type Socket } from "node:net";

export interface FakeServer {
  readonly port: number;
  readonly messages: () => number;
  readonly iqs: () => number;
  close(): Promise<void>;
}

/** Splits complete top-level elements off `buf`; returns them and the unconsumed rest. */
function takeElements(buf: string): { elements: string[]; rest: string } {
  const elements: string[] = [];
  let pos = 0;
  for (;;) {
    const lt = buf.indexOf("<", pos);
    if (lt < 0) return { elements, rest: "" };
    const gt = buf.indexOf(">", lt);
    if (gt < 0) return { elements, rest: buf.slice(lt) };
    let nameEnd = lt + 1;
    while (nameEnd < gt && !" \t\r\n/>".includes(buf[nameEnd]!)) nameEnd++;
    const name = buf.slice(lt + 1, nameEnd);
    let end: number;
    if (buf[gt - 1] === "/" || name.startsWith("?") || name === "stream:stream" || name.startsWith("/")) end = gt + 1;
    else {
      const close = buf.indexOf(`</${name}>`, gt);
      if (close < 0) return { elements, rest: buf.slice(lt) };
      end = close + name.length + 3;
    }
    elements.push(buf.slice(lt, end));
    pos = end;
  }
}

export function startFakeServer(port: number, domain: string): Promise<FakeServer> {
  let messages = 0;
  let iqs = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.setEncoding("utf8");
    let buf = "";
    socket.on("data", (chunk: string) => {
      const { elements, rest } = takeElements(buf + chunk);
      buf = rest;
      let out = "";
      for (const el of elements) {
        if (el.startsWith("<stream:stream")) {
          out += `<?xml version='1.0'?><stream:stream xmlns:stream='http://etherx.jabber.org/streams' xmlns='jabber:component:accept' id='bench${Date.now()}' from='${domain}'>`;
        } else if (el.startsWith("<handshake")) out += "<handshake/>";
        else if (el.startsWith("<message")) messages++;
        else if (el.startsWith("<iq") && (el.includes(`to="${domain}"`) || el.includes(`to='${domain}'`))) {
          iqs++;
          out += el; // routed back to the component, as a server does for a self-addressed IQ
        }
      }
      if (out.length > 0) socket.write(out);
    });
    socket.on("error", () => undefined);
    socket.on("close", () => sockets.delete(socket));
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve({
    port,
    messages: () => messages,
    iqs: () => iqs,
    close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  })));
}

