import test from "ava";
import { makeIdentity, formatFirmwareId } from "../modules/shelly/identity";
import { normalizeShellySettings, defaultShellySettings } from "../modules/shelly/settings";
import { DEVICE_ID, FW_ID, makeRig, rest, sampleEmView } from "./shelly-helpers";

// ---- errors and dispatch ------------------------------------------------------------------

test("unknown method: 404 'No handler for <method>' in REST and frames", (t) => {
  const { device } = makeRig();
  const r = rest(device, "Switch.GetStatus", { id: 0 });
  t.is(r.status, 404);
  t.deepEqual(r.json, { code: 404, message: "No handler for Switch.GetStatus" });
  const f = JSON.parse(device.handleFrame({ id: "abc", src: "me", method: "EM1.GetStatus", params: { id: 0 } }, "ws").reply!);
  t.deepEqual(f, { id: "abc", src: DEVICE_ID, dst: "me", error: { code: 404, message: "No handler for EM1.GetStatus" } });
});

test("multi-instance components: missing id -103, bad id -105, wrong type -103 (HTTP 500)", (t) => {
  const { device } = makeRig();
  for (const m of ["EM.GetStatus", "EM.GetConfig", "EMData.GetStatus", "EMData.GetConfig", "Temperature.GetStatus", "Temperature.GetConfig"]) {
    const missing = rest(device, m);
    t.is(missing.status, 500, m);
    t.deepEqual(missing.json, { code: -103, message: "Missing required 'id'" }, m);
    const bad = rest(device, m, { id: 1 });
    t.is(bad.status, 500, m);
    t.deepEqual(bad.json, { code: -105, message: "Bad id=1" }, m);
    const wrongType = rest(device, m, { id: "0" });
    t.is(wrongType.json?.code, -103, m);
  }
  t.is(rest(device, "Sys.GetStatus", { id: 5 }).status, 200, "singletons ignore id");
});

test("method names match case-insensitively", (t) => {
  const { device } = makeRig();
  const wifi = rest(device, "Wifi.GetStatus").body;
  for (const m of ["WiFi.GetStatus", "wifi.getstatus", "WIFI.GETSTATUS"]) t.is(rest(device, m).body, wifi, m);
  for (const m of ["Mqtt.GetConfig", "MQTT.GetConfig", "mqtt.getconfig"]) t.is(rest(device, m).status, 200, m);
  for (const m of ["Ws.GetConfig", "WS.GetConfig", "ws.getconfig"]) t.is(rest(device, m).status, 200, m);
  t.is(rest(device, "em.getstatus", { id: 0 }).body, rest(device, "EM.GetStatus", { id: 0 }).body);
  t.is(rest(device, "EM.GetStatusX", { id: 0 }).json?.message, "No handler for EM.GetStatusX", "message keeps the caller's spelling");
});

test("frames: id echoed, dst = caller src, no jsonrpc, 'unknown' without src", (t) => {
  const { device } = makeRig();
  const f = JSON.parse(device.handleFrame({ jsonrpc: "2.0", id: 42, src: "hoymiles-1", method: "EM.GetStatus", params: { id: 0 } }, "ws").reply!);
  t.deepEqual(Object.keys(f), ["id", "src", "dst", "result"]);
  t.is(f.id, 42);
  t.is(f.dst, "hoymiles-1");
  const noSrc = device.handleFrame({ id: 0, method: "EM.GetStatus", params: { id: 0 } }, "udp");
  t.is(noSrc.src, null);
  t.is(JSON.parse(noSrc.reply!).dst, "unknown");
  t.is(JSON.parse(noSrc.reply!).id, 0, "id 0 is an id");
});

test("frames without id are notifications: they run but get no reply", (t) => {
  const { device, host } = makeRig();
  const r = device.handleFrame({ src: "x", method: "Sys.SetConfig", params: { config: { device: { name: "Zähler" } } } }, "ws");
  t.is(r.reply, null);
  t.is(r.src, "x");
  t.is(device.settings.name, "Zähler");
  t.is(host.saved.length, 1);
  t.is(device.handleFrame({ id: null, method: "Foo.Bar" }, "ws").reply, null);
});

