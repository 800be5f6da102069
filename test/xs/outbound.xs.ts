// The outbound WebSocket (Ws.SetConfig) on XS, against an in-memory server built from the
// core's own server side: the handshake request, masked frames, NotifyFullStatus on connect,
// requests answered without the password, NotifyStatus to the server's src, the reconnect
// backoff, the connect timeout, and events of old connections ignored.

import { App } from "../../modules/app/app";
import { describeOutbound, type OutboundSocketEvents } from "../../modules/app/outbound-ws";
import { defaultValues } from "../../modules/config/schema";
import { utf8EncodeInto, utf8Length } from "../../modules/net/utf8";
import { WebSocketConnection, websocketAccept, type ConnectionIo } from "../../modules/net/websocket";
import { sha256Hex } from "../../modules/shelly/sha256";
import { VirtualMeter } from "../../modules/simulator/virtual-meter";
import { RecordingIo } from "../support/bytes";
import { stillHost } from "../support/still-host";
import { deepEqual, equal, ok, test } from "./harness";

function bytesOf(text: string): Uint8Array {
  const out = new Uint8Array(utf8Length(text));
  utf8EncodeInto(text, out, 0);
  return out;
}

interface Dialed {
  host: string;
  port: number;
  events: OutboundSocketEvents;
  io: RecordingIo;
}

function rig() {
  let now = 1000;
  const host = stillHost({ nowMs: () => now, unixTime: () => 1_795_000_000 + now / 1000 });
  const settings = defaultValues();
  settings["emulation.mac"] = "AABBCCDDEEFF";
  const app = new App({ settings, shellySettings: null, host });
  app.meterBytes(new VirtualMeter({ seed: 3 }).frame(0, 12));
  const dials: Dialed[] = [];
  const lines: string[] = [];
  const outbound = app.createOutboundWs(
    {
      dial(dialHost, port, events) {
        const io = new RecordingIo();
        dials.push({ host: dialHost, port, events, io });
        return io;
      },
    },
    (line) => lines.push(line),
  );
  const rpc = (method: string, params: unknown) => app.device.call(method, params as Record<string, unknown>, true);
  return { app, outbound, dials, lines, rpc, at: (ms: number) => (now = ms), now: () => now };
}

