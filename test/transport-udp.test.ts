// UDP JSON-RPC against `ir2shelly serve`: replies go to each sender's own address and
// port; junk gets nothing and hurts nothing; a port that cannot be bound is reported in one
// sentence while the others serve.

import test from "ava";
import dgram from "node:dgram";
import path from "node:path";
import { udpFailureSentence } from "../host/udp-transport";
import { DZG_CAPTURE, DZG_POWER_W, freeUdpPorts, http, serve, tmpDir, udpAsk } from "./support/consumers";
import { startServe } from "./support/processes";

const REQUEST = (id: number) => `{"id":${id},"method":"EM.GetStatus","params":{"id":0}}`;

test("random datagrams get no reply and do not hurt; errors come back as error frames", async (t) => {
  const [port] = await freeUdpPorts(1);
  const s = await serve(t, { udpPorts: [port] });
  const sender = dgram.createSocket("udp4");
  const received: string[] = [];
  sender.on("message", (m) => received.push(m.toString()));
  await new Promise<void>((resolve) => sender.bind(0, "127.0.0.1", () => resolve()));
  t.teardown(() => sender.close());
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let i = 0; i < 300; i++) {
    const size = Math.floor(rnd() * (i % 10 === 0 ? 9000 : 300));
    const bytes = Buffer.alloc(size);
    for (let k = 0; k < size; k++) bytes[k] = Math.floor(rnd() * 256);
    sender.send(bytes, port, "127.0.0.1");
  }
  for (const junk of ["", "{", "null", "[]", "{}", '{"method":"EM.GetStatus","params":{"id":0}}', "[".repeat(5000), '{"id":1,"method":"EM.GetStatus","params":{"id":0},"pad":"' + "x".repeat(9000) + '"}']) {
    sender.send(Buffer.from(junk), port, "127.0.0.1");
  }
  await new Promise((r) => setTimeout(r, 500));
  t.deepEqual(received, [], "no replies to junk, frames without id or oversized datagrams");

  const unknown = JSON.parse((await udpAsk(port, '{"id":2,"method":"Nope.Nope"}'))!);
  t.deepEqual(unknown.error, { code: 404, message: "No handler for Nope.Nope" });
  const wrongType = JSON.parse((await udpAsk(port, '{"id":3,"method":"EM.GetStatus","params":{"id":"0"}}'))!);
  t.is(wrongType.error.code, -103);
  const badId = JSON.parse((await udpAsk(port, '{"id":4,"method":"EM.GetStatus","params":{"id":3}}'))!);
  t.deepEqual(badId.error, { code: -105, message: "Bad id=3" });
  const ok = JSON.parse((await udpAsk(port, REQUEST(5)))!);
  t.is(ok.result.total_act_power, DZG_POWER_W);
  t.is((await http(s.port, "/shelly")).status, 200);
});

test("concurrent senders each get their own reply at their own port", async (t) => {
  const [port] = await freeUdpPorts(1);
  await serve(t, { udpPorts: [port] });
  const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => udpAsk(port, REQUEST(100 + i), 2000)));
  answers.forEach((text, i) => t.is(JSON.parse(text!).id, 100 + i));
});

test("a port in use is reported in one sentence; the other port and HTTP serve", async (t) => {
  const [taken, free] = await freeUdpPorts(2);
  const squatter = dgram.createSocket("udp4");
  await new Promise<void>((resolve) => squatter.bind(taken, "127.0.0.1", () => resolve()));
  t.teardown(() => squatter.close());
  const s = await serve(t, { udpPorts: [taken, free] });
  t.regex(s.output(), new RegExp(`UDP RPC on port ${taken} is off: it is already in use by another program`));
  t.regex(s.output(), new RegExp(`UDP RPC on 127\\.0\\.0\\.1, port ${free}\\n`));
  t.is(JSON.parse((await udpAsk(free, REQUEST(1)))!).result.total_act_power, DZG_POWER_W);
  t.is((await http(s.port, "/rpc/EM.GetStatus?id=0")).status, 200);
});

test("the sentence for a privileged port names the fix and who is affected", (t) => {
  const sentence = udpFailureSentence(1010, "0.0.0.0", "EACCES", "bind EACCES 0.0.0.0:1010");
  t.regex(sentence, /^UDP RPC on port 1010 is off: permission denied: ports below 1024 need root or CAP_NET_BIND_SERVICE/);
  t.regex(sentence, /Marstek B2500 up to firmware 224/);
  t.regex(udpFailureSentence(2220, "0.0.0.0", "EADDRINUSE", ""), /Marstek B2500 from firmware 226/);
});

test("Sys.SetConfig rpc_udp.listen_port is served after a restart, like a real device", async (t) => {
  const [port] = await freeUdpPorts(1);
  const settings = path.join(tmpDir, `udp-listen-${process.pid}.json`);
  const first = await startServe(["--no-mdns", "--replay", DZG_CAPTURE, "--bind", "127.0.0.1", "--settings", settings, "--mac", "AABBCCDDEEFF", "--udp-ports", ""]);
  t.teardown(() => first.stop());
  const set = await http(first.port, "/rpc/Sys.SetConfig", { method: "POST", body: JSON.stringify({ config: { rpc_udp: { listen_port: port } } }) });
  t.deepEqual(set.body, { restart_required: true });
  t.is(await udpAsk(port, REQUEST(1), 300), null, "not before the restart");
  await first.stop();
  const second = await startServe(["--no-mdns", "--replay", DZG_CAPTURE, "--bind", "127.0.0.1", "--settings", settings, "--mac", "AABBCCDDEEFF", "--udp-ports", ""]);
  t.teardown(() => second.stop());
  t.is(JSON.parse((await udpAsk(port, REQUEST(2)))!).result.total_act_power, DZG_POWER_W);
  t.is((await http(second.port, "/rpc/Sys.GetConfig")).body.rpc_udp.listen_port, port);
});
