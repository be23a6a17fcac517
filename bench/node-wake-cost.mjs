// What one event costs a bare Node process on this machine, without any gateway code: a timer writes a
// 100-byte stanza-sized string to a loopback TCP socket RATE times a second for 5 s (the server side,
// in the same process, reads it), and the process's CPU per write is printed. At low rates every write
// is its own wake-up from idle, which is what the gateway's per-message figures at low rates measure
// too (docs/benchmarks.md, "Machine load"). Not part of the test suite.
//   node bench/node-wake-cost.mjs [RATE ...]      e.g. node bench/node-wake-cost.mjs 100 1000 5000
import net from "node:net";

const MSG = "<message from='a@b' to='c@d' id='x' type='chat'><body>hello world hello world hello</body></message>";

async function measure(rate) {
  const srv = net.createServer((s) => s.on("data", () => undefined));
  await new Promise((r) => srv.listen(0, "127.0.0.1", r));
  const c = net.connect(srv.address().port, "127.0.0.1");
  c.setNoDelay(true);
  await new Promise((r) => c.on("connect", r));
  const u0 = process.cpuUsage();
  const t0 = Date.now();
  let n = 0;
  await new Promise((done) => {
    const iv = setInterval(() => {
      c.write(MSG);
      n++;
      if (Date.now() - t0 >= 5000) { clearInterval(iv); done(); }
    }, 1000 / rate);
  });
  const u = process.cpuUsage(u0);
  c.destroy();
  srv.close();
  // Timers fire at ≥ 1 ms intervals, so rates above 1000/s are capped by setInterval: writes counted, not assumed.
  console.log(JSON.stringify({ rate, writes: n, usPerWrite: +((u.user + u.system) / n).toFixed(1), userUs: +(u.user / n).toFixed(1), systemUs: +(u.system / n).toFixed(1) }));
}

for (const r of process.argv.slice(2).length > 0 ? process.argv.slice(2).map(Number) : [100, 1000]) await measure(r);
