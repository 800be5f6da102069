// Contract tests: our responses against the samples in shared/reference/shelly/samples
// (key order, kinds, and decimals as printed). Where the fake shell can produce the same
// values as the sample, the text must match exactly; where the sample is reconstructed or
// illustrative (file names say so), only the shape is compared.

import test from "ava";
import { routeHttp, type HttpRequest } from "../modules/shelly/http-router";
import {
  DEVICE_ID,
  compact,
  gridView,
  makeRig,
  phase,
  sampleJson,
  sampleText,
  shapeDiff,
  shapeOf,
  type Shape,
  type ShapeOptions,
} from "./shelly-helpers";

function result(method: string, params: Record<string, unknown> = {}, rig = makeRig()): string {
  const r = rig.device.handleRest(method, params, false);
  if (r.status !== 200) throw new Error(method + " → " + r.status + " " + r.body);
  return r.body;
}

function get(rig: ReturnType<typeof makeRig>, path: string, query = ""): string {
  const req: HttpRequest = { method: "GET", path, query, headers: {}, body: "" };
  const r = routeHttp(rig.device, req);
  if (r.status !== 200) throw new Error(path + " → " + r.status + " " + r.body);
  return r.body;
}

/** Same shape as the sample file (key order, kinds, decimals). */
function sameShape(ours: string, sampleFile: string, opts?: ShapeOptions): string[] {
  return shapeDiff(shapeOf(ours), shapeOf(sampleText(sampleFile)), opts);
}

// ---- exact text where the values can be reproduced ----------------------------------------

const exact: [string, string, Record<string, unknown>][] = [
  ["gen2/EM.GetStatus.json", "EM.GetStatus", { id: 0 }],
  ["gen2/EMData.GetStatus.json", "EMData.GetStatus", { id: 0 }],
  ["gen2/EM.GetConfig.json", "EM.GetConfig", { id: 0 }],
  ["gen2/EMData.GetConfig.json", "EMData.GetConfig", { id: 0 }],
  ["gen2/Eth.GetStatus.json", "Eth.GetStatus", {}],
  ["gen2/Eth.GetConfig.json", "Eth.GetConfig", {}],
  ["gen2/WiFi.GetStatus.json", "WiFi.GetStatus", {}],
  ["gen2/WiFi.GetConfig.json", "WiFi.GetConfig", {}],
  ["gen2/MQTT.GetStatus.json", "MQTT.GetStatus", {}],
  ["gen2/MQTT.GetConfig.json", "MQTT.GetConfig", {}],
  ["gen2/Ws.GetStatus.json", "Ws.GetStatus", {}],
  ["gen2/Ws.GetConfig.json", "Ws.GetConfig", {}],
  ["gen2/BLE.GetStatus.json", "BLE.GetStatus", {}],
  ["gen2/BLE.GetConfig.json", "BLE.GetConfig", {}],
  ["gen2/Modbus.GetStatus.json", "Modbus.GetStatus", {}],
  ["gen2/Temperature.GetStatus.json", "Temperature.GetStatus", { id: 0 }],
  ["gen2/Temperature.GetConfig.json", "Temperature.GetConfig", { id: 0 }],
];

for (const [file, method, params] of exact) {
  test(`${method} prints exactly ${file}`, (t) => {
    t.is(result(method, params), compact(sampleText(file)));
  });
}

// ---- same shape, different values -----------------------------------------------------------

test("Cloud is always disconnected, config shaped like the sample", (t) => {
  const rig = makeRig();
  t.is(result("Cloud.GetStatus", {}, rig), '{"connected":false}');
  t.deepEqual(sameShape(result("Cloud.GetStatus", {}, rig), "gen2/Cloud.GetStatus.json"), []);
  t.deepEqual(sameShape(result("Cloud.GetConfig", {}, rig), "gen2/Cloud.GetConfig.json"), []);
  t.false((JSON.parse(result("Cloud.GetConfig", {}, rig)) as { enable: boolean }).enable);
});

test("Modbus.GetConfig has the sample's shape (server off)", (t) => {
  t.deepEqual(sameShape(result("Modbus.GetConfig"), "gen2/Modbus.GetConfig.json"), []);
  t.is(result("Modbus.GetConfig"), '{"enable":false}');
});

