// modules/net on XS: UTF-8, SHA-1, base64, the HTTP connection, WebSocket frames and the
// captive DNS answers, on bytes only (no sockets here). Chunking and random-input checks use
// a seeded generator, so every run is the same.

import { base64Encode } from "../../modules/net/base64";
import { base64Source, readAll, textSource } from "../../modules/net/byte-source";
import { WEB_ASSETS } from "../../modules/web/assets.generated";
import { ConnectionPool } from "../../modules/net/connection-pool";
import { CaptiveDnsResponder } from "../../modules/net/dns-captive";
import { HttpConnection, type ConnectionRequest, type HttpConnectionOptions } from "../../modules/net/http-connection";
import { sha1Hex } from "../../modules/net/sha1";
import { latin1Decode, utf8Decode, utf8DecodeStrict, utf8EncodeInto, utf8Length } from "../../modules/net/utf8";
import { WebSocketConnection, encodeFrame, websocketAccept, type WebSocketHandlers } from "../../modules/net/websocket";
import { concatBytes, RecordingIo } from "../support/bytes";
import { deepEqual, equal, ok, test } from "./harness";

// ---- helpers (no Buffer on XS) ----

function bytesOf(text: string): Uint8Array {
  const out = new Uint8Array(utf8Length(text));
  utf8EncodeInto(text, out, 0);
  return out;
}

