// Probing consumers (client-libraries.md §5; uni-meter#401) and REST pollers such as the
// Zendure HEMS (consumers.md §6, endpoint inferred): every GET /rpc/<Method> goes through
// the same dispatcher as frames; names match case-insensitively (clients call WiFi.* and
// Ws.* while the device lists Wifi.* and WS.*); an unknown method answers the 404 error on
// every transport, never a timeout.

import test from "ava";
import { DZG_POWER_W, WsClient, freeUdpPorts, http, serve, udpAsk } from "./support/consumers";

test("REST pollers: EM.GetStatus?id=0 and Shelly.GetStatus agree", async (t) => {
  const s = await serve(t);
  const em = await http(s.port, "/rpc/EM.GetStatus?id=0");
  const all = await http(s.port, "/rpc/Shelly.GetStatus");
  t.is(em.body.total_act_power, DZG_POWER_W);
  t.deepEqual(all.body["em:0"], em.body);
});

test("case-insensitive names; unknown methods get 404 'No handler' on HTTP, WS and UDP", async (t) => {
  const [udpPort] = await freeUdpPorts(1);
  const s = await serve(t, { udpPorts: [udpPort] });
  for (const name of ["WiFi.GetStatus", "Wifi.GetStatus", "wifi.getstatus", "Ws.GetConfig", "WS.GetConfig", "MQTT.GetStatus", "Mqtt.GetConfig", "Eth.GetStatus", "BLE.GetConfig", "Modbus.GetStatus", "Cloud.GetStatus"]) {
    const r = await http(s.port, `/rpc/${name}`);
    t.is(r.status, 200, name);
  }
  const rest = await http(s.port, "/rpc/EM1.GetStatus?id=0");
  t.is(rest.status, 404);
  t.deepEqual(rest.body, { code: 404, message: "No handler for EM1.GetStatus" });
  const ws = await WsClient.open(s.port);
  t.teardown(() => ws.close());
  t.deepEqual((await ws.call("Switch.GetStatus", { id: 0 })).error, { code: 404, message: "No handler for Switch.GetStatus" });
  const udp = JSON.parse((await udpAsk(udpPort, '{"id":3,"method":"PM1.GetStatus","params":{"id":0}}'))!);
  t.deepEqual(udp.error, { code: 404, message: "No handler for PM1.GetStatus" });
  const framed = await http(s.port, "/rpc", { method: "POST", body: '{"id":4,"src":"probe","method":"Script.List"}' });
  t.is(framed.status, 200);
  t.deepEqual(framed.body.error, { code: 404, message: "No handler for Script.List" });
});
