// Marstek B2500 / Venus / Jupiter (consumers.md §2, §3): UDP JSON-RPC, port 1010 (B2500
// fw ≤ 224, Venus, Jupiter) and 2220 (B2500 fw ≥ 226), request
// {"id":1,"method":"EM.GetStatus","params":{"id":0}} with no src, about every 500 ms.
// The battery rejects integer-looking numbers and a src that is not a Shelly id; a Venus
// on LAN wants a datagram of at least ~250 characters. Free high ports stand in for
// 1010 and 2220 here.

import test from "ava";
import { DZG_POWER_W, freeUdpPorts, serve, sleep, udpAsk } from "./support/consumers";

const REQUEST = '{"id":1,"method":"EM.GetStatus","params":{"id":0}}';

test("EM.GetStatus over UDP on both ports: full frame, decimals, Shelly src, > 250 bytes", async (t) => {
  const ports = await freeUdpPorts(2);
  const s = await serve(t, { udpPorts: ports });
  t.regex(s.output(), new RegExp(`UDP RPC on 127\\.0\\.0\\.1, ports ${ports[0]}, ${ports[1]}`));
  for (const port of ports) {
    const text = await udpAsk(port, REQUEST);
    t.truthy(text, `no answer on port ${port}`);
    const frame = JSON.parse(text!);
    t.is(frame.id, 1);
    t.is(frame.src, "shellypro3em-aabbccddeeff");
    t.is(frame.dst, "unknown");
    t.true(Buffer.byteLength(text!) > 250, `datagram of ${Buffer.byteLength(text!)} bytes`);
    t.is(frame.result.total_act_power, DZG_POWER_W);
    // Every power value is written with a decimal point, zero included (phases b and c).
    for (const key of ["a_act_power", "b_act_power", "c_act_power", "total_act_power"]) {
      t.regex(text!, new RegExp(`"${key}":-?\\d+\\.\\d+[,}]`), key);
    }
    t.regex(text!, /"b_act_power":0\.0,/);
    t.regex(text!, /"total_act_power":215\.990,/);
  }
});

test("a Venus polling every 500 ms from one socket gets every answer; other ids are echoed", async (t) => {
  const [port] = await freeUdpPorts(1);
  await serve(t, { udpPorts: [port] });
  for (let id = 1; id <= 4; id++) {
    const text = await udpAsk(port, `{"id":${id},"method":"EM.GetStatus","params":{"id":0}}`);
    t.is(JSON.parse(text!).id, id);
    await sleep(500);
  }
  // The EM1 request of a battery set to "Shelly EM Gen3" gets the real device's error.
  const em1 = JSON.parse((await udpAsk(port, '{"id":7,"method":"EM1.GetStatus","params":{"id":0}}'))!);
  t.deepEqual(em1.error, { code: 404, message: "No handler for EM1.GetStatus" });
});