test("malformed frames: -103, or dropped on datagram channels", (t) => {
  const { device } = makeRig();
  t.is(JSON.parse(device.handleFrame({ id: 1, src: "a" }, "ws").reply!).error.code, -103);
  t.is(JSON.parse(device.handleFrame({ id: 1, method: "EM.GetStatus", params: [0] }, "ws").reply!).error.code, -103);
  t.is(device.handleFrameText("{not json", "udp").reply, null);
  t.is(device.handleFrameText("[".repeat(5000), "ws").reply, null, "deep nesting never reaches JSON.parse");
  t.is(JSON.parse(device.handleFrameText("{not json", "http").reply!).error.code, -103);
  t.is(device.handleFrameText("42", "ws").reply, null);
});

// ---- stale meter ----------------------------------------------------------------------------

test("stale meter: -114 / HTTP 503 on meter methods and Shelly.GetStatus, recovery when data returns", (t) => {
  const { device, host, grid } = makeRig();
  t.is(rest(device, "Shelly.GetStatus").status, 200);
  grid.view = null;
  host.advance(12_000);
  for (const [m, p] of [
    ["EM.GetStatus", { id: 0 }],
    ["EMData.GetStatus", { id: 0 }],
    ["Shelly.GetStatus", {}],
  ] as const) {
    const r = rest(device, m, p);
    t.is(r.status, 503, m);
    t.deepEqual(r.json, { code: -114, message: "Meter data unavailable: no valid frame for 12 s" }, m);
  }
  const f = JSON.parse(device.handleFrame({ id: 3, src: "s", method: "EM.GetStatus", params: { id: 0 } }, "udp").reply!);
  t.is(f.error.code, -114);
  // Methods without meter values keep working.
  for (const m of ["Shelly.GetDeviceInfo", "Sys.GetStatus", "Shelly.GetConfig", "Shelly.ListMethods"]) t.is(rest(device, m).status, 200, m);
  t.is(rest(device, "EM.GetConfig", { id: 0 }).status, 200);
  t.is(rest(device, "Shelly.GetComponents", { include: ["config"] }).status, 200, "config only needs no meter data");
  t.is(rest(device, "Shelly.GetComponents").status, 503);
  t.is(rest(device, "Shelly.GetComponents", { keys: ["sys", "wifi"] }).status, 200);
  grid.view = sampleEmView();
  t.is(rest(device, "EM.GetStatus", { id: 0 }).status, 200);
  t.is(rest(device, "Shelly.GetStatus").status, 200);
});

test("stale: a view older than staleAfterMs counts as stale; message before any frame", (t) => {
  const { device, grid } = makeRig({ staleAfterMs: 5000 });
  grid.view = { ...sampleEmView(), ageMs: 7000 };
  t.deepEqual(rest(device, "EM.GetStatus", { id: 0 }).json, { code: -114, message: "Meter data unavailable: no valid frame since start" });
  grid.view = { ...sampleEmView(), ageMs: 4000 };
  t.is(rest(device, "EM.GetStatus", { id: 0 }).status, 200);
});

// ---- Shelly.* --------------------------------------------------------------------------------

test("Shelly.GetDeviceInfo accepts ident", (t) => {
  const { device } = makeRig();
  t.is(rest(device, "Shelly.GetDeviceInfo", { ident: true }).body, rest(device, "Shelly.GetDeviceInfo").body);
});

test("Shelly.GetComponents: offset, include, keys, dynamic_only", (t) => {
  const { device } = makeRig();
  type Comps = { components: { key: string; status?: unknown; config?: unknown }[]; offset: number; total: number; cfg_rev: number };
  const all = rest(device, "Shelly.GetComponents").json as unknown as Comps;
  t.is(all.total, 11);
  t.deepEqual(
    all.components.map((c) => c.key),
    ["ble", "cloud", "em:0", "emdata:0", "eth", "modbus", "mqtt", "sys", "temperature:0", "wifi", "ws"],
  );
  const page = rest(device, "Shelly.GetComponents", { offset: 9 }).json as unknown as Comps;
  t.deepEqual(page.components.map((c) => c.key), ["wifi", "ws"]);
  t.is(page.offset, 9);
  t.is(page.total, 11);
  const sel = rest(device, "Shelly.GetComponents", { keys: ["em:0", "nope"], include: ["status"] }).json as unknown as Comps;
  t.deepEqual(sel.components.map((c) => Object.keys(c)), [["key", "status"]]);
  t.is(sel.total, 1);
  const dyn = rest(device, "Shelly.GetComponents", { dynamic_only: true, offset: 0 }).json as unknown as Comps;
  t.deepEqual(dyn.components, []);
  t.is(dyn.total, 0);
  t.is(rest(device, "Shelly.GetComponents", { offset: -1 }).json?.code, -103);
  t.is(rest(device, "Shelly.GetComponents", { include: "status" }).json?.code, -103);
  t.is(rest(device, "Shelly.GetComponents", { dynamic_only: "yes" }).json?.code, -103);
});

