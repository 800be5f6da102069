// Growatt NOAH / NEXA 2000 (consumers.md §5): HTTP GET /rpc/Shelly.GetStatus?esp on
// port 80 after an mDNS discovery; shows zeros unless the cloud is reported disabled.

import test from "ava";
import { DZG_POWER_W, http, serve } from "./support/consumers";

test("GET /rpc/Shelly.GetStatus?esp → status with em:0, cloud disconnected and disabled", async (t) => {
  const s = await serve(t);
  const r = await http(s.port, "/rpc/Shelly.GetStatus?esp");
  t.is(r.status, 200, r.text);
  t.is(r.body["em:0"].total_act_power, DZG_POWER_W);
  t.is(r.body["em:0"].a_act_power, 216.0);
  t.deepEqual(r.body.cloud, { connected: false });
  t.is(typeof r.body["emdata:0"].total_act, "number");
  const config = await http(s.port, "/rpc/Shelly.GetConfig");
  t.is(config.body.cloud.enable, false);
  const info = await http(s.port, "/shelly");
  t.is(info.body.gen, 2);
  t.is(info.body.app, "Pro3EM");
});
