// Bench section: EM.GetStatus over HTTP (keep-alive and one connection per request),
// WebSocket and UDP against a real `ir2shelly serve` process, with the load from other
// processes on 127.0.0.1 (bench/sections/transport-load.js, and autocannon for HTTP flat
// out; its -R rate limit sends each second's requests in a burst, so it is not used for the
// fixed-rate runs).
//
// Goal on the host: p99 < 5 ms at 200 requests/s from 8 clients on every transport, and no
// memory growth over 100,000 requests: the server runs with --expose-gc and prints its
// memory after a collection on SIGUSR2, once after a warm-up and once at the end.
//
// Also runnable alone: node bench/sections/50-shelly-transports.js [--quick]

import { spawn } from "node:child_process";
import dgram from "node:dgram";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "..", "..");
const CLI = path.join(repoRoot, "bin", "ir2shelly.js");
const LOADER = path.join(here, "transport-load.js");
const AUTOCANNON = path.join(repoRoot, "node_modules", "autocannon", "autocannon.js");
const CAPTURE = path.resolve(repoRoot, "..", "shared", "fixtures", "sml", "dzg-dvs7420-1.bin");

async function freeUdpPort() {
  const s = dgram.createSocket("udp4");
  await new Promise((resolve) => s.bind(0, "127.0.0.1", resolve));
  const port = s.address().port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

async function startServer(udpPort, dir) {
  const child = spawn(
    process.execPath,
    ["--expose-gc", CLI, "serve", "--replay", CAPTURE, "--http-port", "0", "--bind", "127.0.0.1", "--udp-ports", String(udpPort),
      "--settings", path.join(dir, "settings.json"), "--mac", "AABBCC000001", "--no-mdns", "--quiet"],
    { stdio: ["ignore", "pipe", "pipe"], cwd: repoRoot },
  );
  let text = "";
  const waiters = [];
  const onData = (chunk) => {
    text += chunk.toString();
    for (const w of [...waiters]) {
      const m = w.pattern.exec(text.slice(w.from));
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const waitFor = (pattern, from = 0, timeoutMs = 15000) =>
    new Promise((resolve, reject) => {
      const m = pattern.exec(text.slice(from));
      if (m) return resolve(m);
      const timer = setTimeout(() => reject(new Error(`server: timed out waiting for ${pattern}:\n${text}`)), timeoutMs);
      waiters.push({ pattern, from, resolve: (x) => { clearTimeout(timer); resolve(x); } });
    });
  const m = await waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
  return {
    port: Number(m[1]),
    child,
    async memory() {
      const from = text.length;
      child.kill("SIGUSR2");
      const mm = await waitFor(/memory rss=(\d+) heap_used=(\d+) heap_total=(\d+) external=\d+ cpu_user_us=(\d+) cpu_system_us=(\d+)/, from);
      return { rss: Number(mm[1]), heapUsed: Number(mm[2]), heapTotal: Number(mm[3]), cpuUs: Number(mm[4]) + Number(mm[5]) };
    },
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
        child.once("exit", () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill("SIGTERM");
      }),
  };
}

function runProcess(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], cwd: repoRoot });
    let out = "";
    let err = "";
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (err += c));
    child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`${path.basename(args[0])} exited with ${code}: ${err}`))));
  });
}

async function load(kind, port, rate, durationMs) {
  const out = await runProcess([LOADER, JSON.stringify({ kind, port, clients: 8, rate, durationMs })]);
  return JSON.parse(out.trim().split("\n").pop());
}

/** autocannon flat out: keep-alive, 8 connections. */
async function autocannon(port, seconds) {
  const out = await runProcess([AUTOCANNON, "-c", "8", "-d", String(seconds), "-j", `http://127.0.0.1:${port}/rpc/EM.GetStatus?id=0`]);
  const r = JSON.parse(out);
  return {
    kind: "http-keepalive (autocannon)",
    rate: 0,
    requests: r.requests.total,
    errors: r.errors + r.non2xx + r.timeouts,
    rps: r.requests.average,
    p50_ms: r.latency.p50,
    p99_ms: r.latency.p99,
  };
}

const LABEL = { "http-keepalive": "HTTP keep-alive", "http-close": "HTTP new connection", ws: "WebSocket", udp: "UDP", "http-keepalive (autocannon)": "HTTP keep-alive, autocannon" };

