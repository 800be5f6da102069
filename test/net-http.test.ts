// modules/net/http-connection on bytes: parsing, framing, keep-alive, limits, errors, the
// WebSocket hand-over, streamed bodies and timeouts, plus property tests over chunking.

import test from "ava";
import fc from "fast-check";
import type { HttpResponse } from "../modules/shelly/http-router";
import {
  DEFAULT_HTTP_LIMITS,
  HttpConnection,
  reasonPhrase,
  type ConnectionRequest,
  type ConnectionResponse,
  type HttpBodySink,
  type HttpConnectionOptions,
} from "../modules/net/http-connection";
import { encodeFrame, type WebSocketConnection } from "../modules/net/websocket";
import { RecordingIo, parseHttpResponses } from "./support/net-adapter";
import { readAll, textSource, type ByteSource } from "../modules/net/byte-source";

const latin1 = (text: string) => Uint8Array.from(Buffer.from(text, "latin1"));
const utf8 = (text: string) => Uint8Array.from(Buffer.from(text, "utf8"));
const fromLatin1 = (text: string) => Buffer.from(text, "latin1").toString("utf8");

function ok(body = "{}", headers: Record<string, string> = { "Content-Type": "application/json" }): HttpResponse {
  return { status: 200, headers, body };
}

/** A connection with a recording io and a handler that logs requests and echoes a summary. */
function rig(options: Partial<HttpConnectionOptions> = {}) {
  const io = new RecordingIo();
  const requests: ConnectionRequest[] = [];
  const connection = new HttpConnection(io, {
    remote: "192.0.2.7",
    handle: (request) => {
      requests.push({ ...request, headers: { ...request.headers } });
      return ok(JSON.stringify({ m: request.method, p: request.path, q: request.query, b: request.body }));
    },
    ...options,
  });
  const send = (text: string | Uint8Array) => connection.receive(typeof text === "string" ? latin1(text) : text);
  return { io, requests, connection, send, responses: (noBodyFor: number[] = []) => parseHttpResponses(io.text(), noBodyFor) };
}

test("GET: request fields, header names lower-cased, exact response bytes, keep-alive", (t) => {
  const requests: ConnectionRequest[] = [];
  const { io, connection, send } = rig({ handle: (r) => (requests.push(r), ok()) });
  send("GET /rpc/EM.GetStatus?id=0 HTTP/1.1\r\nHost: 10.0.0.5\r\nUser-Agent:  padded value \t\r\nX-Unknown: dropped\r\n\r\n");
  t.deepEqual(requests, [{
    method: "GET",
    path: "/rpc/EM.GetStatus",
    query: "id=0",
    headers: { host: "10.0.0.5", "user-agent": "padded value" }, // unknown names are not kept
    body: "",
    remote: "192.0.2.7",
  }]);
  t.is(io.text(), "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\n{}");
  t.is(io.closed, 0);
  t.false(connection.isClosed);
  t.is(connection.requestsServed, 1);
});

test("POST with Content-Length: the body is decoded as UTF-8 (multi-byte, emoji, invalid → U+FFFD)", (t) => {
  const { requests, send } = rig();
  const body = utf8('{"name":"Zähler ⚡ 🔌"}');
  send(`POST /rpc/Sys.SetConfig HTTP/1.1\r\nContent-Length: ${body.length}\r\n\r\n`);
  send(body);
  t.is(requests[0].body, '{"name":"Zähler ⚡ 🔌"}');
  send("POST /x HTTP/1.1\r\nContent-Length: 3\r\n\r\na\xffb");
  t.is(requests[1].body, "a\ufffdb");
});

test("response bodies are UTF-8 and Content-Length counts bytes", (t) => {
  const { io, send } = rig({ handle: () => ok("Zähler 🔌", {}) });
  send("GET / HTTP/1.1\r\n\r\n");
  const [r] = parseHttpResponses(io.text());
  t.is(r.headers["content-length"], String(utf8("Zähler 🔌").length));
  t.is(fromLatin1(r.body), "Zähler 🔌");
});