test("Sys.GetStatus matches the sample except available_updates", (t) => {
  const ours = result("Sys.GetStatus");
  t.deepEqual(sameShape(ours, "gen2/Sys.GetStatus.json", { loose: ["available_updates"] }), []);
  // Everything the fake shell reproduces is identical, including "time" from the UTC offset.
  const sample = sampleJson("gen2/Sys.GetStatus.json") as Record<string, unknown>;
  t.deepEqual({ ...(JSON.parse(ours) as object), available_updates: sample.available_updates }, sample);
});

test("Sys.GetConfig has the sample's shape", (t) => {
  t.deepEqual(sameShape(result("Sys.GetConfig"), "gen2/Sys.GetConfig.json"), []);
});

test("WiFi.GetStatus when connected has the illustrative sample's shape", (t) => {
  const rig = makeRig();
  rig.host.net = { ...rig.host.net, wifiStatus: "got ip", wifiIp: "192.168.1.105", wifiSsid: "Wifi-Network-Name", wifiRssi: -58 };
  const ours = result("WiFi.GetStatus", {}, rig);
  t.deepEqual(sameShape(ours, "gen2/WiFi.GetStatus.connected_illustrative.json"), []);
  t.is(ours, compact(sampleText("gen2/WiFi.GetStatus.connected_illustrative.json")));
});

test("GET /shelly and Shelly.GetDeviceInfo have the real key order", (t) => {
  const rig = makeRig();
  for (const ours of [get(rig, "/shelly"), result("Shelly.GetDeviceInfo", {}, rig)]) {
    t.deepEqual(sameShape(ours, "gen2/shelly.json"), []);
    t.deepEqual(sameShape(ours, "gen2/Shelly.GetDeviceInfo.json"), []);
    const info = JSON.parse(ours) as Record<string, unknown>;
    t.is(info.id, DEVICE_ID);
    t.is(info.mac, "AABBCCDDEEFF");
    t.is(info.model, "SPEM-003CEBEU");
    t.is(info.gen, 2);
    t.is(info.app, "Pro3EM");
    t.is(info.profile, "triphase");
    t.false(info.auth_en as boolean);
    t.is(info.auth_domain, null);
    t.true(Number((info.fw_id as string).slice(0, 8)) >= 20240213);
  }
});

test("Shelly.GetDeviceInfo with auth on matches the auth_enabled sample", (t) => {
  const rig = makeRig();
  rig.device.replaceSettings({ ...rig.device.settings, authHa1: "0".repeat(64) });
  const ours = get(rig, "/shelly");
  t.deepEqual(sameShape(ours, "gen2/Shelly.GetDeviceInfo.auth_enabled.json"), []);
  const info = JSON.parse(ours) as Record<string, unknown>;
  t.true(info.auth_en as boolean);
  t.is(info.auth_domain, DEVICE_ID);
});

test("frame envelope of Shelly.GetDeviceInfo matches the sample", (t) => {
  const { device } = makeRig();
  const { reply } = device.handleFrame({ id: 1, src: "aios-139803755626272", method: "Shelly.GetDeviceInfo" }, "ws");
  t.deepEqual(shapeDiff(shapeOf(reply!), shapeOf(sampleText("gen2/rpc_frame.Shelly.GetDeviceInfo.response.json"))), []);
});

