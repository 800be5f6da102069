// modules/net/http-connection and websocket over real TCP sockets on 127.0.0.1 (through the
// test shell in support/net-adapter), with real clients: fetch (keep-alive), curl --http1.0,
// the npm ws client, and raw sockets for malformed, oversized, pipelined and slow requests.

import { execFile } from "node:child_process";
import net from "node:net";
import { promisify } from "node:util";
import test from "ava";
import WebSocket from "ws";
import { routeHttp } from "../modules/shelly/http-router";
import type { WebSocketHandlers } from "../modules/net/websocket";
import { makeRig } from "./shelly-helpers";
import { parseHttpResponses, rawExchange, serveHttpConnections, type NetServer, type ServeOptions } from "./support/net-adapter";

const run = promisify(execFile);

/** The Shelly emulation behind an HttpConnection server: HTTP routes, WS /rpc, WS /echo. */
async function shellyServer(extra: Partial<ServeOptions> = {}) {
  const { device } = makeRig();
  const closes: number[] = [];
  const server = await serveHttpConnections({
    handle: (request) => routeHttp(device, request),
    upgrade: (request): WebSocketHandlers | null => {
      if (request.path === "/rpc") {
        return {
          onText: (text, ws) => {
            const { reply } = device.handleFrameText(text, "ws");
            if (reply !== null) ws.sendText(reply);
          },
          onClose: (code) => closes.push(code),
        };
      }
      if (request.path === "/echo") return { onText: (text, ws) => ws.sendText(text), onBinary: (bytes, ws) => ws.sendBinary(bytes), onClose: (code) => closes.push(code) };
      return null;
    },
    ...extra,
  });
  return { server, closes, url: `http://127.0.0.1:${server.port}` };
}

let shared: Awaited<ReturnType<typeof shellyServer>>;
test.before(async () => {
  shared = await shellyServer();
});
test.after.always(async () => {
  await shared?.server.close();
});

async function stillServes(t: { is: (a: unknown, b: unknown, m?: string) => void }, server: NetServer) {
  const r = await fetch(`http://127.0.0.1:${server.port}/rpc/EM.GetStatus?id=0`, { headers: { connection: "close" } });
  t.is(r.status, 200, "the server still serves");
  await r.text();
}

// ---- HTTP ----

test("fetch: 20 requests over keep-alive connections, GET and POST", async (t) => {
  const server = await shellyServer();
  try {
    for (let i = 0; i < 10; i++) {
      const r = await fetch(`${server.url}/rpc/EM.GetStatus?id=0`);
      t.is(r.status, 200);
      t.is(r.headers.get("connection"), "keep-alive");
      t.is(((await r.json()) as { id: number }).id, 0);
    }
    for (let i = 0; i < 10; i++) {
      const p = await fetch(`${server.url}/rpc`, { method: "POST", body: JSON.stringify({ id: i, src: "fetch", method: "Shelly.GetDeviceInfo" }) });
      const frame = (await p.json()) as { id: number; dst: string; result: { gen: number } };
      t.deepEqual([frame.id, frame.dst, frame.result.gen], [i, "fetch", 2]);
    }
    // undici's pool opens a second connection for the second request, before the first one is
    // back in the pool (it does the same against node:http); after that both are reused.
    t.true(server.server.accepted() <= 2, `${server.server.accepted()} connections`);
  } finally {
    await server.server.close();
  }
});

test("fetch: a streamed (chunked) request body", async (t) => {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('{"id":7,"src":"s",'));
      controller.enqueue(new TextEncoder().encode('"method":"Sys.GetStatus"}'));
      controller.close();
    },
  });
  const r = await fetch(`${shared.url}/rpc`, { method: "POST", body, duplex: "half" } as RequestInit);
  const frame = (await r.json()) as { id: number; result: Record<string, unknown> };
  t.is(frame.id, 7);
  t.true("uptime" in frame.result);
});

test("fetch: unknown path 404, body too large 413, and the Gen1 API", async (t) => {
  t.is((await fetch(`${shared.url}/nope`)).status, 404);
  const big = await fetch(`${shared.url}/rpc`, { method: "POST", body: "x".repeat(20000) });
  t.is(big.status, 413);
  t.is(big.headers.get("connection"), "close");
  const gen1 = await fetch(`${shared.url}/status`);
  t.is(gen1.status, 200);
  t.true(Array.isArray(((await gen1.json()) as { emeters: unknown[] }).emeters));
});