/** The server's end: answers the handshake, then speaks frames through a server-side WebSocketConnection. */
function accept(d: Dialed) {
  const request = d.io.text();
  const key = /Sec-WebSocket-Key: (\S+)\r\n/.exec(request)?.[1] ?? "";
  const handshakeBytes = d.io.bytes().length;
  d.events.bytes(bytesOf("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + websocketAccept(key) + "\r\n\r\n"));
  const received: string[] = [];
  const toClient: ConnectionIo = { write: (bytes) => d.events.bytes(bytes), close: () => d.events.gone() };
  const server = new WebSocketConnection(toClient, { onText: (text) => received.push(text) });
  let fed = handshakeBytes;
  const pump = () => {
    const all = d.io.bytes();
    if (all.length > fed) server.receive(all.subarray(fed));
    fed = all.length;
  };
  pump();
  return { request, server, received, pump };
}

test("outbound ws: dial, handshake, full status, trusted requests, notifications to the server's src", () => {
  const r = rig();
  r.outbound.tick();
  equal(r.dials.length, 0, "off by default");
  equal(r.rpc("Ws.SetConfig", { config: { enable: true, server: "ws://10.0.0.9:8123/shelly?a=1" } }), '{"restart_required":true}');
  // A password is set: the outbound channel still answers (the device chose to connect).
  r.rpc("Shelly.SetAuth", { user: "admin", realm: "shellypro3em-aabbccddeeff", ha1: sha256Hex("admin:shellypro3em-aabbccddeeff:secret") });
  r.outbound.tick();
  equal(r.dials.length, 1);
  const d = r.dials[0];
  deepEqual([d.host, d.port, d.io.writes.length], ["10.0.0.9", 8123, 0]);
  equal(r.outbound.status().state, "connecting");
  d.events.connected();
  const s = accept(d);
  ok(s.request.startsWith("GET /shelly?a=1 HTTP/1.1\r\nHost: 10.0.0.9:8123\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"), s.request);
  ok(/Sec-WebSocket-Version: 13\r\n\r\n$/.test(s.request), s.request);
  equal(r.outbound.connected, true);
  // The server-side connection accepted the frames: they were masked.
  equal(s.received.length, 1);
  const full = JSON.parse(s.received[0]);
  deepEqual([full.method, full.src, full.dst, typeof full.params["em:0"].total_act_power], ["NotifyFullStatus", "shellypro3em-aabbccddeeff", "ws", "number"]);
  s.server.sendText('{"id":5,"src":"vendor","method":"EM.GetStatus","params":{"id":0}}');
  s.pump();
  const reply = JSON.parse(s.received[1]);
  deepEqual([reply.id, reply.dst, typeof reply.result.total_act_power], [5, "vendor", "number"]);
  // A notification batch goes to the server, addressed to its src.
  r.at(20_000);
  r.app.meterBytes(new VirtualMeter({ seed: 4 }).frame(20_000, 13));
  const batch = r.app.pollNotifyStatus();
  ok(batch !== null, "a notification is due");
  if (batch !== null) r.outbound.notify(batch);
  s.pump();
  const note = JSON.parse(s.received[2]);
  deepEqual([note.method, note.dst], ["NotifyStatus", "vendor"]);
  deepEqual(r.outbound.status(), { state: "open", server: "ws://10.0.0.9:8123/shelly?a=1", lastError: null, connects: 1 });
  equal(describeOutbound(r.outbound.status()), "connected to ws://10.0.0.9:8123/shelly?a=1");
});

test("outbound ws: refused attempts back off 2, 4, 8 … 60 s; an accepted connection resets it; stale events are ignored", () => {
  const r = rig();
  r.rpc("Ws.SetConfig", { config: { enable: true, server: "ws://vendor.example:80" } });
  const waits: number[] = [];
  let last = r.now();
  for (let ms = r.now(); ms < 400_000 && r.dials.length < 9; ms += 500) {
    r.at(ms);
    const before = r.dials.length;
    r.outbound.tick();
    if (r.dials.length > before) {
      waits.push(ms - last);
      r.dials[r.dials.length - 1].events.gone(); // refused
      last = ms;
    }
  }
  deepEqual(waits.slice(1), [2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
  equal(r.dials[0].host, "vendor.example");
  equal(r.dials[0].port, 80);
  ok(r.lines.some((l) => l.endsWith("connection refused or unreachable; next attempt in 60 s")), r.lines.join("\n"));
  // Events of an old attempt do nothing.
  r.dials[0].events.connected();
  r.dials[0].events.bytes(bytesOf("HTTP/1.1 101 x\r\n\r\n"));
  equal(r.outbound.status().state, "waiting");
  // Accepted, then dropped by the server: the next attempt comes after 2 s again.
  r.at(last + 60_000);
  r.outbound.tick();
  const d = r.dials[r.dials.length - 1];
  d.events.connected();
  accept(d);
  equal(r.outbound.connected, true);
  d.events.gone();
  equal(r.outbound.connected, false);
  const dropped = r.now();
  r.at(dropped + 1999);
  r.outbound.tick();
  const count = r.dials.length;
  r.at(dropped + 2000);
  r.outbound.tick();
  equal(r.dials.length, count + 1);
});

test("outbound ws: a connection that never completes is given up after 10 s; a bad handshake answer is refused", () => {
  const r = rig();
  r.rpc("Ws.SetConfig", { config: { enable: true, server: "ws://10.0.0.9/" } });
  r.outbound.tick();
  const hanging = r.dials[0];
  r.at(r.now() + 10_000);
  r.outbound.tick();
  equal(hanging.io.closed, 1, "the hanging attempt is closed");
  equal(r.outbound.status().lastError, "no connection after 10 s");
  r.at(r.now() + 2000);
  r.outbound.tick();
  const d = r.dials[1];
  d.events.connected();
  ok(d.io.text().indexOf("Host: 10.0.0.9\r\n") > 0, "no port in Host for 80");
  d.events.bytes(bytesOf("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
  equal(r.outbound.connected, false);
  equal(r.outbound.status().lastError, 'the server answered "HTTP/1.1 200 OK" instead of 101');
  r.at(r.now() + 4000);
  r.outbound.tick();
  const e = r.dials[2];
  e.events.connected();
  e.events.bytes(bytesOf("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: AAAA\r\n\r\n"));
  equal(r.outbound.status().lastError, "Sec-WebSocket-Accept does not match our key");
  equal(describeOutbound(r.outbound.status()), "not connected to ws://10.0.0.9/ (Sec-WebSocket-Accept does not match our key); trying again");
  // Turned off: the state says so, and no more attempts.
  r.rpc("Ws.SetConfig", { config: { enable: false } });
  r.at(r.now() + 100_000);
  r.outbound.tick();
  equal(r.dials.length, 3);
  equal(r.outbound.status().state, "off");
  equal(describeOutbound(r.outbound.status()), "off");
});