function latin1(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/** Park–Miller generator: deterministic "random" numbers for chunking and noise. */
function random(seed: number): (n: number) => number {
  let s = seed;
  return (n: number) => {
    s = (s * 48271) % 2147483647;
    return s % n;
  };
}

function statuses(text: string): number[] {
  const out: number[] = [];
  let p = 0;
  for (;;) {
    p = text.indexOf("HTTP/1.1 ", p);
    if (p < 0) return out;
    out.push(Number(text.slice(p + 9, p + 12)));
    p += 12;
  }
}

function http(options: Partial<HttpConnectionOptions> = {}) {
  const io = new RecordingIo();
  const seen: ConnectionRequest[] = [];
  const connection = new HttpConnection(io, {
    remote: "10.0.0.2",
    handle: (request) => {
      seen.push(request);
      return { status: 200, headers: { "Content-Type": "application/json" }, body: '{"p":"' + request.path + '","b":' + JSON.stringify(request.body) + "}" };
    },
    ...options,
  });
  return { io, seen, connection, send: (text: string) => connection.receive(latin1(text)) };
}

// ---- codecs ----

test("UTF-8: encode and decode, replacement and strict modes", () => {
  const text = "Zähler ⚡ 🔌 " + "x".repeat(100) + "ü";
  const bytes = bytesOf(text);
  equal(bytes.length, utf8Length(text));
  equal(utf8Decode(bytes), text);
  equal(utf8DecodeStrict(bytes), text);
  equal(utf8Decode(Uint8Array.of(0x61, 0xe2, 0x82, 0x62, 0xc0, 0x80)), "a\ufffdb\ufffd\ufffd");
  equal(utf8DecodeStrict(Uint8Array.of(0xed, 0xa0, 0x80)), null);
  deepEqual(bytesOf("\ud800x"), Uint8Array.of(0xef, 0xbf, 0xbd, 0x78));
  equal(latin1Decode(Uint8Array.of(0x41, 0xe4)), "Aä");
});

test("SHA-1 (RFC 3174), base64 (RFC 4648) and the WebSocket accept key (RFC 6455)", () => {
  equal(sha1Hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  equal(sha1Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"), "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  equal(sha1Hex("01234567".repeat(80)), "dea356a2cddd90c7a7ecedc5ebb563934f460452");
  equal(sha1Hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  // As bytes: a million-char string would make utf8Encode (charCodeAt per char) quadratic on XS.
  equal(sha1Hex(new Uint8Array(1000000).fill(0x61)), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
  const vectors: [string, string][] = [["", ""], ["f", "Zg=="], ["fo", "Zm8="], ["foo", "Zm9v"], ["foob", "Zm9vYg=="], ["fooba", "Zm9vYmE="], ["foobar", "Zm9vYmFy"]];
  for (const [plain, encoded] of vectors) equal(base64Encode(latin1(plain)), encoded);
  equal(websocketAccept("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
});

// ---- HTTP ----

test("byte sources: text and base64 in pieces give the same bytes as whole encodings; the web assets decode", () => {
  const text = "a".repeat(62) + "Zähler 🔌 ⚡" + "b".repeat(70);
  const whole = new Uint8Array(utf8Length(text));
  utf8EncodeInto(text, whole, 0);
  for (const size of [4, 5, 7, 64, 1460]) {
    const source = textSource(text, whole.length);
    const parts: Uint8Array[] = [];
    for (;;) {
      const into = new Uint8Array(size);
      const n = source.read(into);
      if (n === 0) break;
      parts.push(into.subarray(0, n));
    }
    deepEqual(Array.from(concatBytes(...parts)), Array.from(whole), "piece " + size);
  }
  const bytes = Uint8Array.from([0, 1, 2, 250, 251, 252, 253]);
  for (let n = 0; n <= bytes.length; n++) {
    const b64 = base64Encode(bytes.subarray(0, n));
    deepEqual(Array.from(readAll(base64Source(b64, n))), Array.from(bytes.subarray(0, n)), "length " + n);
  }
  for (const a of WEB_ASSETS) {
    equal(readAll(textSource(a.text, a.textBytes)).length, a.textBytes, a.path);
    const gz = readAll(base64Source(a.gzip, a.gzipBytes));
    equal(gz[0] * 256 + gz[1], 0x1f8b, a.path + " is gzip");
  }
});

test("HTTP: a body from a source has its length in the head and follows it", () => {
  const page = "<p>Zähler</p>".repeat(100);
  const length = utf8Length(page);
  const { io, send } = http({ handle: () => ({ status: 200, headers: {}, body: "", source: textSource(page, length) }) });
  send("GET / HTTP/1.1\r\n\r\n");
  const text = utf8Decode(io.bytes(), 0, io.bytes().length);
  equal(text, "HTTP/1.1 200 OK\r\nContent-Length: " + length + "\r\nConnection: keep-alive\r\n\r\n" + page);
});

test("HTTP: a GET gives exact response bytes and keeps the connection", () => {
  const { io, seen, send } = http({ handle: (r) => (seen.push(r), { status: 200, headers: { "Content-Type": "application/json" }, body: "{}" }) });
  send("GET /rpc/EM.GetStatus?id=0 HTTP/1.1\r\nHost: X\r\nAccept:  */* \r\n\r\n");
  equal(io.text(), "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\n{}");
  deepEqual(seen, [{ method: "GET", path: "/rpc/EM.GetStatus", query: "id=0", headers: { host: "X", accept: "*/*" }, body: "", remote: "10.0.0.2" }]);
  equal(io.closed, 0);
});

test("HTTP: pipelining, chunked and Content-Length bodies, HEAD, HTTP/1.0", () => {
  const { io, seen, connection, send } = http();
  connection.receive(bytesOf("POST /a HTTP/1.1\r\nContent-Length: 7\r\n\r\nZähler"));
  send(
    "POST /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n1;x=y\r\nd\r\n0\r\n\r\n" +
      "HEAD /c HTTP/1.1\r\n\r\n" +
      "GET /d HTTP/1.0\r\n\r\n" +
      "GET /never HTTP/1.1\r\n\r\n",
  );
  deepEqual(seen.map((r) => [r.method, r.path, r.body]), [["POST", "/a", "Zähler"], ["POST", "/b", "abcd"], ["GET", "/c", ""], ["GET", "/d", ""]]);
  const text = io.text();
  deepEqual(statuses(text), [200, 200, 200, 200]);
  ok(text.endsWith("Connection: close\r\n\r\n" + '{"p":"/d","b":""}'), "HTTP/1.0 closes");
  equal(io.closed, 1);
});

test("HTTP: any chunking gives the same requests and bytes (seeded)", () => {
  const stream = latin1(
    "GET /a?x=1 HTTP/1.1\r\nHost: h\r\n\r\nPOST /rpc HTTP/1.1\r\nContent-Length: 11\r\n\r\n{\"id\":1234}" +
      "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\nT: 1\r\n\r\n",
  );
  const whole = http();
  whole.connection.receive(stream);
  const expected = whole.io.text();
  equal(whole.seen.length, 3);
  const next = random(42);
  for (let run = 0; run < 40; run++) {
    const r = http();
    let p = 0;
    while (p < stream.length) {
      const step = run === 0 ? 1 : 1 + next(40);
      r.connection.receive(stream.subarray(p, Math.min(stream.length, p + step)));
      p += step;
    }
    equal(r.io.text(), expected, `run ${run}`);
    deepEqual(r.seen, whole.seen, `run ${run}`);
  }
});

test("HTTP: bad and oversized requests get their status and a close", () => {
  const cases: [string, number][] = [
    ["GET /\r\n\r\n", 400],
    ["GET / HTTP/2.0\r\n\r\n", 505],
    ["GET / HTTP/1.1\r\nBad Header: x\r\n\r\n", 400],
    ["GET /" + "a".repeat(3000) + " HTTP/1.1\r\n\r\n", 414],
    ["GET / HTTP/1.1\r\nX: " + "b".repeat(5000) + "\r\n\r\n", 431],
    ["POST / HTTP/1.1\r\nContent-Length: 20000\r\n\r\n", 413], // stays open to read (and drop) the body
    ["POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501],
    ["POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 400],
  ];
  for (const [request, status] of cases) {
    const { io, seen, send } = http();
    send(request);
    deepEqual(statuses(io.text()), [status], request.slice(0, 40));
    equal(io.closed, request.includes("20000") ? 0 : 1, "closed: " + request.slice(0, 40));
    equal(seen.length, 0);
  }
});

test("HTTP: idle timeouts (408 for a stalled request, quiet close when idle)", () => {
  const limits = { requestTimeoutMs: 1000, keepAliveTimeoutMs: 3000 };
  const a = http({ limits });
  a.connection.idle(0);
  a.send("GET / HTTP/1.1\r\n");
  a.connection.idle(10);
  a.connection.idle(1010);
  deepEqual(statuses(a.io.text()), [408]);
  const b = http({ limits });
  b.send("GET / HTTP/1.1\r\n\r\n");
  b.connection.idle(0);
  b.connection.idle(2999);
  equal(b.io.closed, 0);
  b.connection.idle(3000);
  equal(b.io.closed, 1);
});

/** A RecordingIo the pool can judge: closed once the core closed it or it was aborted. */
class PoolIo extends RecordingIo {
  aborted = false;
  sending = false;
  get isClosed(): boolean {
    return this.closed > 0 || this.aborted;
  }
  get isSending(): boolean {
    return this.sending;
  }
  abort(): void {
    this.aborted = true;
  }
}

test("connection pool: a full pool closes the longest-idle keep-alive connection; busy ones never, then refuses", () => {
  const pool = new ConnectionPool({ maxConnections: 3, connection: { handle: () => ({ status: 200, headers: {}, body: "ok" }) } });
  const request = bytesOf("GET / HTTP/1.1\r\n\r\n");
  const ios = [new PoolIo(), new PoolIo(), new PoolIo()];
  const conns = ios.map((io) => pool.admit(io, "10.0.0.2"));
  for (const c of conns) c?.receive(request);
  conns[0]?.receive(request); // the first was used last: the second waited longest
  const fourth = new PoolIo();
  ok(pool.admit(fourth, "10.0.0.3") !== null, "admitted");
  deepEqual([ios[0].closed, ios[1].closed, ios[2].closed, pool.closedIdle, pool.size], [0, 1, 0, 1, 3]);
  // Busy: one in the middle of a request, the others still sending their answers.
  conns[0]?.receive(bytesOf("GET / HT"));
  ios[2].sending = true;
  fourth.sending = true;
  const fifth = new PoolIo();
  equal(pool.admit(fifth, "10.0.0.4"), null);
  deepEqual([fifth.aborted, pool.refused, pool.size], [true, 1, 3]);
  // The answer is out: that connection is idle again and makes room.
  ios[2].sending = false;
  ok(pool.admit(new PoolIo(), "10.0.0.5") !== null, "admitted after the answer went out");
  deepEqual([ios[2].closed, pool.closedIdle, pool.refused], [1, 2, 1]);
});

test("connection pool: a newcomer closes an idle connection of its own address first", () => {
  const pool = new ConnectionPool({ maxConnections: 3, connection: { handle: () => ({ status: 200, headers: {}, body: "ok" }) } });
  const request = bytesOf("GET / HTTP/1.1\r\n\r\n");
  const battery = new PoolIo();
  const pages = [new PoolIo(), new PoolIo()];
  pool.admit(battery, "10.0.0.7")?.receive(request);
  for (const io of pages) pool.admit(io, "10.0.0.9")?.receive(request);
  ok(pool.admit(new PoolIo(), "10.0.0.9") !== null, "admitted");
  deepEqual([battery.closed, pages[0].closed, pages[1].closed], [0, 1, 0]);
  ok(pool.admit(new PoolIo(), "10.0.0.5") !== null, "admitted");
  deepEqual([battery.closed, pages[1].closed], [1, 0]);
});

test("HTTP: random bytes never throw and never write after close (seeded)", () => {
  const next = random(7);
  for (let run = 0; run < 200; run++) {
    const prefix = ["", "GET / HTTP/1.1\r\n", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"][run % 3];
    const noise = new Uint8Array(next(300));
    for (let i = 0; i < noise.length; i++) noise[i] = next(256);
    const { connection } = http({ upgrade: () => ({}) });
    connection.receive(concatBytes(latin1(prefix), noise));
    connection.idle(0);
    connection.idle(1e6);
    connection.idle(2e6); // the RecordingIo throws on any write after close
  }
});

// ---- WebSocket ----

const MASK = Uint8Array.of(9, 8, 7, 6);
const clientFrame = (opcode: number, payload: Uint8Array, fin = true) => encodeFrame(opcode, payload, fin, MASK);

test("WebSocket: upgrade, echo, fragments with a ping between, close echo", () => {
  const texts: string[] = [];
  const closes: number[] = [];
  const handlers: WebSocketHandlers = {
    onText: (text, ws) => {
      texts.push(text);
      ws.sendText("re:" + text);
    },
    onClose: (code) => closes.push(code),
  };
  const { io, connection, send } = http({ upgrade: (r) => (r.path === "/rpc" ? handlers : null) });
  send("GET /rpc HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
  ok(io.text().includes("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
  const before = io.bytes().length;
  const message = bytesOf("Zähler");
  connection.receive(concatBytes(
    clientFrame(1, message.subarray(0, 2), false),
    clientFrame(9, latin1("p")),
    clientFrame(0, message.subarray(2), true),
    clientFrame(8, Uint8Array.of(0x03, 0xe8)),
  ));
  deepEqual(texts, ["Zähler"]);
  const out = io.bytes().subarray(before);
  deepEqual(Array.from(out.subarray(0, 3)), [0x8a, 1, 0x70], "pong");
  deepEqual(Array.from(out.subarray(3, 5)), [0x81, 10], "text header");
  equal(utf8Decode(out, 5, 15), "re:Zähler");
  deepEqual(Array.from(out.subarray(15)), [0x88, 2, 0x03, 0xe8], "close echo");
  deepEqual(closes, [1000]);
  equal(io.closed, 1);
  ok(connection.isClosed);
});

test("WebSocket: close codes for unmasked (1002), too big (1009) and bad UTF-8 (1007) frames", () => {
  const closeCodeOf = (bytes: Uint8Array, limit = 16384) => {
    const io = new RecordingIo();
    const ws = new WebSocketConnection(io, { onText: () => {} }, { maxMessageBytes: limit });
    ws.receive(bytes);
    const out = io.bytes();
    equal(io.closed, 1);
    equal(out[0], 0x88);
    return (out[2] << 8) | out[3];
  };
  equal(closeCodeOf(encodeFrame(1, latin1("hi"))), 1002);
  equal(closeCodeOf(clientFrame(1, new Uint8Array(101)), 100), 1009);
  equal(closeCodeOf(clientFrame(1, Uint8Array.of(0xff))), 1007);
  equal(closeCodeOf(clientFrame(3, new Uint8Array(0))), 1002);
});

test("WebSocket: random bytes never throw (seeded)", () => {
  const next = random(99);
  for (let run = 0; run < 300; run++) {
    const noise = new Uint8Array(2 + next(200));
    for (let i = 0; i < noise.length; i++) noise[i] = next(256);
    if (run % 2 === 0) noise[1] |= 0x80; // masked: parse deeper
    const io = new RecordingIo();
    const ws = new WebSocketConnection(io, { onText: () => {}, onBinary: () => {} }, { maxMessageBytes: 128 });
    ws.receive(noise);
    ws.idle(0);
    ws.idle(1e6);
    ok(io.closed <= 1);
  }
});

// ---- captive DNS ----

test("captive DNS: A → the AP address, AAAA → no data, garbage → no reply", () => {
  const responder = new CaptiveDnsResponder({ address: "192.168.4.1" });
  const q = (type: number) =>
    Uint8Array.of(0xab, 0xcd, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 7, ...latin1("captive"), 5, ...latin1("apple"), 3, ...latin1("com"), 0, 0, type, 0, 1);
  const a = responder.reply(q(1));
  ok(a !== null);
  deepEqual(Array.from(a.subarray(0, 12)), [0xab, 0xcd, 0x85, 0x80, 0, 1, 0, 1, 0, 0, 0, 0]);
  deepEqual(Array.from(a.subarray(a.length - 16)), [0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 168, 4, 1]);
  const aaaa = responder.reply(q(28));
  ok(aaaa !== null);
  equal(aaaa.length, q(28).length);
  equal(aaaa[7], 0);
  equal(aaaa[3], 0x80);
  equal(responder.reply(latin1("garbage garbage garbage")), null);
  const next = random(5);
  for (let run = 0; run < 300; run++) {
    const noise = new Uint8Array(next(100));
    for (let i = 0; i < noise.length; i++) noise[i] = next(256);
    responder.reply(noise);
  }
  equal(responder.counts.answered, 1);
});
