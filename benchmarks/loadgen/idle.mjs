// Idle Socket.IO connections for benchmarks/messaging.py, with the official JavaScript client.
//   node idle.mjs <json config file>  ->  prints one JSON line once every connection is up, then holds
//   them until stdin closes.
// config: {url, tokens: [token per connection], concurrency}
// `concurrency` connections are being opened at any moment, as devices reconnect after a server
// restart; one event loop, so the generator is not what limits the rate.
import { readFileSync } from "node:fs";
import { io } from "socket.io-client";

const cfg = JSON.parse(readFileSync(process.argv[2], "utf8"));  // 10,000 tokens do not fit in an argument
const open = (token) => new Promise((resolve, reject) => {
  const s = io(cfg.url, { auth: { token }, transports: ["websocket"], reconnection: false,
                          forceNew: true, timeout: 30000 });
  s.once("connect", () => resolve(s));
  s.once("connect_error", (e) => reject(new Error(`refused: ${e.message}`)));
});

const sockets = [];
let next = 0;
const t0 = performance.now(), c0 = process.cpuUsage();
const lane = async () => {
  while (next < cfg.tokens.length) sockets.push(await open(cfg.tokens[next++]));
};
await Promise.all(Array.from({ length: cfg.concurrency }, lane));
const elapsed = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(c0);
console.log(JSON.stringify({ connections: sockets.length, elapsed, client_cpu_s: (cpu.user + cpu.system) / 1e6 }));
process.stdin.resume();
process.stdin.on("end", () => { for (const s of sockets) s.close(); process.exit(0); });