test("Shelly.GetStatus has the real triphase layout", (t) => {
  const rig = makeRig();
  // Values of the triphase sample, so that decimals are compared on the same numbers.
  rig.grid.view = gridView(
    [
      phase({ current: 2.392, voltage: 229, actPower: 375.5, aprtPower: 547.4, pf: 0.76, importWh: 2034616.71, exportWh: 0 }),
      phase({ current: 1.037, voltage: 229, actPower: 170.8, aprtPower: 237.2, pf: 0.78, importWh: 185686.89, exportWh: 40.7 }),
      phase({ current: 0.428, voltage: 229.2, actPower: 12.7, aprtPower: 97.8, pf: 0.53, importWh: 369469.8, exportWh: 985.91 }),
    ],
    { totalCurrent: 3.856, totalActPower: 558.965, totalAprtPower: 882.413, totalImportWh: 2589773.39, totalExportWh: 1026.61 },
  );
  const ours = result("Shelly.GetStatus", {}, rig);
  t.deepEqual(sameShape(ours, "gen2/Shelly.GetStatus.triphase.json", { loose: ["sys.available_updates"] }), []);
  const status = JSON.parse(ours) as Record<string, unknown>;
  const sample = sampleJson("gen2/Shelly.GetStatus.triphase.json") as Record<string, unknown>;
  t.deepEqual(status["em:0"], sample["em:0"]);
  t.deepEqual(status["emdata:0"], sample["emdata:0"]);
  // Every <Comp>.GetStatus equals its key in Shelly.GetStatus.
  for (const [method, key, params] of [
    ["EM.GetStatus", "em:0", { id: 0 }],
    ["EMData.GetStatus", "emdata:0", { id: 0 }],
    ["Sys.GetStatus", "sys", {}],
    ["Wifi.GetStatus", "wifi", {}],
    ["Temperature.GetStatus", "temperature:0", { id: 0 }],
  ] as const) {
    t.deepEqual(JSON.parse(result(method, params, rig)), status[key], method);
  }
});

test("Shelly.GetConfig has the real triphase layout", (t) => {
  const ours = result("Shelly.GetConfig");
  t.deepEqual(sameShape(ours, "gen2/Shelly.GetConfig.triphase.json"), []);
  const config = JSON.parse(ours) as Record<string, Record<string, unknown>>;
  t.truthy(config.ws, "HA reads config.ws");
  t.truthy(config.sys.device, "HA reads config.sys.device");
});

test("Shelly.GetComponents matches the reconstructed sample's shape (RECON)", (t) => {
  const rig = makeRig();
  const ours = result("Shelly.GetComponents", {}, rig);
  t.deepEqual(
    sameShape(ours, "gen2/Shelly.GetComponents.triphase_reconstructed.json", {
      loose: ["components.7.status.available_updates"],
    }),
    [],
  );
});

test("Shelly.GetComponents {dynamic_only:true} matches the real sample", (t) => {
  const ours = result("Shelly.GetComponents", { dynamic_only: true });
  t.deepEqual(sameShape(ours, "gen2/Shelly.GetComponents.dynamic_only.json"), []);
  t.is(ours, '{"components":[],"cfg_rev":29,"offset":0,"total":0}');
});

test("Shelly.ListMethods is an ordered subset of the reconstructed list, fit for evcc (RECON)", (t) => {
  const ours = (JSON.parse(result("Shelly.ListMethods")) as { methods: string[] }).methods;
  const sample = (sampleJson("gen2/Shelly.ListMethods.triphase_reconstructed.json") as { methods: string[] }).methods;
  const positions = ours.map((m) => sample.indexOf(m));
  t.deepEqual(
    ours.filter((_, i) => positions[i] < 0),
    [],
    "every listed method appears in the sample",
  );
  t.deepEqual(positions, [...positions].sort((a, b) => a - b), "same relative order");
  t.true(ours.includes("EM.GetStatus"));
  t.false(ours.some((m) => /^(Switch|EM1|PM1|ProOutputAddon)\./.test(m)));
  t.false(ours.some((m) => m.startsWith("Script.")), "HA would call Script.* if all were listed");
});

