// WebSocket /rpc against `ir2shelly serve` (and, for timings, the transport in-process):
// per-connection replies, notifications to every subscriber, the client cap, bounded
// messages, junk, and connections that stop answering.

import test from "ava";
import { createHash, randomBytes } from "node:crypto";
import http from "node:http";
import net from "node:net";
import WebSocket from "ws";
import { attachWebSocket } from "../host/ws-transport";
import { DZG_POWER_W, WsClient, http as get, rawHttp, serve, sleep } from "./support/consumers";

test("8 clients at once: each gets only its own replies; NotifyStatus reaches every subscriber", async (t) => {
  const s = await serve(t, { args: ["--simulate"] });
  const clients = await Promise.all(Array.from({ length: 8 }, () => WsClient.open(s.port)));
  t.teardown(() => Promise.all(clients.map((c) => c.close())));
  // Subscribe all (a request with src), then 25 pipelined requests each, interleaved.
  await Promise.all(clients.map((c, k) => c.call("Shelly.GetDeviceInfo", undefined, { src: `client-${k}` }, k * 1000)));
  for (let i = 1; i <= 25; i++) {
    clients.forEach((c, k) => c.send({ id: k * 1000 + i, src: `client-${k}`, method: i % 2 ? "EM.GetStatus" : "Sys.GetStatus", params: i % 2 ? { id: 0 } : undefined }));
  }
  await Promise.all(clients.map((c, k) => c.next((f) => f.id === k * 1000 + 25)));
  const subscribedAt = clients.map((c) => c.frames.length);
  clients.forEach((c, k) => {
    const replies = c.frames.filter((f) => f.id !== undefined);
    t.deepEqual(replies.map((f) => f.id), Array.from({ length: 26 }, (_, i) => k * 1000 + i), `client ${k} ids`);
    t.true(c.frames.every((f) => f.dst === `client-${k}`), `client ${k} dst`);
  });
  // A notification after everyone subscribed arrives at all 8, each addressed to its own src.
  const notes = await Promise.all(clients.map((c, k) => c.next((f) => f.method === "NotifyStatus" && c.frames.indexOf(f) >= subscribedAt[k], 10_000)));
  notes.forEach((n, k) => {
    t.is(n.dst, `client-${k}`);
    t.truthy(n.params["em:0"]);
  });
  // ws.connected is the outbound connection (Ws.SetConfig), not these clients.
  t.false((await get(s.port, "/rpc/Shelly.GetStatus")).body.ws.connected);
  await Promise.all(clients.map((c) => c.close()));
});

test("no src, no notifications; replies to frames without src say dst unknown", async (t) => {
  const s = await serve(t);
  const c = await WsClient.open(s.port);
  t.teardown(() => c.close());
  c.send({ id: 1, method: "EM.GetStatus", params: { id: 0 } });
  const r = await c.next((f) => f.id === 1);
  t.is(r.dst, "unknown");
  t.is(r.result.total_act_power, DZG_POWER_W);
  await sleep(2000);
  t.false(c.frames.some((f) => f.method === "NotifyStatus"));
});

test("16 clients at most: the 17th is refused with 503, a free slot is usable again", async (t) => {
  const s = await serve(t);
  const clients = await Promise.all(Array.from({ length: 16 }, () => WsClient.open(s.port)));
  t.teardown(() => Promise.all(clients.map((c) => c.close())));
  await t.throwsAsync(() => WsClient.open(s.port), { message: "HTTP 503" });
  t.is((await get(s.port, "/shelly")).status, 200, "HTTP still served at the cap");
  await clients.pop()!.close();
  await sleep(100);
  const again = await WsClient.open(s.port);
  t.is((await again.call("EM.GetStatus", { id: 0 })).result.total_act_power, DZG_POWER_W);
  clients.push(again);
});

