// modules/net/websocket on bytes: client frames in, server frames out, every close code, the
// idle pings and the closing handshake, and property tests over chunking and random bytes.

import test from "ava";
import fc from "fast-check";
import {
  CLOSE_ABNORMAL,
  CLOSE_GOING_AWAY,
  CLOSE_INTERNAL_ERROR,
  CLOSE_INVALID_PAYLOAD,
  CLOSE_MESSAGE_TOO_BIG,
  CLOSE_NO_STATUS,
  CLOSE_PROTOCOL_ERROR,
  CLOSE_UNSUPPORTED_DATA,
  DEFAULT_WEBSOCKET_LIMITS,
  OPCODE_BINARY,
  OPCODE_CLOSE,
  OPCODE_CONTINUATION,
  OPCODE_PING,
  OPCODE_PONG,
  OPCODE_TEXT,
  WebSocketConnection,
  encodeFrame,
  type WebSocketHandlers,
  type WebSocketLimits,
} from "../modules/net/websocket";
import { RecordingIo } from "./support/net-adapter";

const utf8 = (text: string) => Uint8Array.from(Buffer.from(text, "utf8"));
const MASK = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);
/** A masked client frame. */
const frame = (opcode: number, payload: Uint8Array | string, fin = true) => encodeFrame(opcode, typeof payload === "string" ? utf8(payload) : payload, fin, MASK);
const closeFrame = (code: number, reason = "") => frame(OPCODE_CLOSE, Uint8Array.from([code >> 8, code & 255, ...utf8(reason)]));
const concat = (...parts: Uint8Array[]) => Uint8Array.from(Buffer.concat(parts));

interface ServerFrame {
  fin: boolean;
  opcode: number;
  payload: Uint8Array;
}

/** Parses unmasked server frames; throws on a masked or truncated one. */
function serverFrames(bytes: Uint8Array): ServerFrame[] {
  const out: ServerFrame[] = [];
  let p = 0;
  while (p < bytes.length) {
    const b0 = bytes[p];
    const b1 = bytes[p + 1];
    if (b1 & 0x80) throw new Error("server frames must not be masked");
    let length = b1 & 0x7f;
    p += 2;
    if (length === 126) {
      length = (bytes[p] << 8) | bytes[p + 1];
      p += 2;
    } else if (length === 127) {
      length = Number(Buffer.from(bytes.subarray(p, p + 8)).readBigUInt64BE());
      p += 8;
    }
    if (p + length > bytes.length) throw new Error("truncated server frame");
    out.push({ fin: (b0 & 0x80) !== 0, opcode: b0 & 0x0f, payload: bytes.slice(p, p + length) });
    p += length;
  }
  return out;
}

function rig(handlers: WebSocketHandlers = {}, limits?: Partial<WebSocketLimits>) {
  const io = new RecordingIo();
  const events: string[] = [];
  const ws = new WebSocketConnection(
    io,
    {
      onText: (text, socket) => {
        events.push("text:" + text);
        socket.sendText("echo:" + text);
      },
      onBinary: (bytes) => events.push("binary:" + Buffer.from(bytes).toString("hex")),
      onClose: (code, reason) => events.push(`close:${code}:${reason}`),
      ...handlers,
    },
    limits,
  );
  return { io, ws, events, frames: () => serverFrames(io.bytes()) };
}

const closeCode = (f: ServerFrame) => (f.payload.length >= 2 ? (f.payload[0] << 8) | f.payload[1] : CLOSE_NO_STATUS);

test("a masked text frame reaches onText; sendText frames the answer", (t) => {
  const { ws, events, frames, io } = rig();
  ws.receive(frame(OPCODE_TEXT, '{"id":1,"method":"EM.GetStatus"}'));
  t.deepEqual(events, ['text:{"id":1,"method":"EM.GetStatus"}']);
  const [f] = frames();
  t.deepEqual([f.fin, f.opcode, Buffer.from(f.payload).toString()], [true, OPCODE_TEXT, 'echo:{"id":1,"method":"EM.GetStatus"}']);
  t.true(ws.isOpen);
  t.is(io.closed, 0);
});