test("curl --http1.0: answered and closed; with keep-alive the connection is reused", async (t) => {
  const one = await run("curl", ["-s", "-i", "--http1.0", `${shared.url}/shelly`]);
  const [r] = parseHttpResponses(one.stdout);
  t.is(r.status, 200);
  t.is(r.headers.connection, "close");
  t.is((JSON.parse(r.body) as { gen: number }).gen, 2);

  const server = await shellyServer();
  try {
    const url = `${server.url}/rpc/EM.GetStatus?id=0`;
    const two = await run("curl", ["-sv", "--http1.0", "-H", "Connection: keep-alive", url, url, "-o", "/dev/null", "-o", "/dev/null"]);
    t.regex(two.stderr, /Re-?using existing connection/i);
    t.is(server.server.accepted(), 1);
  } finally {
    await server.server.close();
  }
});

test("curl: HEAD, POST with Expect: 100-continue, chunked upload", async (t) => {
  const head = await run("curl", ["-s", "-I", `${shared.url}/shelly`]);
  const [h] = parseHttpResponses(head.stdout, [0]);
  t.is(h.status, 200);
  t.true(Number(h.headers["content-length"]) > 0);

  const frame = JSON.stringify({ id: 3, src: "curl", method: "EM.GetStatus", params: { id: 0 } });
  const post = await run("curl", ["-s", "-H", "Expect: 100-continue", "-H", "Content-Type: application/json", "-d", frame, `${shared.url}/rpc`]);
  t.is((JSON.parse(post.stdout) as { id: number }).id, 3);
  const chunked = await run("curl", ["-s", "-H", "Transfer-Encoding: chunked", "-d", frame, `${shared.url}/rpc`]);
  t.is((JSON.parse(chunked.stdout) as { dst: string }).dst, "curl");
});

test("raw: pipelined requests in one write are answered in order", async (t) => {
  const get = (id: number) => `GET /rpc/EM.GetStatus?id=${id} HTTP/1.1\r\nHost: x\r\n\r\n`;
  const frame = '{"id":9,"method":"Shelly.GetDeviceInfo"}';
  const { text } = await rawExchange(shared.server.port, [
    get(0) + `POST /rpc HTTP/1.1\r\nContent-Length: ${frame.length}\r\n\r\n${frame}` + get(5) + "GET /shelly HTTP/1.1\r\nConnection: close\r\n\r\n",
  ]);
  const rs = parseHttpResponses(text);
  t.deepEqual(rs.map((r) => r.status), [200, 200, 500, 200]);
  t.is((JSON.parse(rs[1].body) as { id: number }).id, 9);
  t.is(rs[3].headers.connection, "close");
});

test("raw: a request one byte at a time", async (t) => {
  const request = "GET /rpc/EM.GetStatus?id=0 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  const { text, closedByServer } = await rawExchange(shared.server.port, [...request], { pauseMs: 2 });
  const [r] = parseHttpResponses(text);
  t.is(r.status, 200);
  t.true(closedByServer);
});

test("raw: malformed, oversized and unsupported requests get their status and a close; the server keeps serving", async (t) => {
  const cases: [string, (string | Uint8Array)[], number][] = [
    ["garbage", ["\x00\x01\x02 hello\r\n\r\n"], 400],
    ["TLS hello", [Uint8Array.of(0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03), "\r\n\r\n"], 400],
    ["HTTP/0.9", ["GET /shelly\r\n\r\n"], 400],
    ["HTTP/2 preface", ["PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"], 505],
    ["long URL", ["GET /" + "a".repeat(5000) + " HTTP/1.1\r\n\r\n"], 414],
    ["huge header", ["GET / HTTP/1.1\r\nX-Big: " + "b".repeat(5000) + "\r\n\r\n"], 431],
    ["many headers", ["GET / HTTP/1.1\r\n" + "X: y\r\n".repeat(100) + "\r\n"], 431],
    ["bad content-length", ["POST /rpc HTTP/1.1\r\nContent-Length: ten\r\n\r\n"], 400],
    ["smuggling", ["POST /rpc HTTP/1.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"], 400],
    ["gzip body", ["POST /rpc HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n"], 501],
    ["body too large", ["POST /rpc HTTP/1.1\r\nContent-Length: 40000\r\n\r\n", "x".repeat(40000)], 413],
    ["chunked too large", ["POST /rpc HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n8000\r\n", "x".repeat(0x8000)], 413],
  ];
  for (const [name, pieces, status] of cases) {
    const { text, closedByServer } = await rawExchange(shared.server.port, pieces);
    const rs = parseHttpResponses(text);
    t.is(rs.length, 1, name);
    t.is(rs[0].status, status, name);
    t.is(rs[0].headers.connection, "close", name);
    t.true(closedByServer, name);
  }
  await stillServes(t, shared.server);
});