test("garbage text and binary get no reply and do not close; oversized messages close with 1009", async (t) => {
  const s = await serve(t);
  const c = await WsClient.open(s.port);
  t.teardown(() => c.close());
  for (const junk of ["", "hello", "{", "[1,2]", "null", "42", '"str"', "{}", '{"id":{}}', "[".repeat(50_000).slice(0, 15_000)]) c.send(junk);
  c.socket.send(randomBytes(2000));
  c.socket.send(Buffer.from('{"id":3,"src":"bin","method":"EM.GetStatus","params":{"id":0}}'));
  c.send({ method: "EM.GetStatus", params: { id: 0 } }); // a notification frame: no reply
  c.send('{"id":4,"src":"x","method":5}');
  c.send({ id: 5, src: "x", method: "EM.GetStatus", params: { id: "0" } });
  const wrongMethod = await c.next((f) => f.id === 4);
  t.is(wrongMethod.error.code, -103);
  t.is((await c.next((f) => f.id === 5)).error.code, -103);
  t.is((await c.next((f) => f.id === 3)).result.total_act_power, DZG_POWER_W, "a binary message with a frame is answered");
  t.is(c.frames.filter((f) => f.id === undefined && f.method === undefined).length, 0, "junk got no reply");
  t.is(c.closed, null);

  const big = await WsClient.open(s.port);
  const closed = new Promise<number>((resolve) => big.socket.on("close", (code) => resolve(code)));
  big.send({ id: 1, method: "EM.GetStatus", params: { id: 0, pad: "x".repeat(20_000) } });
  t.is(await closed, 1009);
  t.is((await c.call("EM.GetStatus", { id: 0 })).result.total_act_power, DZG_POWER_W, "others unaffected");
});

test("upgrades elsewhere than /rpc are refused; a broken handshake does not hurt", async (t) => {
  const s = await serve(t);
  await t.throwsAsync(() => WsClient.open(s.port, "/ws"), { message: "HTTP 404" });
  const broken = await rawHttp(s.port, "GET /rpc HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\n");
  t.is(Number(/^HTTP\/1\.1 (\d{3})/.exec(broken.data)?.[1]), 400);
  // A completed handshake followed by junk bytes that are not WebSocket frames.
  const key = randomBytes(16).toString("base64");
  const junk = await rawHttp(s.port, `GET /rpc HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${key}\r\n\r\n` + "\xff".repeat(64), 3000);
  t.regex(junk.data, /^HTTP\/1\.1 101/);
  t.true(junk.closed, "closed after an invalid frame");
  const c = await WsClient.open(s.port);
  t.is((await c.call("EM.GetStatus", { id: 0 })).result.total_act_power, DZG_POWER_W);
  await c.close();
});

// In-process with short timers: a peer that completes the handshake and then never
// answers pings (a half-open connection) is dropped; a peer that answers stays.
test("half-open connections are dropped after the idle timeout; answering peers stay", async (t) => {
  const server = http.createServer((_req, res) => res.end());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.address() as net.AddressInfo).port;
  const logs: string[] = [];
  const ws = attachWebSocket({
    server,
    handleFrame: () => ({ reply: null, src: null, authenticated: true }),
    pollNotify: () => null,
    pingIntervalMs: 200,
    idleTimeoutMs: 1000,
    log: (line) => logs.push(line),
  });
  t.teardown(async () => {
    await ws.close();
    server.close();
  });
  const key = randomBytes(16).toString("base64");
  const mute = net.connect(port, "127.0.0.1");
  let got = "";
  mute.on("data", (d) => (got += d.toString("latin1")));
  const muteClosed = new Promise<number>((resolve) => mute.on("close", () => resolve(performance.now())));
  mute.write(`GET /rpc HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${key}\r\n\r\n`);
  const alive = new WebSocket(`ws://127.0.0.1:${port}/rpc`);
  await new Promise((resolve) => alive.once("open", resolve));
  const t0 = performance.now();
  await sleep(100);
  t.is(ws.clientCount, 2);
  const closedAt = await muteClosed;
  t.true(closedAt - t0 < 4000, `dropped after ${Math.round(closedAt - t0)} ms (idle timeout 1000 ms)`);
  const accept = createHash("sha1").update(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest("base64");
  t.true(got.includes(accept), "the handshake had completed");
  t.true(got.includes("\x89"), "we pinged it");
  await sleep(1500);
  t.is(alive.readyState, WebSocket.OPEN, "a peer that answers pings stays");
  t.is(ws.clientCount, 1);
  t.true(logs.some((l) => /silent for \d+ s; dropped/.test(l)));
  alive.close();
});