test("frame headers: 7-bit, 16-bit and 64-bit lengths both ways", (t) => {
  for (const n of [0, 1, 125, 126, 127, 65535, 65536, 70000]) {
    const { ws, frames } = rig({ onText: () => {} }, { maxMessageBytes: 100000 });
    t.true(ws.sendText("x".repeat(n)));
    const [f] = frames();
    t.is(f.payload.length, n, `send ${n}`);
    const header = encodeFrame(OPCODE_TEXT, new Uint8Array(n)).subarray(0, 2);
    t.is(header[1], n < 126 ? n : n < 65536 ? 126 : 127);
    // And the parser reads what a client sends with the same lengths.
    const texts: number[] = [];
    const r = rig({ onText: (text) => texts.push(text.length) }, { maxMessageBytes: 100000 });
    r.ws.receive(frame(OPCODE_TEXT, "y".repeat(n)));
    t.deepEqual(texts, [n], `receive ${n}`);
  }
});

test("fragmented messages, with a ping between the fragments and a code point split across them", (t) => {
  const { ws, events, frames } = rig();
  const bytes = utf8("Zähler ⚡");
  ws.receive(frame(OPCODE_TEXT, bytes.subarray(0, 2), false)); // "Z" + first byte of "ä"
  ws.receive(frame(OPCODE_PING, "p1"));
  ws.receive(frame(OPCODE_CONTINUATION, bytes.subarray(2, 9), false));
  ws.receive(frame(OPCODE_CONTINUATION, bytes.subarray(9), true));
  t.deepEqual(events, ["text:Zähler ⚡"]);
  const out = frames();
  t.deepEqual([out[0].opcode, Buffer.from(out[0].payload).toString()], [OPCODE_PONG, "p1"]);
  t.is(out[1].opcode, OPCODE_TEXT);
  // Binary, also fragmented; empty messages too.
  ws.receive(frame(OPCODE_BINARY, Uint8Array.of(1, 2), false));
  ws.receive(frame(OPCODE_CONTINUATION, Uint8Array.of(3), true));
  ws.receive(frame(OPCODE_TEXT, ""));
  t.deepEqual(events.slice(1), ["binary:010203", "text:"]);
});

test("ping gets a pong with the same payload; an unsolicited pong is ignored", (t) => {
  const { ws, frames, events } = rig();
  ws.receive(concat(frame(OPCODE_PING, new Uint8Array(125).fill(7)), frame(OPCODE_PONG, "x"), frame(OPCODE_PING, "")));
  const out = frames();
  t.deepEqual(out.map((f) => [f.opcode, f.payload.length]), [[OPCODE_PONG, 125], [OPCODE_PONG, 0]]);
  t.deepEqual(events, []);
});

/** Feeds bytes to a fresh connection and returns the close code it sent and what onClose saw. */
function failWith(bytes: Uint8Array, handlers: WebSocketHandlers = {}, limits?: Partial<WebSocketLimits>) {
  const r = rig(handlers, limits);
  r.ws.receive(bytes);
  const out = r.frames();
  const last = out[out.length - 1];
  return { sent: last && last.opcode === OPCODE_CLOSE ? closeCode(last) : -1, events: r.events, closed: r.io.closed, ws: r.ws };
}