test("raw: a slow request gets 408, an idle keep-alive connection is closed", async (t) => {
  const server = await shellyServer({ limits: { requestTimeoutMs: 300, keepAliveTimeoutMs: 400 }, tickMs: 50 });
  try {
    const started = Date.now();
    const slow = await rawExchange(server.server.port, ["GET /shelly HTTP/1.1\r\n", "Host: x\r\n"], { pauseMs: 100, timeoutMs: 3000 });
    t.is(parseHttpResponses(slow.text)[0].status, 408);
    t.true(slow.closedByServer);
    const idle = await rawExchange(server.server.port, ["GET /shelly HTTP/1.1\r\n\r\n"], { timeoutMs: 3000 });
    t.is(parseHttpResponses(idle.text).length, 1);
    t.true(idle.closedByServer);
    t.true(Date.now() - started < 2500);
    await stillServes(t, server.server);
  } finally {
    await server.server.close();
  }
});

// ---- WebSocket ----

function open(url: string, options?: WebSocket.ClientOptions): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options);
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });
}

const nextMessage = (ws: WebSocket) =>
  new Promise<{ data: string; isBinary: boolean }>((resolve) => ws.once("message", (data: Buffer, isBinary: boolean) => resolve({ data: data.toString(), isBinary })));
const closed = (ws: WebSocket) => new Promise<{ code: number; reason: string }>((resolve) => ws.once("close", (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })));

const wsUrl = (path: string) => `ws://127.0.0.1:${shared.server.port}${path}`;

test("ws: RPC frames over /rpc, replies addressed to the caller's src", async (t) => {
  const ws = await open(wsUrl("/rpc"));
  ws.send(JSON.stringify({ id: 1, src: "ws-test", method: "EM.GetStatus", params: { id: 0 } }));
  const reply = JSON.parse((await nextMessage(ws)).data) as { id: number; dst: string; result: { id: number } };
  t.deepEqual([reply.id, reply.dst, reply.result.id], [1, "ws-test", 0]);
  const done = closed(ws);
  ws.close(1000);
  t.is((await done).code, 1000);
});

test("ws: text and binary echo, a fragmented message, ping/pong", async (t) => {
  const ws = await open(wsUrl("/echo"));
  ws.send("hällo ⚡");
  t.deepEqual(await nextMessage(ws), { data: "hällo ⚡", isBinary: false });
  ws.send(Buffer.from([1, 2, 3]));
  t.true((await nextMessage(ws)).isBinary);
  ws.send("frag", { fin: false });
  ws.send("ment", { fin: false });
  ws.send("ed", { fin: true });
  t.is((await nextMessage(ws)).data, "fragmented");
  const pong = new Promise<string>((resolve) => ws.once("pong", (data: Buffer) => resolve(data.toString())));
  ws.ping("are you there");
  t.is(await pong, "are you there");
  ws.terminate();
});

test("ws: close codes both ways: the client's code is echoed; too big → 1009; bad UTF-8 → 1007", async (t) => {
  {
    const ws = await open(wsUrl("/echo"));
    const done = closed(ws);
    ws.close(4001, "bye");
    t.is((await done).code, 4001);
  }
  {
    const ws = await open(wsUrl("/echo"));
    const done = closed(ws);
    ws.send("x".repeat(20000));
    t.is((await done).code, 1009);
  }
  {
    const ws = await open(wsUrl("/echo"));
    const done = closed(ws);
    ws.send(Buffer.from([0x61, 0xff, 0x62]), { binary: false });
    t.is((await done).code, 1007);
  }
  await new Promise((r) => setTimeout(r, 50));
  t.true(shared.closes.includes(4001));
  t.true(shared.closes.includes(1009));
  t.true(shared.closes.includes(1007));
});