test("NotifyStatus em:0 frame carries every field of the real notification, same decimals", (t) => {
  const rig = makeRig();
  const frame = rig.device.pollNotifyStatus()!.frameFor("aios-139803755626272");
  const ours = shapeOf(frame);
  const sample = shapeOf(sampleText("gen2/NotifyStatus.em0.json"));
  const keys = (s: typeof ours) => (s.t === "obj" ? s.entries.map((e) => e[0]) : []);
  t.deepEqual(keys(ours), keys(sample), "src, dst, method, params");
  const params = (s: typeof ours) => (s.t === "obj" ? s.entries.find((e) => e[0] === "params")![1] : s);
  const em = (s: typeof ours) => {
    const p = params(s);
    return p.t === "obj" ? p.entries.find((e) => e[0] === "em:0")![1] : p;
  };
  const ts = (s: typeof ours) => {
    const p = params(s);
    return p.t === "obj" ? p.entries.find((e) => e[0] === "ts")![1] : p;
  };
  t.deepEqual(shapeDiff(ts(ours), ts(sample)), [], "ts with 2 decimals");
  // The sample is from fw 0.14 (other key order, no freq): compare field by field.
  const ourEm = em(ours);
  const sampleEm = em(sample);
  if (ourEm.t !== "obj" || sampleEm.t !== "obj") return t.fail();
  for (const [k, v] of sampleEm.entries) {
    const mine = ourEm.entries.find((e) => e[0] === k);
    t.truthy(mine, "has " + k);
    if (mine) t.deepEqual(shapeDiff(mine[1], v, {}, k), []);
  }
});

test("NotifyStatus emdata:0 frame matches the real notification", (t) => {
  const rig = makeRig();
  const frame = shapeOf(rig.device.pollNotifyStatus()!.frameFor("aios-139803755626272"));
  const sample = shapeOf(sampleText("gen2/NotifyStatus.emdata0.json"));
  const emdata = (s: Shape): Shape => {
    const p = s.t === "obj" ? s.entries.find((e) => e[0] === "params")![1] : s;
    return p.t === "obj" ? (p.entries.find((e) => e[0] === "emdata:0")?.[1] ?? { t: "null" }) : p;
  };
  t.deepEqual(shapeDiff(emdata(frame), emdata(sample)), []);
});

// ---- errors --------------------------------------------------------------------------------

function frameWithOurSrc(file: string): string {
  return compact(sampleText(file)).replace(/"src":"[^"]*"/, `"src":"${DEVICE_ID}"`);
}

test("-103 error frame matches the documented one", (t) => {
  const { device } = makeRig();
  const { reply } = device.handleFrame({ id: 1, src: "user_1", method: "EM.GetStatus" }, "ws");
  t.is(reply, frameWithOurSrc("gen2/error.frame.-103_invalid_argument.json"));
});

test("-105 error frame matches the documented one", (t) => {
  const { device } = makeRig();
  const { reply } = device.handleFrame({ id: 1, src: "user_1", method: "EM.GetStatus", params: { id: 7 } }, "ws");
  t.is(reply, frameWithOurSrc("gen2/error.frame.-105_not_found.json"));
});

test("404 error frame matches the sample", (t) => {
  const { device } = makeRig();
  const { reply } = device.handleFrame({ id: 7, src: "user_1", method: "Foo.Bar" }, "ws");
  t.is(reply, compact(sampleText("gen2/error.frame.404_no_handler.json")));
});

test("REST error body has the sample's shape (ILLUS)", (t) => {
  const { device } = makeRig();
  const r = device.handleRest("EM.GetStatus", { id: 1 }, false);
  t.is(r.status, 500);
  t.deepEqual(shapeDiff(shapeOf(r.body), shapeOf(sampleText("gen2/error.rest_body.-105.json"))), []);
});

test("401 challenge frame is formatted like the real one", (t) => {
  const rig = makeRig();
  rig.device.replaceSettings({ ...rig.device.settings, authHa1: "1".repeat(64) });
  const { reply } = rig.device.handleFrame({ id: 18, src: "aios-139803755626272", method: "EM.GetStatus", params: { id: 0 } }, "ws");
  const ours = JSON.parse(reply!) as { error: { message: string } };
  const sample = sampleJson("gen2/error.frame.401_ws_auth_challenge.json") as { error: { message: string } };
  t.deepEqual(shapeDiff(shapeOf(reply!), shapeOf(sampleText("gen2/error.frame.401_ws_auth_challenge.json"))), []);
  // The message text itself, with the nonce and realm put in: same spacing and key order.
  const expected = sample.error.message
    .replace("1725185413", String(Math.floor(rig.host.unix!)))
    .replace("shellyplus2pm-485519992590", DEVICE_ID);
  t.is(ours.error.message, expected);
});