test("protocol errors close with 1002: unmasked, reserved bits, unknown opcodes, bad fragmentation, bad control frames", (t) => {
  const unmasked = encodeFrame(OPCODE_TEXT, utf8("hi"));
  const rsv = frame(OPCODE_TEXT, "hi");
  rsv[0] |= 0x40;
  const longPing = frame(OPCODE_PING, new Uint8Array(126));
  const fragmentedPing = frame(OPCODE_PING, "x", false);
  const cases: [string, Uint8Array][] = [
    ["unmasked", unmasked],
    ["rsv1", rsv],
    ["opcode 3", frame(3, "x")],
    ["opcode 0xB", frame(0xb, "x")],
    ["continuation first", frame(OPCODE_CONTINUATION, "x")],
    ["text inside fragments", concat(frame(OPCODE_TEXT, "a", false), frame(OPCODE_TEXT, "b"))],
    ["ping > 125", longPing],
    ["fragmented ping", fragmentedPing],
    ["close with 1 byte", frame(OPCODE_CLOSE, Uint8Array.of(3))],
    ["close code 999", closeFrame(999)],
    ["close code 1005", closeFrame(1005)],
    ["close code 1006", closeFrame(1006)],
    ["close code 2000", closeFrame(2000)],
    ["close code 5000", closeFrame(5000)],
  ];
  for (const [name, bytes] of cases) {
    const r = failWith(bytes);
    t.is(r.sent, CLOSE_PROTOCOL_ERROR, name);
    t.is(r.closed, 1, name);
    t.is(r.events.length, 1, name);
    t.true(r.events[0].startsWith(`close:${CLOSE_PROTOCOL_ERROR}:`), name);
    t.true(r.ws.isClosed, name);
  }
  // The unmasked frame is refused on its first two bytes, without waiting for the rest.
  t.is(failWith(unmasked.subarray(0, 2)).sent, CLOSE_PROTOCOL_ERROR);
});

test("too big: one frame or the sum of fragments over the limit → 1009, decided at the header", (t) => {
  const max = DEFAULT_WEBSOCKET_LIMITS.maxMessageBytes;
  t.is(failWith(frame(OPCODE_TEXT, "x".repeat(max))).sent, -1); // exactly the limit is fine
  const big = frame(OPCODE_TEXT, "x".repeat(max + 1));
  t.is(failWith(big.subarray(0, 8)).sent, CLOSE_MESSAGE_TOO_BIG); // the header alone says it
  t.is(failWith(concat(frame(OPCODE_TEXT, "x".repeat(max - 10), false), frame(OPCODE_CONTINUATION, "y".repeat(11)))).sent, CLOSE_MESSAGE_TOO_BIG);
  // A 64-bit length with high bits set.
  const huge = Uint8Array.of(0x81, 0xff, 0, 0, 1, 0, 0, 0, 0, 0, 1, 2, 3, 4);
  t.is(failWith(huge).sent, CLOSE_MESSAGE_TOO_BIG);
  t.is(failWith(frame(OPCODE_BINARY, new Uint8Array(101)), {}, { maxMessageBytes: 100 }).sent, CLOSE_MESSAGE_TOO_BIG);
});

test("invalid UTF-8 in a text message or close reason → 1007; binary without a handler → 1003", (t) => {
  t.is(failWith(frame(OPCODE_TEXT, Uint8Array.of(0x61, 0xff))).sent, CLOSE_INVALID_PAYLOAD);
  t.is(failWith(frame(OPCODE_TEXT, Uint8Array.of(0xed, 0xa0, 0x80))).sent, CLOSE_INVALID_PAYLOAD); // a surrogate
  t.is(failWith(concat(frame(OPCODE_TEXT, Uint8Array.of(0xe2), false), frame(OPCODE_CONTINUATION, Uint8Array.of(0x82)))).sent, CLOSE_INVALID_PAYLOAD);
  t.is(failWith(frame(OPCODE_CLOSE, Uint8Array.of(3, 0xe8, 0xff))).sent, CLOSE_INVALID_PAYLOAD);
  t.is(failWith(frame(OPCODE_BINARY, Uint8Array.of(1)), { onBinary: undefined }).sent, CLOSE_UNSUPPORTED_DATA);
});