export async function run({ quick = false } = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "ir2shelly-bench-"));
  const udpPort = await freeUdpPort();
  const server = await startServer(udpPort, dir);
  const portOf = (kind) => (kind === "udp" ? udpPort : server.port);
  const kinds = ["http-keepalive", "http-close", "ws", "udp"];
  const rateMs = quick ? 1000 : 4000;
  const maxMs = quick ? 1000 : 5000;
  try {
    // Warm-up (JIT, first connections), then the baseline memory.
    for (const kind of kinds) await load(kind, portOf(kind), 0, quick ? 300 : 1000);
    const before = await server.memory();
    let total = 0;
    const rated = [];
    for (const kind of kinds) {
      const r = await load(kind, portOf(kind), 200, rateMs);
      rated.push(r);
      total += r.requests;
    }
    // Flat out, with the server's CPU time per request: unlike latency, it hardly depends
    // on what else the machine is doing.
    const max = [];
    for (const kind of kinds) {
      const cpu0 = (await server.memory()).cpuUs;
      const r = await load(kind, portOf(kind), 0, kind === "http-close" ? maxMs / 2 : maxMs);
      r.cpu_us_per_request = ((await server.memory()).cpuUs - cpu0) / r.requests;
      max.push(r);
      total += r.requests;
    }
    const ac = await autocannon(server.port, quick ? 1 : 4);
    max.push(ac);
    total += ac.requests;
    const after = await server.memory();

    const metrics = [];
    const ms = (key, label, value) => ({ key, label, value, unit: "ms", better: "lower", digits: 2, machine: true });
    for (const r of rated) {
      const k = r.kind.replace(/[- ()]+/g, "_").replace(/_$/, "");
      metrics.push(ms(`transport.${k}.rate200.p50`, `${LABEL[r.kind]}, 200/s from 8 clients, p50`, r.p50_ms));
      metrics.push(ms(`transport.${k}.rate200.p99`, `${LABEL[r.kind]}, 200/s from 8 clients, p99 (goal < 5)`, r.p99_ms));
    }
    for (const r of max) {
      const k = r.kind.replace(/[- ()]+/g, "_").replace(/_$/, "");
      metrics.push({ key: `transport.${k}.max.rps`, label: `${LABEL[r.kind]}, 8 clients flat out`, value: r.rps, unit: "req/s", better: "higher", digits: 0, machine: true });
      if (r.kind.includes("autocannon")) continue; // its latencies have 1 ms resolution: throughput only
      metrics.push(ms(`transport.${k}.max.p99`, `${LABEL[r.kind]}, 8 clients flat out, p99`, r.p99_ms));
      metrics.push({ key: `transport.${k}.cpu_per_request`, label: `${LABEL[r.kind]}, server CPU per request`, value: r.cpu_us_per_request, unit: "µs", better: "lower", digits: 1, machine: true });
    }
    const mib = (b) => b / 2 ** 20;
    metrics.push({ key: "transport.requests_between_memory_samples", label: "requests between the memory samples", value: total, unit: "requests", better: "none", digits: 0, machine: true });
    metrics.push({ key: "transport.heap_growth", label: "server heap growth after GC", value: mib(after.heapUsed - before.heapUsed), unit: "MiB", better: "lower", digits: 2, machine: true });
    metrics.push({ key: "transport.rss_growth", label: "server RSS growth", value: mib(after.rss - before.rss), unit: "MiB", better: "lower", digits: 1, machine: true });

    const errors = [...rated, ...max].reduce((a, r) => a + r.errors, 0);
    const goal = rated.map((r) => `${LABEL[r.kind]} ${r.p99_ms.toFixed(2)} ms ${r.p99_ms < 5 ? "ok" : "MISSED"}`).join(", ");
    const notes = [
      `p99 at 200/s from 8 clients: ${goal}`,
      `memory: heap ${mib(before.heapUsed).toFixed(1)} → ${mib(after.heapUsed).toFixed(1)} MiB, RSS ${mib(before.rss).toFixed(1)} → ${mib(after.rss).toFixed(1)} MiB over ${total} requests${total < 100000 && !quick ? " (fewer than the 100,000 of the goal)" : ""}; errors ${errors}`,
      `load from separate processes on 127.0.0.1, ${os.cpus().length} cores (a busy machine shows in the p99s)`,
    ];
    return { metrics, notes, rows: [...rated, ...max], memory: { before, after, requests: total } };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export default {
  id: "shelly-transports",
  title: "EM.GetStatus over HTTP, WebSocket and UDP against ir2shelly serve, load from other processes",
  run,
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await run({ quick: process.argv.includes("--quick") });
  const rows = result.rows.map((r) => ({
    transport: LABEL[r.kind],
    load: r.rate ? `${r.rate}/s, 8 clients` : "8 clients flat out",
    requests: r.requests,
    "req/s": Math.round(r.rps),
    "p50 ms": r.p50_ms.toFixed(2),
    "p99 ms": r.p99_ms.toFixed(2),
    "server CPU µs/req": r.cpu_us_per_request === undefined ? "" : r.cpu_us_per_request.toFixed(1),
    errors: r.errors,
  }));
  console.table(rows);
  for (const note of result.notes) console.log(note);
}
