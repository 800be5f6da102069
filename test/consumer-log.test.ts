// The consumer log (modules/app/consumer-log.ts): who asked what and when, bounded, and
// its JSON at GET /api/consumers fed by every transport.

import test from "ava";
import fc from "fast-check";
import { ConsumerLog, methodOfFrameText } from "../modules/app/consumer-log";
import { WsClient, freeUdpPorts, http, serve, udpAsk } from "./support/consumers";
import type { Json } from "./support/consumers";

test("counts, last method, rate; one entry per address and transport", (t) => {
  const log = new ConsumerLog();
  for (let i = 0; i < 10; i++) log.record("192.168.1.50", "udp", "EM.GetStatus", 1000 + i * 500);
  log.record("192.168.1.50", "http", "Shelly.GetStatus", 2000);
  log.record("192.168.1.60", "ws", "EM.GetStatus", 5000, "280024310133");
  const [ws, httpEntry, udp] = log.list();
  t.is(ws.transport, "ws");
  t.is(httpEntry.transport, "http");
  t.is(ws.src, "280024310133");
  t.is(udp.requests, 10);
  t.is(udp.lastMethod, "EM.GetStatus");
  t.is(Math.round(ConsumerLog.ratePerMinute(udp, 5500)), 120);
  t.true(ConsumerLog.ratePerMinute(udp, 65_500) < 2, "the rate decays while the client is silent");
  t.is(httpEntry.requests, 1);
  const json = JSON.parse(log.toJson(6000, 1_800_000_000));
  t.is(json.clients.length, 3);
  t.is(json.clients[2].rate_per_min, 120);
  t.is(json.clients[2].last_ts, 1_800_000_000 - 0.5);
  t.deepEqual(json.clients[2].methods, { "EM.GetStatus": 10 });
});

test("bounded: least recently heard clients are dropped; methods per client capped; long strings clipped", (t) => {
  const log = new ConsumerLog({ maxClients: 32, maxMethodsPerClient: 16 });
  for (let i = 0; i < 100; i++) log.record(`10.0.0.${i}`, "udp", "EM.GetStatus", i);
  t.is(log.size, 32);
  t.is(log.evicted, 68);
  log.record("10.0.0.70", "udp", "x", 200); // touching keeps it
  for (let i = 200; i < 231; i++) log.record(`10.0.1.${i}`, "http", "y", i);
  t.true(log.list().some((e) => e.address === "10.0.0.70"));
  for (let i = 0; i < 100; i++) log.record("10.9.9.9", "http", `Probe.M${i}` + "z".repeat(500), 300 + i);
  const e = log.list()[0];
  t.is(e.methods.size, 16);
  t.is(e.otherMethods, 84);
  t.true([...e.methods.keys()].every((m) => m.length <= 64));
  t.notThrows(() => JSON.parse(log.toJson(1000, null)));
  t.is(JSON.parse(log.toJson(1000, null)).clients[0].last_ts, null);
});

test("methodOfFrameText: the same answer as the pattern it replaces, for any text", (t) => {
  // What the log took before the scan (a RegExp is not used on the device, see README).
  const pattern = /"method"\s*:\s*"((?:[^"\\]|\\.){1,64})"/;
  const viaPattern = (text: string) => {
    const m = pattern.exec(text.length > 4096 ? text.slice(0, 4096) : text);
    return m === null ? "(invalid)" : m[1];
  };
  const piece = fc.constantFrom('"method"', '"method" : "', ":", '"', "\\", " ", "\n", "\t", "x", "EM.GetStatus", "é", "\u2028", "\u2029", "\u00a0", "\ufeff", "\u3000", "{", "}");
  fc.assert(
    fc.property(fc.array(fc.oneof(piece, fc.string({ maxLength: 3 })), { maxLength: 40 }), (parts) => {
      const text = parts.join("");
      t.is(methodOfFrameText(text), viaPattern(text), JSON.stringify(text));
    }),
    { numRuns: 20000 },
  );
  const long = '{"method":"' + "a".repeat(64) + '","x":{"method":"' + "b".repeat(65) + '"}}';
  t.is(methodOfFrameText(long), "a".repeat(64));
  t.is(methodOfFrameText('{"method":"' + "b".repeat(65) + '"}'), "(invalid)");
  t.is(methodOfFrameText('{"method":"a\\'), "(invalid)");
});

test("methodOfFrameText finds the method without parsing twice", (t) => {
  t.is(methodOfFrameText('{"id":1,"method":"EM.GetStatus","params":{"id":0}}'), "EM.GetStatus");
  t.is(methodOfFrameText('{"id":1, "method" : "Shelly.\\"x"}'), 'Shelly.\\"x');
  t.is(methodOfFrameText("garbage"), "(invalid)");
});

test("GET /api/consumers lists HTTP, Gen1, WS and UDP clients with their methods", async (t) => {
  const [udpPort] = await freeUdpPorts(1);
  const s = await serve(t, { udpPorts: [udpPort] });
  await http(s.port, "/rpc/Shelly.GetStatus");
  await http(s.port, "/rpc/Shelly.GetStatus");
  await http(s.port, "/rpc", { method: "POST", body: '{"id":1,"method":"EMData.GetStatus","params":{"id":0}}' });
  await http(s.port, "/status");
  await udpAsk(udpPort, '{"id":1,"method":"EM.GetStatus","params":{"id":0}}');
  const ws = await WsClient.open(s.port);
  await ws.call("EM.GetStatus", { id: 0 }, { src: "280024310133" });
  await ws.close();
  const r = await http(s.port, "/api/consumers");
  t.is(r.status, 200);
  t.regex(r.headers.get("content-type") ?? "", /application\/json/);
  const by = (transport: string) => r.body.clients.find((c: Json) => c.transport === transport);
  t.is(by("http").address, "127.0.0.1");
  t.is(by("http").requests, 3);
  t.deepEqual(by("http").methods, { "Shelly.GetStatus": 2, "EMData.GetStatus": 1 });
  t.deepEqual(by("gen1").methods, { "/status": 1 });
  t.is(by("udp").last_method, "EM.GetStatus");
  t.is(by("ws").src, "280024310133");
  t.true(by("ws").last_ts <= r.body.ts && r.body.ts - by("ws").last_ts < 5);
  t.is(r.body.clients[0].transport, "ws", "most recent first");
  t.false(r.body.clients.some((c: Json) => Object.keys(c.methods).some((m) => m.startsWith("/api"))), "the log does not log itself");
});