// ---- requests from the samples ---------------------------------------------------------------

test("evcc's POST body to /rpc/EM.GetStatus returns the bare result", (t) => {
  const rig = makeRig();
  const r = routeHttp(rig.device, {
    method: "POST",
    path: "/rpc/EM.GetStatus",
    query: "",
    headers: { "content-type": "application/json" },
    body: sampleText("gen2/request.evcc_post_rpc_method.json"),
  });
  t.is(r.status, 200);
  t.is(r.body, compact(sampleText("gen2/EM.GetStatus.json")));
});

test("POST /rpc with the sample frame returns a full frame", (t) => {
  const rig = makeRig();
  const r = routeHttp(rig.device, { method: "POST", path: "/rpc", query: "", headers: {}, body: sampleText("gen2/request.post_rpc.json") });
  t.is(r.status, 200);
  const frame = JSON.parse(r.body) as Record<string, unknown>;
  t.deepEqual(Object.keys(frame), ["id", "src", "dst", "result"]);
  t.is(frame.id, 1);
  t.is(frame.src, DEVICE_ID);
  t.is(frame.dst, "user_1");
  t.is(r.body, `{"id":1,"src":"${DEVICE_ID}","dst":"user_1","result":${compact(sampleText("gen2/EM.GetStatus.json"))}}`);
});

test("Marstek's UDP request gets exactly the sample response (RECON)", (t) => {
  const { device } = makeRig();
  const { reply } = device.handleFrameText(sampleText("gen2/udp.request.marstek.json"), "udp");
  t.is(reply, compact(sampleText("gen2/udp.response.em_getstatus.json")));
});

// ---- Gen1 ------------------------------------------------------------------------------------

function gen1Rig() {
  const rig = makeRig();
  // Values of samples/gen1/status.json.
  rig.grid.view = gridView(
    [
      phase({ actPower: 51.08, pf: 0.27, current: 0.78, voltage: 234.9, importWh: 1686297.2, exportWh: 428958.4 }),
      phase({ actPower: 155.02, pf: 0.98, current: 0.66, voltage: 235.57, importWh: 878905.6, exportWh: 4.1 }),
      phase({ actPower: 6.75, pf: 0.26, current: 0.11, voltage: 234.7, importWh: 206151.1, exportWh: 0 }),
    ],
    { totalActPower: 212.85 },
  );
  rig.host.net = { ...rig.host.net, wifiStatus: "got ip", wifiIp: "192.168.100.85", wifiSsid: "Odyssee2001", wifiRssi: -23 };
  return rig;
}

test("Gen1 /status has the real SHEM-3 layout and the same emeters text", (t) => {
  const rig = gen1Rig();
  const ours = get(rig, "/status");
  t.deepEqual(sameShape(ours, "gen1/status.json"), []);
  const sample = sampleJson("gen1/status.json") as Record<string, unknown>;
  const status = JSON.parse(ours) as Record<string, unknown>;
  t.deepEqual(status.emeters, sample.emeters);
  t.is(status.total_power, sample.total_power);
  t.true(ours.includes(compact(sampleText("gen1/emeter_0.json"))), "emeters[0] printed as the real device does");
});

test("Gen1 /emeter/0 prints exactly the real emeter", (t) => {
  t.is(get(gen1Rig(), "/emeter/0"), compact(sampleText("gen1/emeter_0.json")));
});

test("Gen1 /settings is a reduced form of the reconstructed settings (RECON)", (t) => {
  const ours = get(gen1Rig(), "/settings");
  t.deepEqual(sameShape(ours, "gen1/settings_reconstructed.json", { subset: true }), []);
  const s = JSON.parse(ours) as { device: Record<string, unknown>; mqtt: { id: string }; emeters: unknown[] };
  t.is(s.device.type, "SHEM-3");
  t.is(s.mqtt.id, "shellyem3-AABBCCDDEEFF");
  t.is(s.emeters.length, 3);
});

test("Gen1 /settings/emeter/1 matches the illustrative sample", (t) => {
  t.is(get(gen1Rig(), "/settings/emeter/1"), compact(sampleText("gen1/settings_emeter_0_illustrative.json")));
});