test("ws: the server pings a silent client (which pongs) and drops one that stays silent", async (t) => {
  const server = await shellyServer({ webSocketLimits: { pingAfterMs: 150, dropAfterMs: 2000 }, tickMs: 25 });
  try {
    const ws = await open(`ws://127.0.0.1:${server.server.port}/echo`);
    await new Promise<void>((resolve) => ws.once("ping", () => resolve()));
    t.pass();
    ws.terminate();
  } finally {
    await server.server.close();
  }
  // A peer that never answers: raw socket after the handshake, reading nothing back.
  const quiet = await shellyServer({ webSocketLimits: { pingAfterMs: 100, dropAfterMs: 300 }, tickMs: 25 });
  try {
    const { text, closedByServer } = await rawExchange(quiet.server.port, [handshake("/echo")], { timeoutMs: 3000 });
    t.true(text.startsWith("HTTP/1.1 101 "));
    t.true(closedByServer);
    t.deepEqual(quiet.closes, [1001]);
  } finally {
    await quiet.server.close();
  }
});

function handshake(path: string): string {
  return `GET ${path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`;
}

test("ws: an unmasked client frame gets close 1002 and the connection ends", async (t) => {
  const unmasked = Buffer.from([0x81, 0x02, 0x68, 0x69]);
  const { text, closedByServer } = await rawExchange(shared.server.port, [handshake("/echo"), unmasked], { pauseMs: 20 });
  const frames = text.slice(text.indexOf("\r\n\r\n") + 4);
  t.is(frames.charCodeAt(0), 0x88);
  t.is((frames.charCodeAt(2) << 8) | frames.charCodeAt(3), 1002);
  t.true(closedByServer);
});

test("ws: an upgrade to another path is plain HTTP (404); a bad version gets 426", async (t) => {
  const error = await new Promise<Error>((resolve) => {
    const ws = new WebSocket(wsUrl("/elsewhere"));
    ws.once("error", resolve);
  });
  t.regex(error.message, /Unexpected server response: 404/);
  const { text } = await rawExchange(shared.server.port, [handshake("/rpc").replace("Version: 13", "Version: 8")]);
  const [r] = parseHttpResponses(text);
  t.is(r.status, 426);
  t.is(r.headers["sec-websocket-version"], "13");
});

test("ws: 8 clients at once, pipelined frames, each reply only on its own connection", async (t) => {
  const clients = await Promise.all(Array.from({ length: 8 }, () => open(wsUrl("/rpc"))));
  const results = await Promise.all(
    clients.map(
      (ws, c) =>
        new Promise<number[]>((resolve) => {
          const ids: number[] = [];
          ws.on("message", (data: Buffer) => {
            const frame = JSON.parse(data.toString()) as { id: number; dst: string };
            if (frame.dst === `client-${c}`) ids.push(frame.id);
            else ids.push(-1);
            if (ids.length === 5) resolve(ids);
          });
          for (let i = 0; i < 5; i++) ws.send(JSON.stringify({ id: c * 100 + i, src: `client-${c}`, method: "EM.GetStatus", params: { id: 0 } }));
        }),
    ),
  );
  results.forEach((ids, c) => t.deepEqual(ids, [0, 1, 2, 3, 4].map((i) => c * 100 + i)));
  for (const ws of clients) ws.close();
  await stillServes(t, shared.server);
});

test("raw: the connection survives a client that disappears mid-request", async (t) => {
  const socket = net.connect(shared.server.port, "127.0.0.1");
  await new Promise((resolve) => socket.once("connect", resolve));
  socket.write("POST /rpc HTTP/1.1\r\nContent-Length: 100\r\n\r\n{\"id\":");
  await new Promise((r) => setTimeout(r, 30));
  socket.destroy();
  await new Promise((r) => setTimeout(r, 30));
  await stillServes(t, shared.server);
});

// ---- a full server (the device has 6 slots) ----

/** A raw keep-alive client: sends text, waits for n complete responses, sees the server's close. */
class RawClient {
  readonly socket: net.Socket;
  private text = "";
  readonly ended: Promise<void>;
  private endedByServer = false;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setEncoding("latin1");
    socket.on("data", (d: string) => (this.text += d));
    socket.on("error", () => {});
    this.ended = new Promise((resolve) => socket.once("close", () => resolve()));
    socket.once("end", () => (this.endedByServer = true));
  }

  /** `localAddress` (127.x.y.z) makes the client a different peer to the server. */
  static async connect(port: number, localAddress?: string): Promise<RawClient> {
    const socket = net.connect({ port, host: "127.0.0.1", localAddress });
    await new Promise((resolve, reject) => socket.once("connect", resolve).once("error", reject));
    return new RawClient(socket);
  }

  get closedByServer(): boolean {
    return this.endedByServer;
  }

  /** Sends a GET and waits until the responses so far number `count`; their statuses. */
  get(count: number, path = "/rpc/EM.GetStatus?id=0"): Promise<number[]> {
    this.socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
    return this.responses(count);
  }

  /** Waits until the responses so far number `count` (or the socket is gone); their statuses. */
  async responses(count: number): Promise<number[]> {
    const deadline = Date.now() + 3000;
    while (parseHttpResponses(this.text).length < count && Date.now() < deadline && !this.socket.destroyed) await new Promise((r) => setTimeout(r, 5));
    return parseHttpResponses(this.text).map((r) => r.status);
  }
}

