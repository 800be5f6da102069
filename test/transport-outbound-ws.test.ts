// The outbound WebSocket (Ws.SetConfig): the CLI dials a real `ws` server on 127.0.0.1, sends
// NotifyFullStatus on connect, answers the server's requests on that connection, sends it
// NotifyStatus, reports ws.connected, and comes back after the server drops it.

import type { AddressInfo } from "node:net";
import test from "ava";
import { WebSocketServer, type WebSocket } from "ws";
import { http, serve, sleep, type Json } from "./support/consumers";

/** A WebSocket server that records every frame each connection sends. */
async function vendorServer() {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const connections: { socket: WebSocket; path: string; frames: Json[] }[] = [];
  server.on("connection", (socket, request) => {
    const entry = { socket, path: request.url ?? "", frames: [] as Json[] };
    connections.push(entry);
    socket.on("message", (data) => entry.frames.push(JSON.parse(data.toString())));
  });
  const until = async (check: () => boolean, timeoutMs = 8000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error("timed out");
      await sleep(20);
    }
  };
  return { server, connections, until, port: (server.address() as AddressInfo).port, close: () => new Promise((r) => server.close(r)) };
}

const setWs = (port: number, config: Record<string, unknown>) =>
  http(port, "/rpc", { method: "POST", body: JSON.stringify({ id: 1, src: "setup", method: "Ws.SetConfig", params: { config } }) });

test("Ws.SetConfig: the device dials the server, sends its full status, answers requests, notifies, and reconnects", async (t) => {
  const vendor = await vendorServer();
  t.teardown(() => vendor.close());
  const s = await serve(t);
  t.false((await http(s.port, "/rpc/Shelly.GetStatus")).body.ws.connected);

  const set = await setWs(s.port, { enable: true, server: `ws://127.0.0.1:${vendor.port}/shelly/events?x=1` });
  t.is(set.body.result.restart_required, true);
  await vendor.until(() => vendor.connections.length === 1 && vendor.connections[0].frames.length >= 1);
  const first = vendor.connections[0];
  t.is(first.path, "/shelly/events?x=1");
  const full = first.frames[0];
  t.is(full.method, "NotifyFullStatus");
  t.is(full.src, "shellypro3em-aabbccddeeff");
  t.is(typeof full.params.ts, "number");
  t.is(typeof full.params["em:0"].total_act_power, "number");
  t.true((await http(s.port, "/rpc/Shelly.GetStatus")).body.ws.connected);
  const outboundRow = async () => ((await http(s.port, "/api/system")).body.details as [string, string][]).find(([k]) => k === "Outbound WebSocket")?.[1];
  t.is(await outboundRow(), `connected to ws://127.0.0.1:${vendor.port}/shelly/events?x=1`);

  // An RPC channel: requests are answered on it (test/xs/outbound.xs.ts: also with a password set).
  first.socket.send(JSON.stringify({ id: 7, src: "vendor-1", method: "EM.GetStatus", params: { id: 0 } }));
  await vendor.until(() => first.frames.some((f) => f.id === 7));
  const reply = first.frames.find((f) => f.id === 7);
  t.is(reply.dst, "vendor-1");
  t.is(typeof reply.result.total_act_power, "number");
  // Notifications after that are addressed to the server's src (one sent before the request
  // arrived went to "ws").
  const replyAt = first.frames.indexOf(reply);
  const afterReply = (f: Json) => f.method === "NotifyStatus" && first.frames.indexOf(f) > replyAt;
  await vendor.until(() => first.frames.some(afterReply), 10_000);
  const note = first.frames.find(afterReply);
  t.is(note.dst, "vendor-1");
  t.truthy(note.params["em:0"] ?? note.params["emdata:0"]);

  // The server drops the connection: the device comes back (after about 2 s) with a full status.
  first.socket.terminate();
  await vendor.until(() => vendor.connections.length === 2 && vendor.connections[1].frames.length >= 1, 10_000);
  t.is(vendor.connections[1].frames[0].method, "NotifyFullStatus");

  // Disabled: the connection is closed and not reopened.
  await setWs(s.port, { enable: false });
  await vendor.until(() => vendor.connections[1].socket.readyState === vendor.connections[1].socket.CLOSED, 5000);
  await sleep(2500);
  t.is(vendor.connections.length, 2);
  t.false((await http(s.port, "/rpc/Shelly.GetStatus")).body.ws.connected);
  t.is(await outboundRow(), "off");
});

test("Ws.SetConfig: wss:// and malformed servers are refused with a message; an unreachable server is retried with backoff", async (t) => {
  const s = await serve(t);
  const tls = await setWs(s.port, { enable: true, server: "wss://example.com/x" });
  t.is(tls.body.error.code, -103);
  t.regex(tls.body.error.message, /wss:\/\/ \(TLS\) is not supported/);
  const bad = await setWs(s.port, { enable: true, server: "ws://bad host/" });
  t.is(bad.body.error.code, -103);
  t.false((await http(s.port, "/rpc/Ws.GetConfig")).body.enable, "nothing saved");

  // A port nobody listens on: attempts after 2, 4, 8 s ... are logged, nothing else breaks.
  const vendor = await vendorServer();
  const port = vendor.port;
  await vendor.close();
  await setWs(s.port, { enable: true, server: `ws://127.0.0.1:${port}` });
  await s.waitFor(/outbound ws: ws:\/\/127\.0\.0\.1:\d+: connection refused or unreachable; next attempt in 2 s/, 5000);
  await s.waitFor(/next attempt in 4 s/, 8000);
  t.is((await http(s.port, "/rpc/EM.GetStatus?id=0")).status, 200);
  t.false((await http(s.port, "/rpc/Shelly.GetStatus")).body.ws.connected);
  const details = (await http(s.port, "/api/system")).body.details as [string, string][];
  t.deepEqual(details.find(([k]) => k === "Outbound WebSocket"), ["Outbound WebSocket", `not connected to ws://127.0.0.1:${port} (connection refused or unreachable); trying again`]);
});