test("keep-alive by version and Connection header", (t) => {
  const cases: [string, boolean][] = [
    ["GET / HTTP/1.1\r\n\r\n", true],
    ["GET / HTTP/1.1\r\nConnection: close\r\n\r\n", false],
    ["GET / HTTP/1.1\r\nConnection: TE, Close\r\n\r\n", false],
    ["GET / HTTP/1.0\r\n\r\n", false],
    ["GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true],
    ["GET / HTTP/1.2\r\n\r\n", true], // a later 1.x is served as 1.1
  ];
  for (const [request, keepAlive] of cases) {
    const { io, send } = rig();
    send(request);
    const [r] = parseHttpResponses(io.text());
    t.is(r.status, 200, request);
    t.is(r.headers.connection, keepAlive ? "keep-alive" : "close", request);
    t.is(io.closed, keepAlive ? 0 : 1, request);
  }
});

test("the handler can end a keep-alive connection with Connection: close", (t) => {
  const { io, send } = rig({ handle: () => ok("{}", { Connection: "close" }) });
  send("GET / HTTP/1.1\r\n\r\nGET /second HTTP/1.1\r\n\r\n");
  const rs = parseHttpResponses(io.text());
  t.is(rs.length, 1);
  t.is(rs[0].headers.connection, "close");
  t.is(io.closed, 1);
});

test("HEAD reaches the handler as GET and is answered without the body", (t) => {
  const { io, requests, send } = rig();
  send("HEAD /shelly HTTP/1.1\r\n\r\nGET /shelly HTTP/1.1\r\n\r\n");
  t.is(requests[0].method, "GET");
  const rs = parseHttpResponses(io.text(), [0]);
  t.is(rs.length, 2);
  t.is(rs[0].body, "");
  t.is(rs[0].headers["content-length"], String(rs[1].body.length));
  t.true(rs[1].body.length > 0);
});

test("pipelined requests in one chunk are answered in order", (t) => {
  const { io, requests, send } = rig();
  send(
    "GET /a HTTP/1.1\r\n\r\n" +
      "POST /b HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello" +
      "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n" +
      "GET /d?x=1 HTTP/1.1\r\n\r\n",
  );
  t.deepEqual(requests.map((r) => [r.method, r.path, r.query, r.body]), [
    ["GET", "/a", "", ""],
    ["POST", "/b", "", "hello"],
    ["POST", "/c", "", "abc"],
    ["GET", "/d", "x=1", ""],
  ]);
  t.deepEqual(parseHttpResponses(io.text()).map((r) => JSON.parse(r.body).p), ["/a", "/b", "/c", "/d"]);
  t.is(io.closed, 0);
});

test("one byte at a time gives the same requests and the same bytes", (t) => {
  const stream = latin1(
    "\r\nGET /a?b=c HTTP/1.1\r\nHost: h\r\n\r\nPOST /rpc HTTP/1.1\r\nContent-Length: 11\r\n\r\n{\"id\":1234}" +
      "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2;ext=1\r\nab\r\n1\r\nc\r\n0\r\nX-Trailer: 1\r\n\r\n",
  );
  const whole = rig();
  whole.send(stream);
  const bytewise = rig();
  for (const b of stream) bytewise.send(Uint8Array.of(b));
  t.is(whole.requests.length, 3);
  t.deepEqual(bytewise.requests, whole.requests);
  t.deepEqual(bytewise.io.bytes(), whole.io.bytes());
});

test("leading empty lines are skipped; bare LF line ends are accepted", (t) => {
  const { requests, send } = rig();
  send("\r\n\r\nGET /a HTTP/1.1\nHost: x\n\nGET /b HTTP/1.1\r\n\r\n");
  t.deepEqual(requests.map((r) => [r.path, r.headers.host]), [["/a", "x"], ["/b", undefined]]);
});

test("request targets: absolute form, asterisk, fragment, repeated headers joined", (t) => {
  const { requests, send } = rig();
  send("GET http://192.168.1.5:80/rpc/Shelly.GetStatus?x=1 HTTP/1.1\r\n\r\n");
  send("GET HTTP://host HTTP/1.1\r\n\r\n");
  send("OPTIONS * HTTP/1.1\r\n\r\n");
  send("GET /p?q=1#frag HTTP/1.1\r\nAccept: a\r\naccept: b\r\n\r\n");
  t.deepEqual(requests.map((r) => [r.method, r.path, r.query]), [
    ["GET", "/rpc/Shelly.GetStatus", "x=1"],
    ["GET", "/", ""],
    ["OPTIONS", "*", ""],
    ["GET", "/p", "q=1"],
  ]);
  t.is(requests[3].headers.accept, "a, b");
});

test("only known header names are kept: __proto__ and random names never become properties", (t) => {
  // On the device XS never frees a property name: a peer must not be able to add names.
  const { requests, send } = rig();
  send("GET / HTTP/1.1\r\n__proto__: x\r\nconstructor: y\r\nX-Random-8f3a: z\r\nOrigin: http://a\r\n\r\n");
  t.is(Object.getPrototypeOf(requests[0].headers), Object.prototype);
  t.deepEqual(requests[0].headers, { origin: "http://a" });
});

/** Sends a request to a fresh connection; returns the single response and whether it closed. */
function answer(text: string | Uint8Array, options: Partial<HttpConnectionOptions> = {}) {
  const r = rig(options);
  r.send(text);
  const rs = r.responses();
  return { response: rs[0], count: rs.length, closed: r.io.closed, requests: r.requests, io: r.io, connection: r.connection };
}

test("malformed requests get 400 (or their status) and a closed connection", (t) => {
  const cases: [string, number][] = [
    ["GET /\r\n\r\n", 400], // HTTP/0.9
    ["GET / HTTP/1.1 extra\r\n\r\n", 400],
    ["GET  / HTTP/1.1\r\n\r\n", 400],
    ["G(T / HTTP/1.1\r\n\r\n", 400],
    ["GET /a b HTTP/1.1\r\n\r\n", 400],
    ["GET /\x01 HTTP/1.1\r\n\r\n", 400],
    ["GET / HTTX/1.1\r\n\r\n", 400],
    ["GET / HTTP/1.10\r\n\r\n", 400],
    ["GET / HTTP/2.0\r\n\r\n", 505],
    ["GET / HTTP/0.9\r\n\r\n", 505],
    ["GET relative HTTP/1.1\r\n\r\n", 400],
    ["GET / HTTP/1.1\r\nBad Header: x\r\n\r\n", 400],
    ["GET / HTTP/1.1\r\nName : x\r\n\r\n", 400],
    ["GET / HTTP/1.1\r\nNoColon\r\n\r\n", 400],
    ["GET / HTTP/1.1\r\n: empty\r\n\r\n", 400],
    ["GET / HTTP/1.1\r\nA: 1\r\n folded\r\n\r\n", 400],
    ["GET / HTTP/1.1\r\nA: nul\x00byte\r\n\r\n", 400],
    ["GET / HTTP/1.1\r\nA: bare\rCR\r\n\r\n", 400],
    ["POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400],
    ["POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n", 400],
    ["POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400],
    ["POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400],
    ["POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400],
    ["POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501],
    ["GET / HTTP/1.1\r\nExpect: the-unexpected\r\n\r\n", 417],
    ["POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400],
    ["POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", 400],
    ["POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX", 400],
  ];
  for (const [request, status] of cases) {
    const { response, count, closed, requests } = answer(request);
    t.is(count, 1, JSON.stringify(request));
    t.is(response.status, status, JSON.stringify(request));
    t.is(response.reason, reasonPhrase(status));
    t.is(response.headers.connection, "close");
    t.is(closed, 1, JSON.stringify(request));
    t.is(requests.length, 0, JSON.stringify(request));
  }
  // Equal repeated Content-Length values are one length.
  t.is(answer("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc").requests[0].body, "abc");
});

test("limits: request line 414 / 400, header bytes and count 431", (t) => {
  const max = DEFAULT_HTTP_LIMITS.maxRequestLineBytes;
  const atLimit = "GET /" + "a".repeat(max - 14) + " HTTP/1.1"; // exactly max bytes
  t.is(atLimit.length, max);
  t.is(answer(atLimit + "\r\n\r\n").response.status, 200);
  t.is(answer(atLimit + "a\r\n\r\n").response.status, 414);
  // The answer comes as soon as the limit is passed, without waiting for a line end.
  const early = answer("GET /" + "a".repeat(max));
  t.is(early.response.status, 414);
  t.is(early.closed, 1);
  t.is(answer("\x16\x03\x01" + "x".repeat(max)).response.status, 400); // a TLS hello, not HTTP
  t.is(answer("x".repeat(max + 1)).response.status, 400);

  const header = (n: number) => "X: " + "v".repeat(n - 3) + "\r\n"; // n bytes without CRLF
  const maxHeader = DEFAULT_HTTP_LIMITS.maxHeaderBytes;
  t.is(answer("GET / HTTP/1.1\r\n" + header(maxHeader) + "\r\n").response.status, 200);
  t.is(answer("GET / HTTP/1.1\r\n" + header(maxHeader + 1) + "\r\n").response.status, 431);
  t.is(answer("GET / HTTP/1.1\r\n" + header(maxHeader - 10) + header(11) + "\r\n").response.status, 431);
  t.is(answer("GET / HTTP/1.1\r\n" + "A: b\r\n".repeat(64) + "\r\n").response.status, 200);
  t.is(answer("GET / HTTP/1.1\r\n" + "A: b\r\n".repeat(65) + "\r\n").response.status, 431);
  // Endless blank lines before a request are not a way to hold the connection.
  t.is(answer("\r\n".repeat(max)).response.status, 400);
});

test("limits are configurable", (t) => {
  const limits = { maxRequestLineBytes: 20, maxHeaderBytes: 20, maxHeaderCount: 1, maxBodyBytes: 4 };
  t.is(answer("GET /123456789012345 HTTP/1.1\r\n\r\n", { limits }).response.status, 414);
  t.is(answer("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\n\r\n", { limits }).response.status, 431);
  t.is(answer("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\n12345", { limits }).response.status, 413);
  t.is(answer("POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\n1234", { limits }).response.status, 200);
});

test("body too large: 413, the announced body is read and discarded, then the connection closes", (t) => {
  const max = DEFAULT_HTTP_LIMITS.maxBodyBytes;
  const { io, requests, send, connection } = rig();
  send(`POST /rpc HTTP/1.1\r\nContent-Length: ${max + 1}\r\n\r\n`);
  t.is(parseHttpResponses(io.text())[0].status, 413);
  t.is(io.closed, 0); // still reading the body the client is sending
  send(new Uint8Array(max));
  t.is(io.closed, 0);
  send(new Uint8Array(1));
  t.is(io.closed, 1);
  t.true(connection.isClosed);
  t.is(requests.length, 0);
  // Exactly the limit is fine.
  t.is(answer(`POST / HTTP/1.1\r\nContent-Length: ${max}\r\n\r\n` + "x".repeat(max)).requests[0].body.length, max);
  // Beyond maxDrainBytes there is no reading: close at once.
  const huge = answer("POST / HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n");
  t.is(huge.response.status, 413);
  t.is(huge.closed, 1);
  t.is(answer("POST / HTTP/1.1\r\nContent-Length: 9999999999999999\r\n\r\n").response.status, 400);
});

test("Expect: 100-continue gets 100 before the body; a too-large one gets 413 at once", (t) => {
  const { io, requests, send } = rig();
  send("POST /rpc HTTP/1.1\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n");
  t.is(io.text(), "HTTP/1.1 100 Continue\r\n\r\n");
  send("{}");
  t.is(requests[0].body, "{}");
  const rs = parseHttpResponses(io.text());
  t.deepEqual(rs.map((r) => r.status), [100, 200]);

  const big = answer(`POST / HTTP/1.1\r\nContent-Length: 20000\r\nExpect: 100-Continue\r\n\r\n`);
  t.is(big.response.status, 413);
  t.is(big.count, 1);
  t.is(big.closed, 1);
  // No 100 for bodiless requests or HTTP/1.0.
  t.is(answer("GET / HTTP/1.1\r\nExpect: 100-continue\r\n\r\n").response.status, 200);
  t.is(answer("POST / HTTP/1.0\r\nContent-Length: 1\r\nExpect: 100-continue\r\n\r\nx").response.status, 200);
});

test("chunked bodies: extensions, trailers, sizes in hex, limits", (t) => {
  const body = answer("POST / HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\nA ; name=value\r\n0123456789\r\n1a\r\n" + "z".repeat(26) + "\r\n0\r\nTrailer-A: 1\r\nTrailer-B: 2\r\n\r\n");
  t.is(body.requests[0].body, "0123456789" + "z".repeat(26));
  t.is(body.closed, 0);
  t.is(answer("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n").requests[0].body, "");
  // Bare LF after chunk data and size lines.
  t.is(answer("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\nab\n0\n\n").requests[0].body, "ab");
  const max = DEFAULT_HTTP_LIMITS.maxBodyBytes;
  const over = answer(`POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n${(max - 1).toString(16)}\r\n` + "x".repeat(max - 1) + "\r\n2\r\n");
  t.is(over.response.status, 413);
  t.is(over.closed, 1);
  t.is(answer("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n123456789\r\n").response.status, 413);
  t.is(answer("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + "0".repeat(1100) + "\r\n").response.status, 400);
  t.is(answer("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n" + "T: x\r\n".repeat(1000)).response.status, 431);
});

test("the response: reason phrases, our framing headers win, unsafe headers are dropped, 204/304 without body", (t) => {
  const { io, send } = rig({
    handle: (r): HttpResponse => {
      if (r.path === "/204") return { status: 204, headers: {}, body: "ignored" };
      if (r.path === "/304") return { status: 304, headers: {}, body: "ignored" };
      if (r.path === "/418") return { status: 418, headers: {}, body: "teapot" };
      return {
        status: 404,
        headers: {
          "Content-Length": "999",
          "Transfer-Encoding": "chunked",
          connection: "keep-alive",
          "X-Injected": "a\r\nSet-Cookie: evil=1",
          "Bad Name": "x",
          "X-Fine": "yes",
        },
        body: "Not Found",
      };
    },
  });
  send("GET /404 HTTP/1.1\r\n\r\nGET /204 HTTP/1.1\r\n\r\nGET /304 HTTP/1.1\r\n\r\nGET /418 HTTP/1.1\r\n\r\n");
  const text = io.text();
  const rs = parseHttpResponses(text);
  t.deepEqual(rs.map((r) => [r.status, r.reason, r.body]), [[404, "Not Found", "Not Found"], [204, "No Content", ""], [304, "Not Modified", ""], [418, "", "teapot"]]);
  t.deepEqual(rs[0].names, ["X-Fine", "Content-Length", "Connection"]);
  t.is(rs[0].headers["content-length"], "9");
  t.false(text.includes("evil"));
  t.deepEqual(rs[1].names, ["Connection"]);
});

test("a handler that throws gets 500 and a closed connection; onError sees the error", (t) => {
  const errors: unknown[] = [];
  const { response, closed } = answer("GET / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n", {
    handle: () => {
      throw new Error("boom");
    },
    onError: (e) => errors.push(e),
  });
  t.is(response.status, 500);
  t.is(closed, 1);
  t.is((errors[0] as Error).message, "boom");
});

test("the connection ignores everything after it closed, and never writes after close", (t) => {
  const { io, send, connection } = rig();
  send("GET / HTTP/1.0\r\n\r\n");
  t.is(io.closed, 1);
  send("GET / HTTP/1.1\r\n\r\n");
  connection.idle(0);
  connection.idle(1e9);
  connection.close();
  t.is(io.closed, 1);
  t.is(parseHttpResponses(io.text()).length, 1);
});

test("idle: keep-alive timeout closes quietly; a slow request gets 408; the clock may start anywhere", (t) => {
  const limits = { requestTimeoutMs: 1000, keepAliveTimeoutMs: 5000 };
  {
    const { io, connection, send } = rig({ limits });
    connection.idle(1_000_000);
    send("GET / HTTP/1.1\r\n\r\n");
    connection.idle(1_000_100);
    connection.idle(1_004_000);
    t.is(io.closed, 0);
    connection.idle(1_005_200);
    t.is(io.closed, 1);
    t.is(parseHttpResponses(io.text()).length, 1); // no 408 for an idle keep-alive connection
  }
  {
    const { io, connection, send } = rig({ limits });
    connection.idle(0);
    send("GET / HTTP/1.1\r\nHost: x\r\n"); // incomplete
    connection.idle(100);
    send("A: 1\r\n"); // still trickling: the deadline counts from the start
    connection.idle(900);
    t.is(io.closed, 0);
    connection.idle(1100);
    t.is(io.closed, 1);
    t.is(parseHttpResponses(io.text())[0].status, 408);
  }
  {
    // A half-received body times out the same way.
    const { io, connection, send } = rig({ limits });
    send("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n12345");
    connection.idle(50);
    connection.idle(1050);
    t.is(parseHttpResponses(io.text())[0].status, 408);
  }
  {
    // A clock that jumps backwards (wrapping tick counter) restarts the measurement.
    const { io, connection } = rig({ limits });
    connection.idle(100);
    connection.idle(-2_000_000);
    connection.idle(-1_996_000);
    t.is(io.closed, 0);
    connection.idle(-1_994_000);
    t.is(io.closed, 1);
  }
});

test("peerClosed: nothing more is written, and a streamed body is aborted", (t) => {
  const aborted: string[] = [];
  const { io, connection, send } = rig({
    streamBody: () => ({ data: () => {}, end: () => ok(), abort: () => aborted.push("abort") }),
  });
  send("POST /upload HTTP/1.1\r\nContent-Length: 100\r\n\r\n1234");
  connection.peerClosed();
  send("5678");
  connection.idle(0);
  connection.idle(1e9);
  t.deepEqual(aborted, ["abort"]);
  t.is(io.writes.length, 0);
  t.is(io.closed, 0); // the shell's socket is gone already
  t.true(connection.isClosed);
});

test("streamBody: chunks of any size without the body limit, end() answers; a refusal is sent before the body", (t) => {
  const received: number[] = [];
  const sinkFor = (): HttpBodySink => ({
    data: (bytes) => received.push(...bytes),
    end: () => ok(`{"size":${received.length}}`),
  });
  const { io, send, requests } = rig({
    streamBody: (request) => {
      if (request.path !== "/ota") return null;
      if (request.headers.authorization !== "yes") return { status: 401, headers: { "WWW-Authenticate": "Digest" }, body: "" };
      return sinkFor();
    },
  });
  const size = DEFAULT_HTTP_LIMITS.maxBodyBytes * 3;
  send(`POST /ota HTTP/1.1\r\nAuthorization: yes\r\nContent-Length: ${size}\r\n\r\n`);
  for (let i = 0; i < size; i += 1000) send(new Uint8Array(Math.min(1000, size - i)).fill(i & 255));
  t.is(received.length, size);
  t.is(received[999], 0);
  t.is(received[1000], 1000 & 255);
  send("POST /rpc HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}"); // other paths: normal bodies
  t.is(requests.length, 1);
  send(`POST /ota HTTP/1.1\r\nContent-Length: 10\r\n\r\n`);
  const rs = parseHttpResponses(io.text());
  t.deepEqual(rs.map((r) => r.status), [200, 200, 401]);
  t.is(JSON.parse(rs[0].body).size, size);
  t.is(rs[2].headers.connection, "close");
  t.is(io.closed, 0);
  send("0123456789"); // the refused body is read, then the connection closes
  t.is(io.closed, 1);
});

test("streamBody with a chunked upload, and a sink that throws", (t) => {
  const parts: string[] = [];
  const chunked = answer("POST /ota HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", {
    streamBody: () => ({ data: (b) => parts.push(Buffer.from(b).toString()), end: () => ok("done", {}) }),
  });
  t.is(parts.join(""), "abcde");
  t.is(chunked.response.body, "done");
  const errors: unknown[] = [];
  const thrower = answer("POST /ota HTTP/1.1\r\nContent-Length: 4\r\n\r\nabcd", {
    streamBody: () => ({
      data: () => {
        throw new Error("flash full");
      },
      end: () => ok(),
    }),
    onError: (e) => errors.push(e),
  });
  t.is(thrower.response.status, 500);
  t.is(thrower.closed, 1);
  t.is(errors.length, 1);
});

// ---- WebSocket hand-over ----

const KEY = "dGhlIHNhbXBsZSBub25jZQ==";
const upgradeRequest = (extra = "", path = "/rpc", version = "13") =>
  `GET ${path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: ${version}\r\n${extra}\r\n`;
const MASK = Uint8Array.of(1, 2, 3, 4);
const clientText = (text: string) => encodeFrame(1, utf8(text), true, MASK);

test("upgrade: 101 with the RFC 6455 accept key, then frames (even in the same chunk) go to the WebSocket", (t) => {
  const texts: string[] = [];
  const opened: WebSocketConnection[] = [];
  const { io, connection, send, requests } = rig({
    upgrade: (request) =>
      request.path === "/rpc"
        ? { onOpen: (ws) => opened.push(ws), onText: (text, ws) => (texts.push(text), ws.sendText("echo:" + text)) }
        : null,
  });
  const head = latin1(upgradeRequest());
  const first = clientText("hello");
  const both = new Uint8Array(head.length + first.length);
  both.set(head);
  both.set(first, head.length);
  send(both);
  t.true(io.text().startsWith("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"));
  t.is(opened.length, 1);
  t.is(connection.webSocket, opened[0]);
  send(clientText("second"));
  t.deepEqual(texts, ["hello", "second"]);
  t.is(requests.length, 0);
  t.is(connection.requestsServed, 1);
  const out = io.bytes();
  t.true(Buffer.from(out).includes(Buffer.from([0x81, 10, ...utf8("echo:hello")])));
  // Closing the HTTP connection closes the WebSocket with 1001.
  connection.close();
  t.true(Buffer.from(io.bytes()).includes(Buffer.from([0x88, 12, 0x03, 0xe9])));
});

test("upgrade: other paths and refused upgrades are plain HTTP; bad handshakes get 400 / 426", (t) => {
  const upgrade = (r: ConnectionRequest) => (r.path === "/rpc" ? {} : null);
  const plain = answer(upgradeRequest("", "/other"), { upgrade });
  t.is(plain.response.status, 200);
  t.is(plain.requests[0].path, "/other");
  t.is(answer(upgradeRequest()).response.status, 200); // no upgrade hook at all

  const version = answer(upgradeRequest("", "/rpc", "8"), { upgrade });
  t.is(version.response.status, 426);
  t.is(version.response.headers["sec-websocket-version"], "13");
  t.is(version.closed, 1);
  const cases = [
    upgradeRequest().replace(KEY, "short=="),
    upgradeRequest().replace(`Sec-WebSocket-Key: ${KEY}\r\n`, ""),
    upgradeRequest().replace("keep-alive, Upgrade", "keep-alive"),
    upgradeRequest().replace("HTTP/1.1", "HTTP/1.0"),
    upgradeRequest("Content-Length: 2\r\n") + "{}",
  ];
  for (const request of cases) {
    const r = answer(request, { upgrade });
    t.is(r.response.status, 400, request);
    t.is(r.closed, 1);
  }
});

test("upgrade: a subprotocol is chosen only from the offered ones", (t) => {
  const pick = (choice: string) => answer(upgradeRequest("Sec-WebSocket-Protocol: json, shelly\r\n"), { upgrade: () => ({ selectProtocol: () => choice }) }).io.text();
  t.true(pick("shelly").includes("Sec-WebSocket-Protocol: shelly\r\n"));
  t.false(pick("other").includes("Sec-WebSocket-Protocol"));
});

// ---- properties ----

const requestArb = fc.oneof(
  fc.record({ kind: fc.constant("get" as const), path: fc.stringMatching(/^\/[a-zA-Z0-9._~%/-]{0,30}$/), query: fc.stringMatching(/^[a-z0-9=&%]{0,20}$/) }),
  fc.record({ kind: fc.constant("post" as const), path: fc.constantFrom("/rpc", "/rpc/EM.GetStatus"), body: fc.string({ maxLength: 200, unit: "grapheme" }) }),
  fc.record({ kind: fc.constant("chunked" as const), body: fc.string({ maxLength: 100 }), pieces: fc.integer({ min: 1, max: 5 }) }),
);

type RequestSpec = { kind: "get"; path: string; query: string } | { kind: "post"; path: string; body: string } | { kind: "chunked"; body: string; pieces: number };

function encodeRequest(spec: RequestSpec): Uint8Array {
  if (spec.kind === "get") return latin1(`GET ${spec.path}${spec.query ? "?" + spec.query : ""} HTTP/1.1\r\nHost: x\r\n\r\n`);
  if (spec.kind === "post") {
    const body = Buffer.from(spec.body, "utf8");
    return Uint8Array.from(Buffer.concat([Buffer.from(`POST ${spec.path} HTTP/1.1\r\nContent-Length: ${body.length}\r\n\r\n`), body]));
  }
  const body = Buffer.from(spec.body, "utf8");
  const parts: Buffer[] = [Buffer.from("POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")];
  const step = Math.max(1, Math.ceil(body.length / spec.pieces));
  for (let i = 0; i < body.length; i += step) {
    const piece = body.subarray(i, i + step);
    parts.push(Buffer.from(piece.length.toString(16) + "\r\n"), piece, Buffer.from("\r\n"));
  }
  parts.push(Buffer.from("0\r\n\r\n"));
  return Uint8Array.from(Buffer.concat(parts));
}

/** Cuts bytes at the given (sorted, deduplicated) positions. */
function cut(bytes: Uint8Array, positions: number[]): Uint8Array[] {
  const at = [...new Set(positions.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let last = 0;
  for (const p of at) {
    out.push(bytes.subarray(last, p));
    last = p;
  }
  out.push(bytes.subarray(last));
  return out;
}

test("property: any chunking of a request stream yields the same requests and the same response bytes", (t) => {
  fc.assert(
    fc.property(fc.array(requestArb, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 40 }), (specs, positions) => {
      const stream = Uint8Array.from(Buffer.concat(specs.map((s) => encodeRequest(s as RequestSpec))));
      const whole = rig();
      whole.send(stream);
      const pieces = rig();
      for (const piece of cut(stream, positions)) pieces.send(piece);
      if (whole.requests.length !== specs.length) return false;
      for (let i = 0; i < specs.length; i++) {
        const spec = specs[i] as RequestSpec;
        const expectedBody = spec.kind === "get" ? "" : Buffer.from(spec.body, "utf8").toString("utf8");
        if (whole.requests[i].body !== expectedBody) return false;
      }
      t.deepEqual(pieces.requests, whole.requests);
      return Buffer.from(pieces.io.bytes()).equals(Buffer.from(whole.io.bytes())) && whole.io.closed === 0;
    }),
    { numRuns: 300 },
  );
});

test("property: random bytes never throw, chunking does not change the outcome, nothing is written after close", (t) => {
  const prefix = fc.constantFrom("", "GET / HTTP/1.1\r\n", "POST / HTTP/1.1\r\nContent-Length: 5\r\n", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", upgradeRequest());
  fc.assert(
    fc.property(prefix, fc.uint8Array({ maxLength: 600 }), fc.array(fc.nat(), { maxLength: 20 }), (start, noise, positions) => {
      const stream = Uint8Array.from([...latin1(start), ...noise]);
      const options = { upgrade: () => ({ onText: () => {} }), limits: { maxRequestLineBytes: 100, maxHeaderBytes: 200 } };
      const whole = rig(options);
      whole.send(stream);
      const pieces = rig(options);
      for (const piece of cut(stream, positions)) pieces.send(piece);
      const same = Buffer.from(pieces.io.bytes()).equals(Buffer.from(whole.io.bytes())) && pieces.io.closed === whole.io.closed;
      whole.connection.idle(0);
      whole.connection.idle(1e7);
      whole.connection.idle(2e7);
      return same && whole.io.closed <= 1;
    }),
    { numRuns: 500 },
  );
  t.pass();
});

test("property: mutated valid requests never throw and always end in a response or a wait", (t) => {
  fc.assert(
    fc.property(requestArb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 5 }), (spec, edits) => {
      const bytes = encodeRequest(spec as RequestSpec).slice();
      for (const [at, value] of edits) bytes[at % bytes.length] = value;
      const r = rig();
      r.send(bytes);
      r.connection.idle(0);
      r.connection.idle(DEFAULT_HTTP_LIMITS.requestTimeoutMs + 1);
      r.connection.idle(DEFAULT_HTTP_LIMITS.keepAliveTimeoutMs * 2 + 2);
      // Whatever happened, the connection ends within the timeouts and every response parses.
      parseHttpResponses(r.io.text());
      return r.io.closed === 1 || r.connection.isClosed;
    }),
    { numRuns: 500 },
  );
  t.pass();
});

test("property: a native encodeText in the io gives the same bytes as the pure encoder (HTTP and WebSocket)", (t) => {
  const encoder = new TextEncoder();
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 300 }), (text) => {
      const run = (native: boolean) => {
        const io = new RecordingIo();
        const withEncoder = Object.assign(io, native ? { encodeText: (s: string) => encoder.encode(s) } : {});
        const connection = new HttpConnection(withEncoder, {
          handle: () => ({ status: 200, headers: { "X-Len": String(text.length) }, body: text }),
          upgrade: () => ({ onOpen: (ws) => ws.sendText(text) }),
        });
        connection.receive(latin1("GET / HTTP/1.1\r\n\r\nHEAD / HTTP/1.1\r\n\r\n" + upgradeRequest()));
        return Buffer.from(io.bytes());
      };
      return run(true).equals(run(false));
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test("bodies as bytes or made on demand: Content-Length, HEAD, 304; a large body is written apart from the head, never copied", (t) => {
  const page = "<p>Zähler</p>".repeat(200); // 2.8 KB
  const pageBytes = utf8(page);
  const bytes = Uint8Array.from([0, 1, 2, 255]);
  const sources: ByteSource[] = [];
  const { io, send } = rig({
    handle: (request): ConnectionResponse => {
      if (request.path === "/bytes") return { status: 200, headers: {}, body: "ignored", bytes };
      if (request.path === "/304") return { status: 304, headers: {}, body: "", source: textSource(page, pageBytes.length) };
      const source = textSource(page, pageBytes.length);
      sources.push(source);
      return { status: 200, headers: { "Content-Type": "text/html" }, body: "ignored", source };
    },
  });
  send("GET /bytes HTTP/1.1\r\n\r\nGET /page HTTP/1.1\r\n\r\nHEAD /page HTTP/1.1\r\n\r\nGET /304 HTTP/1.1\r\n\r\n");
  const [b, p, h, n] = parseHttpResponses(io.text(), [2]);
  t.is(b.headers["content-length"], "4");
  t.deepEqual(Buffer.from(b.body, "latin1"), Buffer.from(bytes));
  t.is(p.headers["content-length"], String(pageBytes.length));
  t.is(fromLatin1(p.body), page);
  t.is(h.headers["content-length"], String(pageBytes.length), "HEAD announces the length");
  t.is(h.body, "");
  t.is(n.status, 304);
  t.false("content-length" in n.headers);
  // Writes: [head+4 bytes], [head], [page], [HEAD's head], [304 head]; the small body rides with its head.
  t.is(io.writes.length, 5);
  t.deepEqual(Buffer.from(io.writes[2]), Buffer.from(pageBytes));
  t.is(sources.length, 2, "HEAD made a source but it was never read");
});

test("a source goes to io.writeSource when the transport has one (pulled later, in order)", (t) => {
  const page = "x".repeat(5000);
  const io = new RecordingIo() as RecordingIo & { writeSource(source: ByteSource): void };
  const handed: ByteSource[] = [];
  io.writeSource = (source) => {
    handed.push(source);
    io.writes.push(readAll(source));
  };
  const connection = new HttpConnection(io, { handle: () => ({ status: 200, headers: {}, body: "", source: textSource(page, page.length) }) });
  connection.receive(latin1("GET / HTTP/1.1\r\n\r\n"));
  t.is(handed.length, 1);
  const [r] = parseHttpResponses(io.text());
  t.is(r.headers["content-length"], "5000");
  t.is(r.body, page);
});