test("full: a new connection closes the keep-alive connection idle longest; the others keep serving", async (t) => {
  const { server } = await shellyServer({ maxConnections: 3 });
  try {
    const [a, b, c] = [await RawClient.connect(server.port), await RawClient.connect(server.port), await RawClient.connect(server.port)];
    t.deepEqual(await a.get(1), [200]);
    t.deepEqual(await b.get(1), [200]);
    t.deepEqual(await c.get(1), [200]);
    t.deepEqual(await a.get(2), [200, 200]); // a was used last: b now waited longest
    const d = await RawClient.connect(server.port);
    t.deepEqual(await d.get(1), [200], "the new connection is served");
    await b.ended;
    t.true(b.closedByServer, "the longest-idle connection was closed (FIN, not reset)");
    t.deepEqual(await a.get(3), [200, 200, 200]);
    t.deepEqual(await c.get(2), [200, 200]);
    t.false(a.closedByServer || c.closedByServer || d.closedByServer);
    t.deepEqual([server.pool.closedIdle, server.pool.refused, server.pool.size], [1, 0, 3]);
    for (const x of [a, c, d]) x.socket.destroy();
  } finally {
    await server.close();
  }
});

test("full: a newcomer gives up an idle connection of its own address before anyone else's", async (t) => {
  const { server } = await shellyServer({ maxConnections: 3 });
  try {
    const battery = await RawClient.connect(server.port, "127.0.0.2");
    t.deepEqual(await battery.get(1), [200]);
    const [page1, page2] = [await RawClient.connect(server.port, "127.0.0.3"), await RawClient.connect(server.port, "127.0.0.3")];
    t.deepEqual(await page1.get(1), [200]);
    t.deepEqual(await page2.get(1), [200]);
    // The battery's connection has waited longest, but the browser's third one takes a browser slot.
    const page3 = await RawClient.connect(server.port, "127.0.0.3");
    t.deepEqual(await page3.get(1), [200]);
    await page1.ended;
    t.true(page1.closedByServer);
    t.deepEqual(await battery.get(2), [200, 200], "the battery keeps its connection");
    t.false(battery.closedByServer);
    // Someone new (another address) takes the longest-idle slot: now page2's.
    const other = await RawClient.connect(server.port, "127.0.0.4");
    t.deepEqual(await other.get(1), [200]);
    await page2.ended;
    t.false(battery.closedByServer || page3.closedByServer);
    for (const c of [battery, page3, other]) c.socket.destroy();
  } finally {
    await server.close();
  }
});

test("full: WebSockets and connections in the middle of a request are never closed for a new one; the new one is refused", async (t) => {
  const { server } = await shellyServer({ maxConnections: 2 });
  try {
    const ws = await open(`ws://127.0.0.1:${server.port}/echo`);
    const midRequest = await RawClient.connect(server.port);
    midRequest.socket.write("GET /shelly HTTP/1.1\r\n");
    await new Promise((r) => setTimeout(r, 30));
    const late = await RawClient.connect(server.port);
    await late.ended;
    t.deepEqual(await late.responses(1), [], "refused: no answer");
    t.deepEqual([server.pool.refused, server.pool.closedIdle], [1, 0]);
    // Neither busy connection was hurt.
    midRequest.socket.write("Host: x\r\n\r\n");
    t.deepEqual(await midRequest.responses(1), [200]);
    const echoed = nextMessage(ws);
    ws.send("still here");
    t.is((await echoed).data, "still here");
    // Once the request is answered the connection is idle, and a new one may take its slot.
    const next = await RawClient.connect(server.port);
    t.deepEqual(await next.get(1), [200]);
    await midRequest.ended;
    t.deepEqual([server.pool.refused, server.pool.closedIdle], [1, 1]);
    ws.close();
    next.socket.destroy();
  } finally {
    await server.close();
  }
});
