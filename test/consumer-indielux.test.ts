// Indielux Einspeisewächter (consumers.md §11): accepts only a Gen1 Shelly 3EM, entered
// by IP; reads GET /status (emeters[3], total_power). evcc's shelly-3em template reads the
// same. The setting emulation.gen1 = false turns this API off (404, as on a real Pro 3EM).

import test from "ava";
import { DZG_EXPORT_WH, DZG_IMPORT_WH, DZG_POWER_W, http, serve } from "./support/consumers";

test("GET /status → emeters[3] with power/total, total_power; /emeter/N the same objects", async (t) => {
  const s = await serve(t);
  const r = await http(s.port, "/status");
  t.is(r.status, 200);
  t.is(r.body.emeters.length, 3);
  t.is(r.body.total_power, DZG_POWER_W);
  t.regex(r.text, /"total_power":215\.99[,}]/);
  for (const e of r.body.emeters) {
    t.deepEqual(Object.keys(e), ["power", "pf", "current", "voltage", "is_valid", "total", "total_returned"]);
    t.true(e.is_valid);
  }
  const total = r.body.emeters.reduce((a: number, e: { total: number }) => a + e.total, 0);
  const returned = r.body.emeters.reduce((a: number, e: { total_returned: number }) => a + e.total_returned, 0);
  t.true(Math.abs(total - DZG_IMPORT_WH) < 0.2);
  t.true(Math.abs(returned - DZG_EXPORT_WH) < 0.2);
  for (let i = 0; i < 3; i++) {
    const one = await http(s.port, `/emeter/${i}`);
    t.deepEqual(one.body, r.body.emeters[i]);
  }
  const shelly = await http(s.port, "/shelly");
  t.is(shelly.body.gen, 2, "/shelly stays Gen2");
});

test("emulation.gen1 = false: /status and /emeter/0 answer 404, Gen2 keeps working", async (t) => {
  const s = await serve(t, { settings: { "emulation.gen1": false } });
  await s.waitFor(/Gen1 API .* off/);
  t.is((await http(s.port, "/status")).status, 404);
  t.is((await http(s.port, "/emeter/0")).status, 404);
  t.is((await http(s.port, "/settings")).status, 404);
  const em = await http(s.port, "/rpc/EM.GetStatus?id=0");
  t.is(em.body.total_act_power, DZG_POWER_W);
});