test("Shelly.ListProfiles, SetProfile, CheckForUpdate, Reboot", (t) => {
  const { device, host } = makeRig();
  const profiles = rest(device, "Shelly.ListProfiles").json as { profiles: Record<string, unknown> };
  t.deepEqual(Object.keys(profiles.profiles), ["triphase"]);
  t.deepEqual(rest(device, "Shelly.SetProfile", { name: "triphase" }).json, { profile_was: "triphase" });
  t.is(rest(device, "Shelly.SetProfile", { name: "monophase" }).json?.code, -103);
  t.is(rest(device, "Shelly.SetProfile").json?.message, "Missing required 'name'");
  t.deepEqual(rest(device, "Shelly.CheckForUpdate").json, {});
  t.is(rest(device, "Shelly.Reboot").body, "null");
  t.is(rest(device, "Shelly.Reboot", { delay_ms: 3000 }).body, "null");
  t.deepEqual(host.reboots, [1000, 3000]);
  t.is(rest(device, "Shelly.Reboot", { delay_ms: "soon" }).json?.code, -103);
});

// ---- Set* -------------------------------------------------------------------------------------

test("Sys.SetConfig rpc_udp: accepted, persisted, restart_required, cfg_rev counts", (t) => {
  const { device, host } = makeRig();
  const r = rest(device, "Sys.SetConfig", { config: { rpc_udp: { listen_port: 1010 } } });
  t.deepEqual(r.json, { restart_required: true });
  const cfg = rest(device, "Sys.GetConfig").json as { rpc_udp: { listen_port: number }; cfg_rev: number };
  t.is(cfg.rpc_udp.listen_port, 1010);
  t.is(cfg.cfg_rev, 30);
  t.is(host.saved.length, 1);
  t.is(host.saved[0].rpcUdp.listenPort, 1010);
  t.true((rest(device, "Sys.GetStatus").json as { restart_required: boolean }).restart_required);
  t.is((rest(device, "Sys.GetStatus").json as { cfg_rev: number }).cfg_rev, 30);
  // Setting the same value again changes nothing.
  t.deepEqual(rest(device, "Sys.SetConfig", { config: { rpc_udp: { listen_port: 1010 } } }).json, { restart_required: false });
  t.is(host.saved.length, 1);
  t.deepEqual(rest(device, "Sys.SetConfig", { config: { rpc_udp: { dst_addr: "192.168.1.9:2220" } } }).json, { restart_required: true });
});

test("Sys.SetConfig refuses bad values, unknown keys and changes to read-only fields", (t) => {
  const { device, host } = makeRig();
  const port = rest(device, "Sys.SetConfig", { config: { rpc_udp: { listen_port: 70000 } } });
  t.is(port.status, 500);
  t.deepEqual(port.json, { code: -103, message: "Invalid value for 'config.rpc_udp.listen_port': expected a port 1..65535 or null" });
  t.is(rest(device, "Sys.SetConfig", { config: { rpc_udp: { dst_addr: "nohost" } } }).json?.code, -103);
  t.deepEqual(rest(device, "Sys.SetConfig", { config: { foo: 1 } }).json, { code: -103, message: "Unsupported setting 'config.foo'" });
  t.is(rest(device, "Sys.SetConfig", { config: { device: { mac: "001122334455" } } }).json?.code, -103);
  t.is(rest(device, "Sys.SetConfig", { config: "x" }).json?.code, -103);
  t.deepEqual(rest(device, "Sys.SetConfig", {}).json, { code: -103, message: "Missing required 'config'" });
  // A refused change leaves nothing half-applied.
  t.is(rest(device, "Sys.SetConfig", { config: { device: { name: "x" }, rpc_udp: { listen_port: -1 } } }).json?.code, -103);
  t.is(device.settings.name, null);
  t.is(host.saved.length, 0);
});