test("the peer closes: the code is echoed, the transport closes, onClose once", (t) => {
  {
    const { ws, io, events, frames } = rig();
    ws.receive(closeFrame(4000, "bye"));
    const out = frames();
    t.deepEqual(out.map((f) => [f.opcode, closeCode(f)]), [[OPCODE_CLOSE, 4000]]);
    t.is(io.closed, 1);
    t.deepEqual(events, ["close:4000:bye"]);
    ws.receive(frame(OPCODE_TEXT, "late"));
    ws.peerClosed();
    t.false(ws.sendText("x"));
    t.deepEqual(events, ["close:4000:bye"]);
  }
  {
    // An empty close is answered with an empty close; onClose says 1005 (no status).
    const { ws, io, events, frames } = rig();
    ws.receive(frame(OPCODE_CLOSE, new Uint8Array(0)));
    t.is(frames()[0].payload.length, 0);
    t.is(io.closed, 1);
    t.deepEqual(events, [`close:${CLOSE_NO_STATUS}:`]);
  }
});

test("we close: our close frame, then the peer's answer ends it; data meanwhile is dropped; no answer → cut after closeWaitMs", (t) => {
  {
    const { ws, io, events, frames } = rig();
    ws.close(1000, "done");
    t.false(ws.isOpen);
    t.false(ws.sendText("x"));
    t.false(ws.ping());
    ws.receive(concat(frame(OPCODE_TEXT, "ignored"), frame(OPCODE_PING, "x")));
    t.is(io.closed, 0);
    ws.receive(closeFrame(1000));
    t.is(io.closed, 1);
    t.deepEqual(frames().map((f) => [f.opcode, closeCode(f), Buffer.from(f.payload.subarray(2)).toString()]), [[OPCODE_CLOSE, 1000, "done"]]);
    t.deepEqual(events, ["close:1000:"]);
  }
  {
    const { ws, io, events } = rig({}, { closeWaitMs: 5000 });
    ws.idle(0);
    ws.close(CLOSE_GOING_AWAY);
    ws.idle(1000);
    ws.idle(5999);
    t.is(io.closed, 0);
    ws.idle(6000);
    t.is(io.closed, 1);
    t.deepEqual(events, [`close:${CLOSE_ABNORMAL}:close timeout`]);
  }
});

test("idle: a silent peer is pinged once, then dropped with 1001; any bytes count as life", (t) => {
  const { ws, io, events, frames } = rig({}, { pingAfterMs: 30000, dropAfterMs: 75000 });
  ws.idle(0);
  ws.idle(29999);
  t.is(io.writes.length, 0);
  ws.idle(30000);
  ws.idle(31000);
  t.deepEqual(frames().map((f) => f.opcode), [OPCODE_PING]);
  ws.receive(frame(OPCODE_PONG, ""));
  ws.idle(74000); // the pong at ~31 s reset the clock
  t.is(io.closed, 0);
  ws.idle(104000);
  t.deepEqual(frames().map((f) => f.opcode), [OPCODE_PING, OPCODE_PING]);
  ws.idle(149000);
  t.is(io.closed, 1);
  t.is(closeCode(frames().at(-1)!), CLOSE_GOING_AWAY);
  t.deepEqual(events, [`close:${CLOSE_GOING_AWAY}:idle timeout`]);
});

test("the transport goes away: onClose(1006), nothing written", (t) => {
  const { ws, io, events } = rig();
  ws.peerClosed();
  t.deepEqual(events, [`close:${CLOSE_ABNORMAL}:`]);
  t.is(io.writes.length, 0);
  t.is(io.closed, 0);
  ws.close();
  ws.idle(1e9);
  t.is(io.writes.length, 0);
});

test("a handler that throws closes with 1011", (t) => {
  const errors: unknown[] = [];
  const r = failWith(frame(OPCODE_TEXT, "x"), {
    onText: () => {
      throw new Error("bug");
    },
    onError: (e) => errors.push(e),
  });
  t.is(r.sent, CLOSE_INTERNAL_ERROR);
  t.is(errors.length, 1);
});

