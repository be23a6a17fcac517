// Heap held per live UDP non-INVITE server transaction (the Completed state kept for Timer J,
// 64·T1 = 32 s: ~160k of them at 5000 MESSAGE/s, so every byte here is copied by the GC twice and
// then marked for 32 s). The stack answers 200 in this process; a UDP socket in the same process sends
// N MESSAGEs shaped like SIPp's (bench/im-sip-to-xmpp.ts), paced so the kernel drops none; heap after a
// full GC before and after, divided by N. Not part of the test suite. Run:
//   node --expose-gc --import ./scripts/ts-register.mjs bench/sip-tx-heap.ts [--n 20000] [--snapshot FILE]
import pino from "pino";
import { createSocket } from "node:dgram";
import { writeHeapSnapshot } from "node:v8";
import { createSipStack } from "../src/sip/stack.js";

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] ?? dflt : dflt;
}

async function main(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("run with node --expose-gc");
  const n = Number(arg("n", "20000"));
  const stack = createSipStack({ listen: [{ transport: "UDP", host: "127.0.0.1", port: 0 }], logger: pino({ level: "silent" }) });
  await stack.start();
  let answered = 0;
  stack.onRequest((tx) => { answered++; tx.respond(200); });
  const port = stack.localContact("UDP").port;
  const sender = createSocket("udp4");
  sender.on("message", () => undefined);
  await new Promise<void>((r) => sender.bind(0, "127.0.0.1", () => r()));
  const lp = sender.address().port;
  const message = (i: number) => Buffer.from(
    `MESSAGE sip:alice@xmpp.example SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${lp};branch=z9hG4bK-${i}-1\r\nMax-Forwards: 70\r\n`
    + `From: <sip:bob@sip.example>;tag=${i}SIPpTag00${i}\r\nTo: <sip:alice@xmpp.example>\r\nCall-ID: ${i}-4711@127.0.0.1\r\n`
    + `CSeq: 1 MESSAGE\r\nContent-Type: text/plain;charset=UTF-8\r\nContent-Length: 170\r\n\r\n${"x".repeat(170)}`);
  const send = async (from: number, count: number) => {
    for (let i = from; i < from + count; i++) {
      sender.send(message(i), port, "127.0.0.1");
      if (i % 20 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    while (answered < from + count) await new Promise((r) => setTimeout(r, 10));
  };
  await send(0, 2000); // warm-up
  await new Promise((r) => setTimeout(r, 200));
  gc(); gc();
  const h0 = process.memoryUsage().heapUsed;
  console.error("# measured batches start"); // markers for --trace-gc-nvp sums
  await send(2000, n);
  console.error("# measured batches end");
  await new Promise((r) => setTimeout(r, 200));
  gc(); gc();
  const h1 = process.memoryUsage().heapUsed;
  console.log(JSON.stringify({ n, liveTransactions: stack.stats().transactions, heapBytesPerTransaction: Math.round((h1 - h0) / n) }));
  const snapshot = arg("snapshot", "");
  if (snapshot) console.log(`heap snapshot: ${writeHeapSnapshot(snapshot)}`);
  sender.close();
  await stack.close();
}

main().then(() => process.exit(0), (err: unknown) => { console.error(err); process.exit(1); });