test("a GetConfig → SetConfig round trip is accepted unchanged", (t) => {
  const { device, host } = makeRig();
  for (const [get, set, params] of [
    ["Sys.GetConfig", "Sys.SetConfig", {}],
    ["WiFi.GetConfig", "WiFi.SetConfig", {}],
    ["EM.GetConfig", "EM.SetConfig", { id: 0 }],
    ["Mqtt.GetConfig", "Mqtt.SetConfig", {}],
    ["Ws.GetConfig", "Ws.SetConfig", {}],
    ["BLE.GetConfig", "BLE.SetConfig", {}],
    ["Temperature.GetConfig", "Temperature.SetConfig", { id: 0 }],
  ] as const) {
    const config = rest(device, get, params).json;
    t.deepEqual(rest(device, set, { ...params, config }).json, { restart_required: false }, set);
  }
  t.is(host.saved.length, 0);
});

test("Ws.SetConfig for outbound WebSocket", (t) => {
  const { device } = makeRig();
  const r = rest(device, "Ws.SetConfig", { config: { enable: true, server: "ws://192.168.1.20:8080/shelly", ssl_ca: null } });
  t.deepEqual(r.json, { restart_required: true });
  t.deepEqual(rest(device, "WS.GetConfig").json, { enable: true, server: "ws://192.168.1.20:8080/shelly", ssl_ca: null });
  t.is(rest(device, "Ws.SetConfig", { config: { server: "http://x" } }).json?.code, -103);
  const off = makeRig({ features: { outboundWs: false } }).device;
  t.is(rest(off, "Ws.SetConfig", { config: { enable: true } }).json?.code, -103);
});

test("settings we cannot honour are refused with -103", (t) => {
  const { device } = makeRig();
  const cases: [string, Record<string, unknown>][] = [
    ["EM.SetConfig", { id: 0, config: { reverse: { a: true } } }],
    ["EM.SetConfig", { id: 0, config: { phase_selector: "a" } }],
    ["Modbus.SetConfig", { config: { enable: true } }],
    ["BLE.SetConfig", { config: { enable: true } }],
    ["BLE.SetConfig", { config: { observer: { enable: true } } }],
    ["MQTT.SetConfig", { config: { enable: true } }],
    ["WiFi.SetConfig", { config: { sta: { ssid: "other" } } }],
    ["Eth.SetConfig", { config: { ipv4mode: "static" } }],
    ["Temperature.SetConfig", { id: 0, config: { offset_C: 2 } }],
  ];
  for (const [m, p] of cases) {
    const r = rest(device, m, p);
    t.is(r.status, 500, m);
    t.is(r.json?.code, -103, m + " " + JSON.stringify(p));
  }
  t.regex(String(rest(device, "Modbus.SetConfig", { config: { enable: true } }).json?.message), /not supported/);
  t.is(rest(device, "EM.SetConfig", { id: 1, config: {} }).json?.code, -105);
});

test("names, cloud flag and MQTT (when the shell has it) are accepted", (t) => {
  const { device } = makeRig({ features: { mqtt: true } });
  t.deepEqual(rest(device, "EM.SetConfig", { id: 0, config: { name: "Netz" } }).json, { restart_required: false });
  t.is((rest(device, "EM.GetConfig", { id: 0 }).json as { name: string }).name, "Netz");
  t.deepEqual(rest(device, "Cloud.SetConfig", { config: { enable: true } }).json, { restart_required: false });
  t.false((rest(device, "Cloud.GetStatus").json as { connected: boolean }).connected, "still disconnected");
  t.deepEqual(rest(device, "Mqtt.SetConfig", { config: { enable: true, server: "broker:1883", user: "u", pass: "p" } }).json, {
    restart_required: true,
  });
  const mqtt = rest(device, "Mqtt.GetConfig").json as Record<string, unknown>;
  t.is(mqtt.server, "broker:1883");
  t.false("pass" in mqtt, "password is write-only");
  t.is(device.settings.mqtt.pass, "p");
  t.is(rest(device, "Sys.SetConfig", { config: { device: { name: 5 } } }).json?.code, -103);
});

