// A real third-party Shelly client: npm `shellies-ng` (node-shellies-ng, behind
// homebridge-shelly-ng; client-libraries.md §2). It opens ws://<ip>/rpc, sends
// json-rpc-2.0 frames with its clientId as src, pings every pingInterval seconds and drops
// the connection without a pong, requires Shelly.GetDeviceInfo's id to equal the mDNS
// name, loads Shelly.GetStatus / GetConfig into its components, turns NotifyStatus into
// 'statusUpdate' events, and answers a 401 with a digest `auth` object that has no nc and
// is reused for every later call.
//
// The library knows no Pro 3EM model (its registry ends in 2022), so the test registers a
// small device class for SPEM-003CEBEU from the library's own components, as an app would.
// Skipped when shellies-ng is not installed (it is a devDependency).

import test from "ava";
import { DZG_POWER_W, serve, sleep } from "./support/consumers";
import type { Json } from "./support/consumers";

const PACKAGE = "shellies-ng";
let lib: Json = null;
try {
  const mod = await import(PACKAGE);
  lib = mod.WebSocketRpcHandlerFactory ? mod : mod.default;
} catch {
  lib = null;
}
const libTest = lib !== null ? test : test.skip;

const DEVICE_ID = "shellypro3em-aabbccddeeff";

function pro3emClass(): Json {
  const { Device, component, WiFi, Ethernet, BluetoothLowEnergy, Cloud, Mqtt, OutboundWebSocket } = lib;
  class ShellyPro3EM extends Device {
    static model = "SPEM-003CEBEU";
    static modelName = "Shelly Pro 3EM";
    wifi = new WiFi(this);
    ethernet = new Ethernet(this);
    bluetoothLowEnergy = new BluetoothLowEnergy(this);
    cloud = new Cloud(this);
    mqtt = new Mqtt(this);
    outboundWebSocket = new OutboundWebSocket(this);
  }
  for (const name of ["wifi", "ethernet", "bluetoothLowEnergy", "cloud", "mqtt", "outboundWebSocket"]) component(ShellyPro3EM.prototype, name);
  if (Device.getClass(ShellyPro3EM.model) === undefined) Device.registerClass(ShellyPro3EM);
  return ShellyPro3EM;
}

function handlerFor(port: number, options: Record<string, unknown> = {}): Json {
  return new lib.WebSocketRpcHandlerFactory().create(`127.0.0.1:${port}`, {
    clientId: "homebridge-shelly-ng-test",
    requestTimeout: 5,
    pingInterval: 1,
    reconnectInterval: 0,
    ...options,
  });
}

libTest("shellies-ng: device info, status and config into its components, statusUpdate, ping/pong", async (t) => {
  const s = await serve(t);
  const handler = handlerFor(s.port);
  t.teardown(() => handler.destroy());
  let disconnects = 0;
  handler.on("disconnect", () => disconnects++);

  const shelly = new lib.ShellyService({ rpcHandler: handler });
  const info = await shelly.getDeviceInfo();
  t.is(info.id, DEVICE_ID, "equals the mDNS instance name exactly");
  const cls = lib.Device.getClass(info.model.toUpperCase()) ?? pro3emClass();
  t.is(cls.model, "SPEM-003CEBEU");
  const device = new cls(info, handler);
  t.is(device.id, DEVICE_ID);
  t.is(device.macAddress, "AABBCCDDEEFF");

  await device.loadStatus();
  await device.loadConfig();
  t.false(device.cloud.connected);
  t.is(device.wifi.status, "disconnected");
  t.is(typeof device.system.uptime, "number");
  t.is(device.cloud.config.enable, false);
  t.is(typeof device.outboundWebSocket.config.enable, "boolean");

  const update: Json = await new Promise((resolve) => handler.on("statusUpdate", (params: Json) => params["em:0"] && resolve(params)));
  t.is(update["em:0"].total_act_power, DZG_POWER_W);

  // It pings every second and drops the connection when a pong is missing: still up after 3 s.
  await sleep(3000);
  t.true(handler.connected);
  t.is(disconnects, 0);
  const status = await shelly.getStatus();
  t.is(status["em:0"].total_act_power, DZG_POWER_W);
});

libTest("shellies-ng: SetAuth through the library, then its digest auth (no nc, reused) passes", async (t) => {
  const s = await serve(t);
  const open = handlerFor(s.port);
  t.teardown(() => open.destroy());
  const cls = pro3emClass();
  const device = new cls({ id: DEVICE_ID, mac: "AABBCCDDEEFF", model: "SPEM-003CEBEU" }, open);
  t.is(await device.shelly.setAuth("secret-pass"), null);

  const authed = handlerFor(s.port, { password: "secret-pass" });
  t.teardown(() => authed.destroy());
  const shelly = new lib.ShellyService({ rpcHandler: authed });
  for (let i = 0; i < 3; i++) {
    const status = await shelly.getStatus();
    t.is(status["em:0"].total_act_power, DZG_POWER_W);
  }
  t.truthy((await shelly.getConfig()).sys);

  const wrong = handlerFor(s.port, { password: "not-it" });
  t.teardown(() => wrong.destroy());
  await t.throwsAsync(() => new lib.ShellyService({ rpcHandler: wrong }).getStatus(), { message: /Invalid password/ });
  const none = handlerFor(s.port);
  t.teardown(() => none.destroy());
  await t.throwsAsync(() => new lib.ShellyService({ rpcHandler: none }).getStatus(), { message: /Unauthorized/ });
  // GetDeviceInfo stays open, as on the real device.
  t.is((await new lib.ShellyService({ rpcHandler: none }).getDeviceInfo()).id, DEVICE_ID);
});