test("a handler may close or send from inside onText; later frames in the same chunk are not delivered after close", (t) => {
  const texts: string[] = [];
  const { ws, io } = rig({
    onText: (text, socket) => {
      texts.push(text);
      if (text === "stop") socket.close(1000);
    },
  });
  ws.receive(concat(frame(OPCODE_TEXT, "a"), frame(OPCODE_TEXT, "stop"), frame(OPCODE_TEXT, "b"), closeFrame(1000)));
  t.deepEqual(texts, ["a", "stop"]);
  t.is(io.closed, 1);
});

// ---- properties ----

const messageArb = fc.oneof(
  fc.record({ op: fc.constant("text" as const), text: fc.string({ unit: "grapheme", maxLength: 300 }), pieces: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ op: fc.constant("binary" as const), bytes: fc.uint8Array({ maxLength: 300 }), pieces: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ op: fc.constant("ping" as const), bytes: fc.uint8Array({ maxLength: 125 }) }),
);
type MessageSpec = { op: "text"; text: string; pieces: number } | { op: "binary"; bytes: Uint8Array; pieces: number } | { op: "ping"; bytes: Uint8Array };

function encodeMessage(spec: MessageSpec, mask: Uint8Array): Uint8Array[] {
  if (spec.op === "ping") return [encodeFrame(OPCODE_PING, spec.bytes, true, mask)];
  const payload = spec.op === "text" ? utf8(spec.text) : spec.bytes;
  const step = Math.max(1, Math.ceil(payload.length / spec.pieces));
  const frames: Uint8Array[] = [];
  let first = true;
  for (let i = 0; i < payload.length || first; i += step) {
    const end = Math.min(payload.length, i + step);
    frames.push(encodeFrame(first ? (spec.op === "text" ? OPCODE_TEXT : OPCODE_BINARY) : OPCODE_CONTINUATION, payload.subarray(i, end), end >= payload.length, mask));
    first = false;
  }
  return frames;
}

test("property: any chunking of a frame stream yields the same messages and the same output", (t) => {
  fc.assert(
    fc.property(fc.array(messageArb, { minLength: 1, maxLength: 6 }), fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.array(fc.nat(), { maxLength: 30 }), (specs, mask, positions) => {
      const stream = concat(...specs.flatMap((s) => encodeMessage(s as MessageSpec, mask)), encodeFrame(OPCODE_CLOSE, Uint8Array.of(3, 232), true, mask));
      const whole = rig();
      whole.ws.receive(stream);
      const pieces = rig();
      const at = [...new Set(positions.map((p) => p % (stream.length + 1)))].sort((a, b) => a - b);
      let last = 0;
      for (const p of [...at, stream.length]) {
        pieces.ws.receive(stream.subarray(last, p));
        last = p;
      }
      const expected = specs
        .filter((s) => s.op !== "ping")
        .map((s) => (s.op === "text" ? "text:" + s.text : "binary:" + Buffer.from((s as { bytes: Uint8Array }).bytes).toString("hex")));
      expected.push("close:1000:");
      t.deepEqual(whole.events, expected);
      t.deepEqual(pieces.events, whole.events);
      return Buffer.from(pieces.io.bytes()).equals(Buffer.from(whole.io.bytes())) && whole.io.closed === 1;
    }),
    { numRuns: 300 },
  );
});

test("property: random bytes never throw, close at most once, and every output is well-formed server frames", (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 400 }), fc.boolean(), (noise, masked) => {
      // Half the runs start with a plausible masked header so that parsing goes deeper.
      const bytes = masked && noise.length > 0 ? Uint8Array.from([0x81, 0x80 | (noise[0] & 0x7f), ...noise]) : noise;
      const r = rig({}, { maxMessageBytes: 256 });
      r.ws.receive(bytes);
      r.ws.idle(0);
      r.ws.idle(1e6);
      r.ws.idle(2e6);
      serverFrames(r.io.bytes());
      const closes = r.events.filter((e) => e.startsWith("close:")).length;
      return r.io.closed <= 1 && closes <= 1;
    }),
    { numRuns: 1000 },
  );
  t.pass();
});
