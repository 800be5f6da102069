// modules/net/websocket-client: URL parsing, and the client side against the npm `ws`
// server over a real TCP socket on 127.0.0.1 (handshake, masked frames, ping/pong, close,
// the message limit).

import net from "node:net";
import type { AddressInfo } from "node:net";
import test from "ava";
import { WebSocketServer } from "ws";
import { parseWsUrl, WebSocketClient } from "../modules/net/websocket-client";
import type { WebSocketConnection } from "../modules/net/websocket";

test("parseWsUrl: host, port, path; what is refused says why", (t) => {
  t.deepEqual(parseWsUrl("ws://192.168.1.5:8080/shelly?x=1#frag"), { host: "192.168.1.5", port: 8080, path: "/shelly?x=1" });
  t.deepEqual(parseWsUrl("WS://vendor.example"), { host: "vendor.example", port: 80, path: "/" });
  t.deepEqual(parseWsUrl("ws://h_1?q"), { host: "h_1", port: 80, path: "/?q" });
  t.is(parseWsUrl("wss://x/"), "wss:// (TLS) is not supported; use a ws:// URL");
  t.is(parseWsUrl("http://x/"), "expected a ws:// URL");
  t.is(parseWsUrl("ws://x:0/"), 'bad port "0"');
  t.is(parseWsUrl("ws://x:65536/"), 'bad port "65536"');
  t.is(parseWsUrl("ws://x:/"), 'bad port ""');
  t.is(parseWsUrl("ws:///path"), 'bad host name ""');
  t.is(parseWsUrl("ws://bad host/"), 'bad host name "bad host"');
  t.is(parseWsUrl("ws://a\rb/"), 'bad host name "a\\rb"');
  t.is(parseWsUrl("ws://user@x/"), "user names in the URL are not supported");
  t.is(parseWsUrl("ws://[::1]/"), "IPv6 addresses are not supported");
  t.is(parseWsUrl("ws://x/a b"), "the path must be printable ASCII without spaces");
});

async function connect(port: number, path: string, events: { text: string[]; ends: [number, string][] }) {
  const socket = net.connect(port, "127.0.0.1");
  await new Promise((resolve) => socket.once("connect", resolve));
  let open: WebSocketConnection | null = null;
  const client = new WebSocketClient(
    { write: (bytes) => socket.write(bytes), close: () => socket.end() },
    {
      url: { host: "127.0.0.1", port, path },
      random: () => (Math.random() * 0x100000000) >>> 0,
      onOpen: (ws) => (open = ws),
      onText: (text) => events.text.push(text),
      onEnd: (code, reason) => events.ends.push([code, reason]),
      limits: { maxMessageBytes: 16384 },
    },
  );
  socket.on("data", (d: Buffer) => client.receive(new Uint8Array(d.buffer, d.byteOffset, d.byteLength)));
  socket.on("close", () => client.peerClosed());
  client.start(0);
  const deadline = Date.now() + 3000;
  while (open === null && events.ends.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  return { client, socket, ws: open as WebSocketConnection | null };
}

const settle = (ms = 100) => new Promise((r) => setTimeout(r, ms));

test("client: handshake with the ws server, text both ways (masked), ping answered, clean close", async (t) => {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise((r) => server.once("listening", r));
  t.teardown(() => server.close());
  const got: string[] = [];
  let pongs = 0;
  let serverClose = null as number | null;
  let path = "";
  server.on("connection", (socket, request) => {
    path = request.url ?? "";
    socket.on("message", (data) => {
      got.push(data.toString());
      socket.send("echo:" + data.toString());
      socket.ping();
    });
    socket.on("pong", () => pongs++);
    socket.on("close", (code) => (serverClose = code));
  });
  const events = { text: [] as string[], ends: [] as [number, string][] };
  const { ws } = await connect((server.address() as AddressInfo).port, "/rpc?a=1", events);
  t.truthy(ws, "open");
  t.is(path, "/rpc?a=1");
  ws?.sendText("hällo " + "x".repeat(300));
  await settle();
  t.deepEqual(got, ["hällo " + "x".repeat(300)]);
  t.deepEqual(events.text, ["echo:hällo " + "x".repeat(300)]);
  t.is(pongs, 1);
  ws?.close(1000, "bye");
  await settle();
  t.is(serverClose, 1000);
  t.deepEqual(events.ends, [[1000, "bye"]]); // the ws server echoes code and reason
});

test("client: a message over the limit closes with 1009; a refused upgrade ends the attempt", async (t) => {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise((r) => server.once("listening", r));
  t.teardown(() => server.close());
  let serverClose = null as number | null;
  server.on("connection", (socket) => {
    socket.send("y".repeat(20_000));
    socket.on("close", (code) => (serverClose = code));
  });
  const events = { text: [] as string[], ends: [] as [number, string][] };
  await connect((server.address() as AddressInfo).port, "/", events);
  await settle(200);
  t.deepEqual(events.text, []);
  t.deepEqual(events.ends, [[1009, "message too big"]]);
  t.is(serverClose, 1009);

  // An HTTP server that does not upgrade.
  const plain = net.createServer((socket) => socket.once("data", () => socket.end("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")));
  await new Promise<void>((r) => plain.listen(0, "127.0.0.1", r));
  t.teardown(() => plain.close());
  const refused = { text: [] as string[], ends: [] as [number, string][] };
  const attempt = await connect((plain.address() as AddressInfo).port, "/", refused);
  t.is(attempt.ws, null);
  t.deepEqual(refused.ends, [[1006, 'the server answered "HTTP/1.1 404 Not Found" instead of 101']]);
});
