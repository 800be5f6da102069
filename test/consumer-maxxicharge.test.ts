// Maxxisun MaxxiCharge CCU (consumers.md §1): a plain HTTP GET of /rpc/Shelly.GetStatus
// about once a second; it reads only em:0.total_act_power (positive = import). In its
// "Shelly 3EM" (Gen1) mode it reads /status. No auth, no other endpoints.

import test from "ava";
import { DZG_POWER_W, http, serve } from "./support/consumers";

test("CCU as Shelly Pro 3EM: GET /rpc/Shelly.GetStatus → em:0.total_act_power of the replayed frame", async (t) => {
  const s = await serve(t);
  // The CCU polls about once a second; several polls must all read the same frame's power.
  for (let i = 0; i < 3; i++) {
    const r = await http(s.port, "/rpc/Shelly.GetStatus", { headers: { "User-Agent": "ESP32 HTTPClient", Accept: "*/*" } });
    t.is(r.status, 200);
    t.regex(r.headers.get("content-type") ?? "", /application\/json/);
    t.is(r.body["em:0"].total_act_power, DZG_POWER_W);
    t.regex(r.text, /"em:0":\{"id":0,/);
    t.regex(r.text, /"total_act_power":215\.990/);
  }
});

test("CCU in Shelly 3EM (Gen1) mode: GET /status → total_power and emeters[]", async (t) => {
  const s = await serve(t);
  const r = await http(s.port, "/status");
  t.is(r.status, 200);
  t.is(r.body.total_power, DZG_POWER_W);
  t.is(r.body.emeters.length, 3);
  const sum = r.body.emeters.reduce((a: number, e: { power: number }) => a + e.power, 0);
  t.true(Math.abs(sum - DZG_POWER_W) < 0.011);
});
