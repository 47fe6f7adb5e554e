// Socket.IO load for benchmarks/messaging.py, with the official JavaScript client.
//   node load.mjs '<json config>'   ->  prints one JSON line of results
// config: {url, senders: [[uid, token]], receivers: [[uid, token]], transport, window, seconds,
//          warmup, rate (total msg/s, 0 = as fast as acks allow)}
// Sender i sends to receiver i with at most `window` un-acked messages; the body carries the send
// time, so each message:new gives a send -> receive latency. One event loop drives every client, so
// the generator costs a fraction of the CPU python-socketio's threaded clients do.
import { io } from "socket.io-client";
import { randomUUID } from "node:crypto";

const cfg = JSON.parse(process.argv[2]);
const now = () => performance.now();
const connect = ([, token]) => new Promise((resolve, reject) => {
  const s = io(cfg.url, { auth: { token }, transports: [cfg.transport], reconnection: false,
                          forceNew: true, timeout: 20000 });
  s.once("connect", () => resolve(s));
  s.once("connect_error", (e) => reject(e));
});

const receivers = [];
for (const r of cfg.receivers) receivers.push(await connect(r));
const senders = [];
for (const s of cfg.senders) senders.push(await connect(s));

let measuring = false, stopped = false, delivered = 0, errors = 0, firstError = "";
const lat = [];
for (const r of receivers) {
  r.on("message:new", (m) => {
    if (!measuring) return;
    delivered++;
    lat.push(now() - parseFloat(m.body));
  });
}

const interval = cfg.rate ? (1000 * cfg.senders.length) / cfg.rate : 0;
senders.forEach((s, i) => {
  const to = cfg.receivers[i][0];
  let inFlight = 0, n = 0;
  let nextAt = now() + (interval ? (i / cfg.senders.length) * interval : 0);
  const pump = () => {
    while (!stopped && inFlight < cfg.window && (!interval || now() >= nextAt)) {
      inFlight++;
      n++;
      if (interval) nextAt += interval;
      s.emit("message:send", { to, client_id: randomUUID(), body: `${now().toFixed(3)} m${n}` }, (ack) => {
        inFlight--;
        if (!ack || !ack.ok) { errors++; firstError ||= JSON.stringify(ack && ack.error); }
        pump();
      });
    }
    if (!stopped && interval && inFlight < cfg.window) setTimeout(pump, Math.max(0, nextAt - now()));
  };
  pump();
});

await new Promise((r) => setTimeout(r, cfg.warmup * 1000));
measuring = true;
console.log("START");  // messaging.py reads the server's CPU time at START and END
const t0 = now(), c0 = process.cpuUsage();
await new Promise((r) => setTimeout(r, cfg.seconds * 1000));
measuring = false;
const elapsed = (now() - t0) / 1000;
const cpu = process.cpuUsage(c0);
console.log("END");
stopped = true;
for (const s of [...senders, ...receivers]) s.disconnect();
lat.sort((a, b) => a - b);
const pct = (p) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] : NaN);
console.log(JSON.stringify({ delivered, elapsed, p50_ms: pct(0.5), p99_ms: pct(0.99),
  mean_ms: lat.length ? lat.reduce((a, b) => a + b, 0) / lat.length : NaN, errors, first_error: firstError,
  client_cpu_s: (cpu.user + cpu.system) / 1e6 }));
process.exit(0);