test("EMData.SetConfig {} and Temperature name", (t) => {
  const { device } = makeRig();
  t.deepEqual(rest(device, "EMData.SetConfig", { id: 0, config: {} }).json, { restart_required: false });
  t.deepEqual(rest(device, "Temperature.SetConfig", { id: 0, config: { name: "Board" } }).json, { restart_required: false });
  t.is((rest(device, "Temperature.GetConfig", { id: 0 }).json as { name: string }).name, "Board");
});

// ---- status details ----------------------------------------------------------------------

test("sys.time and unixtime are null while the clock is unset; temperature null without sensor", (t) => {
  const { device, host } = makeRig();
  host.unix = null;
  host.temperature = null;
  const sys = rest(device, "Sys.GetStatus").json as Record<string, unknown>;
  t.is(sys.time, null);
  t.is(sys.unixtime, null);
  t.is(rest(device, "Temperature.GetStatus", { id: 0 }).body, '{"id":0,"tC":null,"tF":null}');
});

test("sys.time follows the UTC offset across midnight", (t) => {
  const { device, host } = makeRig();
  host.unix = Date.UTC(2025, 0, 1, 23, 30, 0) / 1000;
  host.offset = 3600;
  t.is((rest(device, "Sys.GetStatus").json as { time: string }).time, "00:30");
  host.offset = -7200;
  t.is((rest(device, "Sys.GetStatus").json as { time: string }).time, "21:30");
});

test("em:0 prints negative export and rounds half away from zero", (t) => {
  const { device, grid } = makeRig();
  const v = sampleEmView();
  grid.view = { ...v, phases: [{ ...v.phases[0], actPower: -1234.45, pf: -0.005 }, v.phases[1], v.phases[2]], totalActPower: -1019.0004 };
  const body = rest(device, "EM.GetStatus", { id: 0 }).body;
  t.true(body.includes('"a_act_power":-1234.5,'));
  t.true(body.includes('"a_pf":-0.01,'));
  t.true(body.includes('"total_act_power":-1019.000,'));
});

// ---- identity and settings ----------------------------------------------------------------

test("identity: id from MAC, fw_id date checked", (t) => {
  const id = makeIdentity({ mac: "aa:bb:cc:dd:ee:0f", version: "1.0.0", firmwareId: FW_ID });
  t.is(id.id, "shellypro3em-aabbccddee0f");
  t.is(id.mac, "AABBCCDDEE0F");
  t.throws(() => makeIdentity({ mac: "xyz", version: "1", firmwareId: FW_ID }));
  t.throws(() => makeIdentity({ mac: "AABBCCDDEEFF", version: "1", firmwareId: "20231219-134001/1.1.0" }), { message: /20240213/ });
  t.is(formatFirmwareId(Date.UTC(2025, 2, 1, 10, 15, 0) / 1000, "0.1.0", "abcdef1234"), FW_ID);
  t.is(formatFirmwareId(Date.UTC(2024, 1, 29, 23, 59, 59) / 1000, "2.0.0"), "20240229-235959/2.0.0");
});

test("normalizeShellySettings keeps valid fields and repairs the rest", (t) => {
  const s = normalizeShellySettings({
    name: "Meter",
    authHa1: "not-hex",
    cfgRev: -3,
    rpcUdp: { listenPort: 99999, dstAddr: "1.2.3.4:5" },
    ws: { enable: "yes", server: "ws://a" },
    location: { lat: 48.1, lon: null },
    extra: 1,
  });
  const d = defaultShellySettings();
  t.is(s.name, "Meter");
  t.is(s.authHa1, null);
  t.is(s.cfgRev, 0);
  t.is(s.rpcUdp.listenPort, null);
  t.is(s.rpcUdp.dstAddr, "1.2.3.4:5");
  t.is(s.ws.enable, d.ws.enable);
  t.is(s.ws.server, "ws://a");
  t.is(s.location.lat, 48.1);
  t.false("extra" in s);
  t.deepEqual(normalizeShellySettings(null), d);
  t.deepEqual(normalizeShellySettings(JSON.parse(JSON.stringify(s))), s, "stable on its own output");
});
