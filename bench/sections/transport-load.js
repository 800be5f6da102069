#!/usr/bin/env node
// Load generator for the transport bench, run as its own process (the load must not share
// an event loop with the server nor with the process that measures). One JSON line out.
//
//   node bench/sections/transport-load.js '<json options>'
//   options: { kind: "http-keepalive" | "http-close" | "ws" | "udp", host, port, clients,
//              rate: total requests/s (0 = as fast as each client can, one in flight per
//              client), durationMs }
//
// Every request is EM.GetStatus {id:0}. Fixed-rate runs are open loop: each client has a
// schedule (rate/clients per second, staggered) and sends every due request even while
// earlier ones are unanswered, so a stall shows up in the percentiles instead of lowering
// the rate. Latency counts from the moment of sending (our timers fire up to ~1 ms late;
// that lateness is the load generator's, not the server's).
// Output: { kind, requests, errors, seconds, rps, p50_ms, p90_ms, p99_ms, max_ms }.

import dgram from "node:dgram";
import http from "node:http";
import WebSocket from "ws";

const opts = JSON.parse(process.argv[2] ?? "{}");
const { kind, host = "127.0.0.1", port, clients = 8, rate = 0, durationMs = 3000 } = opts;
const PATH = "/rpc/EM.GetStatus?id=0";
const latencies = [];
let errors = 0;
let requests = 0;

function httpClient(keepAlive) {
  const agent = keepAlive ? new http.Agent({ keepAlive: true, maxSockets: 1 }) : false;
  return {
    ready: Promise.resolve(),
    ask(done) {
      const req = http.request({ host, port, path: PATH, agent, headers: keepAlive ? {} : { Connection: "close" } }, (res) => {
        let size = 0;
        res.on("data", (c) => (size += c.length));
        res.on("end", () => done(res.statusCode === 200 && size > 200));
      });
      req.on("error", () => done(false));
      req.end();
    },
    close() {
      if (agent) agent.destroy();
    },
  };
}

function wsClient(index) {
  const socket = new WebSocket(`ws://${host}:${port}/rpc`, { perMessageDeflate: false });
  const pending = new Map();
  let nextId = 1;
  socket.on("message", (data) => {
    const text = data.toString();
    const m = /^\{"id":(\d+),/.exec(text);
    if (m === null) return; // a notification
    const done = pending.get(Number(m[1]));
    if (done === undefined) return;
    pending.delete(Number(m[1]));
    done(text.includes('"result"'));
  });
  socket.on("error", () => errors++);
  return {
    ready: new Promise((resolve, reject) => {
      socket.once("open", resolve);
      socket.once("error", reject);
    }),
    ask(done) {
      const id = nextId++;
      pending.set(id, done);
      socket.send(`{"id":${id},"src":"bench-${index}","method":"EM.GetStatus","params":{"id":0}}`);
    },
    close() {
      socket.terminate();
    },
  };
}

function udpClient() {
  const socket = dgram.createSocket("udp4");
  const pending = new Map();
  let nextId = 1;
  socket.on("message", (message) => {
    const m = /^\{"id":(\d+),/.exec(message.toString("latin1", 0, 24));
    if (m === null) return;
    const done = pending.get(Number(m[1]));
    if (done === undefined) return;
    pending.delete(Number(m[1]));
    done(message.length > 250);
  });
  return {
    ready: new Promise((resolve) => socket.bind(0, host, resolve)),
    ask(done) {
      const id = nextId++;
      pending.set(id, done);
      // A lost datagram must not stall a closed-loop client forever.
      const timer = setTimeout(() => {
        if (pending.delete(id)) done(false);
      }, 1000);
      timer.unref();
      socket.send(`{"id":${id},"method":"EM.GetStatus","params":{"id":0}}`, port, host);
    },
    close() {
      socket.close();
    },
  };
}

function makeClient(index) {
  switch (kind) {
    case "http-keepalive":
      return httpClient(true);
    case "http-close":
      return httpClient(false);
    case "ws":
      return wsClient(index);
    case "udp":
      return udpClient();
    default:
      throw new Error(`unknown kind ${kind}`);
  }
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main() {
  const list = Array.from({ length: clients }, (_, i) => makeClient(i));
  await Promise.all(list.map((c) => c.ready));
  const start = performance.now();
  const end = start + durationMs;
  const record = (t0) => (ok) => {
    requests++;
    if (!ok) errors++;
    latencies.push(performance.now() - t0);
  };

  await Promise.all(
    list.map(
      (client, index) =>
        new Promise((resolve) => {
          if (rate > 0) {
            // Open loop on a schedule; every due request is sent even if earlier ones are slow.
            const interval = (1000 * clients) / rate;
            let due = start + (interval * index) / clients;
            let inFlight = 0;
            let scheduleDone = false;
            const tick = () => {
              const now = performance.now();
              while (due <= now && due < end) {
                const sent = performance.now();
                inFlight++;
                client.ask((ok) => {
                  record(sent)(ok);
                  if (--inFlight === 0 && scheduleDone) resolve();
                });
                due += interval;
              }
              if (due < end) setTimeout(tick, Math.max(0, due - performance.now()));
              else {
                scheduleDone = true;
                if (inFlight === 0) resolve();
              }
            };
            tick();
          } else {
            const next = () => {
              if (performance.now() >= end) return resolve();
              const t0 = performance.now();
              client.ask((ok) => {
                record(t0)(ok);
                next();
              });
            };
            next();
          }
        }),
    ),
  );
  const seconds = (performance.now() - start) / 1000;
  for (const c of list) c.close();
  latencies.sort((a, b) => a - b);
  process.stdout.write(
    JSON.stringify({
      kind,
      clients,
      rate,
      requests,
      errors,
      seconds,
      rps: requests / seconds,
      p50_ms: percentile(latencies, 50),
      p90_ms: percentile(latencies, 90),
      p99_ms: percentile(latencies, 99),
      max_ms: latencies[latencies.length - 1] ?? NaN,
    }) + "\n",
  );
  process.exit(0);
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
