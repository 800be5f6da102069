// evcc, meter template "shelly" (consumers.md §14, client-libraries.md §3): GET /shelly,
// then every call is POST /rpc/<Method> with the body {"id":<channel>,"src":"evcc",
// "method":…}, decoded as the bare result. Shelly.ListMethods decides the device kind:
// Switch.* or PM1.* → switch, EM1.* → monophase, EM.GetStatus → triphase EM.

import test from "ava";
import { DZG_EXPORT_WH, DZG_IMPORT_WH, DZG_POWER_W, http, serve } from "./support/consumers";

const post = (port: number, method: string) =>
  http(port, `/rpc/${method}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ id: 0, src: "evcc", method }),
  });

test("evcc: /shelly, ListMethods without Switch/EM1/PM1/ProOutputAddon, bare EM and EMData results in Wh", async (t) => {
  const s = await serve(t);
  const info = await http(s.port, "/shelly");
  t.is(info.body.gen, 2);
  t.is(info.body.auth_en, false);
  t.is(info.body.model.split("-")[0], "SPEM");
  t.regex(info.body.mac, /^[0-9A-F]{12}$/);

  const methods = await post(s.port, "Shelly.ListMethods");
  t.is(methods.status, 200);
  const list: string[] = methods.body.methods;
  t.true(list.includes("EM.GetStatus"));
  t.true(list.includes("EMData.GetStatus"));
  for (const bad of ["Switch.", "EM1.", "PM1.", "ProOutputAddon.", "EM1Data."]) {
    t.false(list.some((m) => m.startsWith(bad)), `${bad}* listed`);
  }

  const em = await post(s.port, "EM.GetStatus");
  t.is(em.status, 200);
  t.is(em.body.id, 0, "a bare result, not a frame");
  t.is(em.body.result, undefined);
  t.is(em.body.total_act_power, DZG_POWER_W);
  for (const k of ["a", "b", "c"]) {
    t.is(typeof em.body[`${k}_act_power`], "number");
    t.is(typeof em.body[`${k}_current`], "number");
    t.is(typeof em.body[`${k}_voltage`], "number");
  }

  const energy = await post(s.port, "EMData.GetStatus");
  t.is(energy.status, 200);
  t.is(energy.body.total_act, DZG_IMPORT_WH);
  t.is(energy.body.total_act_ret, DZG_EXPORT_WH);
  t.regex(energy.text, /"total_act":607447\.10,/);
});

test("evcc shelly-3em (Gen1) template: GET /status sums emeters", async (t) => {
  const s = await serve(t);
  const r = await http(s.port, "/status");
  const power = r.body.emeters.reduce((a: number, e: { power: number }) => a + e.power, 0);
  t.true(Math.abs(power - DZG_POWER_W) < 0.011);
  t.is(r.body.emeters.length, 3);
});
