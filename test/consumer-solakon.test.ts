// Solakon One (consumers.md §9): found over mDNS, then reads over UDP port 1010 (Shelly
// script users) or over HTTP (AMIS PR #73); we serve both.

import test from "ava";
import { DZG_POWER_W, freeUdpPorts, http, serve, udpAsk } from "./support/consumers";

test("UDP EM.GetStatus and HTTP /shelly + /rpc/EM.GetStatus agree", async (t) => {
  const [port] = await freeUdpPorts(1);
  const s = await serve(t, { udpPorts: [port] });
  const text = await udpAsk(port, '{"id":1,"method":"EM.GetStatus","params":{"id":0}}');
  const frame = JSON.parse(text!);
  t.is(frame.result.total_act_power, DZG_POWER_W);
  const info = await http(s.port, "/shelly");
  t.is(info.body.id, frame.src);
  t.is(info.body.model, "SPEM-003CEBEU");
  t.is(info.body.mac, "AABBCCDDEEFF");
  const em = await http(s.port, "/rpc/EM.GetStatus?id=0");
  t.is(em.status, 200);
  t.deepEqual(em.body, frame.result);
});
