// Home Assistant's Shelly integration (aioshelly; client-libraries.md §1): GET /shelly,
// then over WebSocket /rpc: Shelly.GetDeviceInfo, then Shelly.GetConfig, Shelly.GetStatus
// and (fw_id date ≥ 20240213) Shelly.GetComponents {dynamic_only:true} sent back to back;
// replies are matched by id. Afterwards it consumes NotifyStatus frames addressed to its
// src, and pings every 55 s (aiohttp heartbeat).

import test from "ava";
import { DZG_POWER_W, WsClient, http, serve } from "./support/consumers";

test("HA startup over WS, then NotifyStatus with em:0 to HA's src", async (t) => {
  const s = await serve(t);
  const shelly = await http(s.port, "/shelly");
  t.is(shelly.body.mac, "AABBCCDDEEFF");
  t.is(shelly.body.gen, 2);
  t.is(shelly.body.model, "SPEM-003CEBEU");
  const fwDate = Number(/^(\d{8})/.exec(shelly.body.fw_id)![1]);
  t.true(fwDate >= 20240213, `fw_id ${shelly.body.fw_id}`);

  const ha = await WsClient.open(s.port);
  t.teardown(() => ha.close());
  const src = "aios-140230918125520";
  ha.send({ id: 1, method: "Shelly.GetDeviceInfo", src });
  const info = await ha.next((f) => f.id === 1);
  t.is(info.dst, src);
  t.is(info.src, "shellypro3em-aabbccddeeff");
  t.is(info.result.id, "shellypro3em-aabbccddeeff");
  t.is(info.result.mac, "AABBCCDDEEFF");
  t.false(info.result.auth_en);

  // The batch: sent back to back before any reply, with dst now known.
  const dst = info.result.id;
  ha.send({ id: 2, method: "Shelly.GetConfig", src, dst });
  ha.send({ id: 3, method: "Shelly.GetStatus", src, dst });
  ha.send({ id: 4, method: "Shelly.GetComponents", src, dst, params: { dynamic_only: true } });
  const [config, status, components] = await Promise.all([2, 3, 4].map((id) => ha.next((f) => f.id === id)));
  t.truthy(config.result.ws, "Shelly.GetConfig has ws");
  t.truthy(config.result.sys.device, "Shelly.GetConfig has sys.device");
  t.truthy(status.result.sys, "Shelly.GetStatus has sys");
  t.false((status.result.sys.wakeup_period ?? 0) > 0);
  t.is(status.result["em:0"].total_act_power, DZG_POWER_W);
  t.true(Array.isArray(components.result.components));
  t.is(components.result.total, 0);
  t.is(components.result.components.length, 0);
  for (const f of [config, status, components]) t.is(f.dst, src);

  // Notifications follow (the first fresh view after a subscriber appears is due at once).
  const note = await ha.next((f) => f.method === "NotifyStatus", 5000);
  t.is(note.dst, src);
  t.is(note.src, dst);
  t.is(note.id, undefined);
  t.is(typeof note.params.ts, "number");
  t.is(note.params["em:0"].total_act_power, DZG_POWER_W);
  t.is(note.params["em:0"].id, 0);
  t.is(typeof note.params["emdata:0"].total_act, "number", "the first notification carries emdata:0 too");

  // aiohttp's heartbeat: a ping gets a pong.
  const pong = new Promise<void>((resolve) => ha.socket.once("pong", () => resolve()));
  ha.socket.ping();
  await pong;
  t.pass();
});

test("HA with a changing meter keeps getting NotifyStatus at the device's cadence (≥ 3 s apart)", async (t) => {
  const s = await serve(t, { args: ["--simulate"] });
  const ha = await WsClient.open(s.port);
  t.teardown(() => ha.close());
  ha.send({ id: 1, method: "Shelly.GetDeviceInfo", src: "aios-1" });
  await ha.next((f) => f.id === 1);
  const first = await ha.next((f) => f.method === "NotifyStatus", 5000);
  const t1 = performance.now();
  const second = await ha.next((f) => f.method === "NotifyStatus" && f !== first, 12000);
  const gap = performance.now() - t1;
  t.true(gap >= 2500, `second NotifyStatus after ${gap} ms`);
  t.truthy(second.params["em:0"]);
  t.is(second.dst, "aios-1");
});
