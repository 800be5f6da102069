// The single source of truth for the emulated Shelly Pro 3EM (triphase profile): every
// component key, its RPC name, its status and config fields in the real device's key
// order with the decimals the device prints (api.md §2; samples/gen2). Every table here is
// frozen (deepFreeze): on the device it stays in flash, and nothing can change it at run time.

import type { PhaseView } from "../meter/grid-view";
import {
  boolean,
  deepFreeze,
  nullableNumber,
  nullableString,
  requiredString,
  type Field,
  type FieldContext,
  type FieldSetter,
} from "./fields";
import type { ShellySettings } from "./settings";
import { parseWsUrl } from "../net/websocket-client";

export interface ComponentDef {
  /** Key in Shelly.GetStatus / GetConfig, e.g. "em:0". */
  readonly key: string;
  /** Method prefix as the device lists it in Shelly.ListMethods ("Wifi", "Mqtt", "WS"). */
  readonly rpcName: string;
  /** Instance id for multi-instance components (they require `{id}`), null otherwise. */
  readonly id: number | null;
  /** Built from meter data: unavailable (-114) while the meter is stale. */
  readonly meterData: boolean;
  readonly status: readonly Field[];
  readonly config: readonly Field[];
}

const NOT_SUPPORTED = "not supported by this emulation";
const NETWORK_ELSEWHERE = "network settings are changed on the device's own settings page";

// Getters close over consts, not over parameters or loop variables: on the device such a
// closure in a preloaded table would need a RAM slot (xsl reports it as "no const").

function constant(key: string, kind: Field["kind"], value: unknown, fixedReason?: string, decimals?: number): Field {
  const fixed = value;
  return { key, kind, get: () => fixed, fixedReason, decimals };
}

function obj(key: string, fields: readonly Field[]): Field {
  return { key, kind: "object", fields };
}

const idField = (id: number): Field => constant("id", "number", id);

// ---- em:0 -------------------------------------------------------------------------

/** Per-phase em:0 fields, in the device's order, with their decimals. */
export const EM_PHASE_FIELDS: readonly { readonly suffix: string; readonly decimals: number; readonly get: (p: PhaseView) => number }[] = deepFreeze([
  { suffix: "current", decimals: 3, get: (p) => p.current },
  { suffix: "voltage", decimals: 1, get: (p) => p.voltage },
  { suffix: "act_power", decimals: 1, get: (p) => p.actPower },
  { suffix: "aprt_power", decimals: 1, get: (p) => p.aprtPower },
  { suffix: "pf", decimals: 2, get: (p) => p.pf },
  { suffix: "freq", decimals: 1, get: (p) => p.freq },
]);

export const PHASE_LETTERS = Object.freeze(["a", "b", "c"] as const);

function emStatusFields(): Field[] {
  const fields: Field[] = [idField(0)];
  for (let i = 0; i < 3; i++) {
    const phase = i;
    for (const pf of EM_PHASE_FIELDS) {
      const getPhase = pf.get;
      fields.push({
        key: PHASE_LETTERS[phase] + "_" + pf.suffix,
        kind: "fixed",
        decimals: pf.decimals,
        get: (c: FieldContext) => getPhase(c.view!.phases[phase]),
      });
    }
  }
  fields.push(
    // No neutral CT reading on an emulated meter: null, as on real units without one.
    { key: "n_current", kind: "fixed", decimals: 3, get: () => null },
    { key: "total_current", kind: "fixed", decimals: 3, get: (c) => c.view!.totalCurrent },
    { key: "total_act_power", kind: "fixed", decimals: 3, get: (c) => c.view!.totalActPower },
    { key: "total_aprt_power", kind: "fixed", decimals: 3, get: (c) => c.view!.totalAprtPower },
    constant("user_calibrated_phase", "raw", "[]"),
  );
  return fields;
}

const EM_CONFIG: readonly Field[] = [
  idField(0),
  { key: "name", kind: "string", get: (c) => c.settings.em.name, set: nullableString(64, (d, v) => (d.em.name = v)) },
  constant("blink_mode_selector", "string", "active_energy", NOT_SUPPORTED),
  constant("phase_selector", "string", "all", NOT_SUPPORTED),
  constant("monitor_phase_sequence", "bool", false, NOT_SUPPORTED),
  constant("reverse", "raw", "{}", "the sign of the power is set in the meter settings"),
];

// ---- emdata:0 ---------------------------------------------------------------------

function emdataStatusFields(): Field[] {
  const fields: Field[] = [idField(0)];
  for (let i = 0; i < 3; i++) {
    const phase = i;
    fields.push(
      { key: PHASE_LETTERS[phase] + "_total_act_energy", kind: "fixed", decimals: 2, get: (c) => c.view!.phases[phase].importWh },
      { key: PHASE_LETTERS[phase] + "_total_act_ret_energy", kind: "fixed", decimals: 2, get: (c) => c.view!.phases[phase].exportWh },
    );
  }
  fields.push(
    { key: "total_act", kind: "fixed", decimals: 2, get: (c) => c.view!.totalImportWh },
    { key: "total_act_ret", kind: "fixed", decimals: 2, get: (c) => c.view!.totalExportWh },
  );
  return fields;
}

// ---- sys --------------------------------------------------------------------------

/** "HH:MM" local time, or null while the clock is unset. */
export function localTimeHHMM(unixS: number | null, offsetS: number): string | null {
  if (unixS === null) return null;
  let minutes = Math.floor((unixS + offsetS) / 60) % 1440;
  if (minutes < 0) minutes += 1440;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return (h < 10 ? "0" : "") + h + ":" + (m < 10 ? "0" : "") + m;
}

function unixSeconds(c: FieldContext): number | null {
  const t = c.host.unixTime();
  return t === null ? null : Math.floor(t);
}

const SYS_STATUS: readonly Field[] = [
  { key: "mac", kind: "string", get: (c) => c.identity.mac },
  { key: "restart_required", kind: "bool", get: (c) => c.restartRequired },
  { key: "time", kind: "string", get: (c) => localTimeHHMM(c.host.unixTime(), c.host.utcOffsetS()) },
  { key: "unixtime", kind: "number", get: unixSeconds },
  { key: "uptime", kind: "number", get: (c) => Math.floor(c.host.uptimeS()) },
  { key: "ram_size", kind: "number", get: (c) => c.host.memory().ramSize },
  { key: "ram_free", kind: "number", get: (c) => c.host.memory().ramFree },
  { key: "fs_size", kind: "number", get: (c) => c.host.memory().fsSize },
  { key: "fs_free", kind: "number", get: (c) => c.host.memory().fsFree },
  { key: "cfg_rev", kind: "number", get: (c) => c.settings.cfgRev },
  constant("kvs_rev", "number", 0),
  constant("schedule_rev", "number", 0),
  constant("webhook_rev", "number", 0),
  // No update channel: an empty object keeps HA's update entity quiet.
  constant("available_updates", "raw", "{}"),
  { key: "reset_reason", kind: "number", get: (c) => c.host.resetReason() },
];

function isHostPort(v: string): boolean {
  const colon = v.lastIndexOf(":");
  if (colon <= 0) return false;
  const port = Number(v.slice(colon + 1));
  return Number.isInteger(port) && port >= 1 && port <= 65535 && !/\s/.test(v);
}

const SYS_CONFIG: readonly Field[] = [
  obj("device", [
    { key: "name", kind: "string", get: (c) => c.settings.name, set: nullableString(64, (d, v) => (d.name = v)) },
    { key: "mac", kind: "string", get: (c) => c.identity.mac },
    { key: "fw_id", kind: "string", get: (c) => c.identity.firmwareId },
    { key: "discoverable", kind: "bool", get: (c) => c.settings.discoverable, set: boolean((d, v) => (d.discoverable = v)) },
    { key: "eco_mode", kind: "bool", get: (c) => c.settings.ecoMode, set: boolean((d, v) => (d.ecoMode = v)) },
    { key: "profile", kind: "string", get: (c) => c.identity.profile, fixedReason: "use Shelly.SetProfile" },
    constant("addon_type", "string", null, NOT_SUPPORTED),
  ]),
  obj("location", [
    { key: "tz", kind: "string", get: (c) => c.settings.location.tz, set: nullableString(64, (d, v) => (d.location.tz = v)) },
    { key: "lat", kind: "number", get: (c) => c.settings.location.lat, set: nullableNumber(-90, 90, (d, v) => (d.location.lat = v)) },
    { key: "lon", kind: "number", get: (c) => c.settings.location.lon, set: nullableNumber(-180, 180, (d, v) => (d.location.lon = v)) },
  ]),
  obj("debug", [
    constant("level", "number", 2, NOT_SUPPORTED),
    constant("file_level", "number", null, NOT_SUPPORTED),
    obj("mqtt", [constant("enable", "bool", false, NOT_SUPPORTED)]),
    obj("websocket", [constant("enable", "bool", false, NOT_SUPPORTED)]),
    obj("udp", [constant("addr", "string", null, NOT_SUPPORTED)]),
  ]),
  constant("ui_data", "raw", "{}", NOT_SUPPORTED),
  obj("rpc_udp", [
    {
      key: "dst_addr",
      kind: "string",
      get: (c) => c.settings.rpcUdp.dstAddr,
      restart: true,
      set: (d, v, c) => {
        if (v !== null && (typeof v !== "string" || !isHostPort(v))) return "expected \"host:port\" or null";
        if (v !== null && !c.features.udpRpc) return "UDP RPC is " + NOT_SUPPORTED;
        d.rpcUdp.dstAddr = v;
        return null;
      },
    },
    {
      key: "listen_port",
      kind: "number",
      get: (c) => c.settings.rpcUdp.listenPort,
      restart: true,
      set: (d, v, c) => {
        if (v !== null && !(typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= 65535)) {
          return "expected a port 1..65535 or null";
        }
        if (v !== null && !c.features.udpRpc) return "UDP RPC is " + NOT_SUPPORTED;
        d.rpcUdp.listenPort = v;
        return null;
      },
    },
  ]),
  obj("sntp", [
    { key: "server", kind: "string", get: (c) => c.settings.sntpServer, set: requiredString(128, (d, v) => (d.sntpServer = v)) },
  ]),
  { key: "cfg_rev", kind: "number", get: (c) => c.settings.cfgRev },
];

// ---- network and services -----------------------------------------------------------

const WIFI_STATUS: readonly Field[] = [
  { key: "sta_ip", kind: "string", get: (c) => c.host.network().wifiIp },
  { key: "status", kind: "string", get: (c) => c.host.network().wifiStatus },
  { key: "ssid", kind: "string", get: (c) => c.host.network().wifiSsid },
  { key: "rssi", kind: "number", get: (c) => c.host.network().wifiRssi },
  // Documented for a connected station only.
  { key: "ap_client_count", kind: "number", get: (c) => (c.host.network().wifiStatus === "got ip" ? 0 : undefined) },
];

function ipSettings(): Field[] {
  return [
    constant("ipv4mode", "string", "dhcp", NETWORK_ELSEWHERE),
    constant("ip", "string", null, NETWORK_ELSEWHERE),
    constant("netmask", "string", null, NETWORK_ELSEWHERE),
    constant("gw", "string", null, NETWORK_ELSEWHERE),
    constant("nameserver", "string", null, NETWORK_ELSEWHERE),
  ];
}

const WIFI_CONFIG: readonly Field[] = [
  obj("ap", [
    { key: "ssid", kind: "string", get: (c) => "ShellyPro3EM-" + c.identity.mac, fixedReason: NETWORK_ELSEWHERE },
    constant("is_open", "bool", true, NETWORK_ELSEWHERE),
    { key: "enable", kind: "bool", get: (c) => c.host.network().apEnabled, fixedReason: NETWORK_ELSEWHERE },
    obj("range_extender", [constant("enable", "bool", false, NOT_SUPPORTED)]),
  ]),
  obj("sta", [
    { key: "ssid", kind: "string", get: (c) => c.host.network().staSsid, fixedReason: NETWORK_ELSEWHERE },
    constant("is_open", "bool", false, NETWORK_ELSEWHERE),
    { key: "enable", kind: "bool", get: (c) => c.host.network().staSsid !== null, fixedReason: NETWORK_ELSEWHERE },
    ...ipSettings(),
  ]),
  obj("sta1", [
    constant("ssid", "string", null, NETWORK_ELSEWHERE),
    constant("is_open", "bool", true, NETWORK_ELSEWHERE),
    constant("enable", "bool", false, NETWORK_ELSEWHERE),
    ...ipSettings(),
  ]),
  obj("roam", [constant("rssi_thr", "number", -80, NETWORK_ELSEWHERE), constant("interval", "number", 60, NETWORK_ELSEWHERE)]),
];

const ETH_CONFIG: readonly Field[] = [
  { key: "enable", kind: "bool", get: (c) => c.host.network().ethPresent, fixedReason: NETWORK_ELSEWHERE },
  ...ipSettings(),
];

/** A string whose default is the device id: setting the id itself keeps the default (null). */
function defaultsToDeviceId(maxLength: number, store: (d: ShellySettings, v: string | null) => void): FieldSetter {
  const check = nullableString(maxLength, store);
  return (d, v, c) => check(d, v === c.identity.id ? null : v, c);
}

const MQTT_CONFIG: readonly Field[] = [
  {
    key: "enable",
    kind: "bool",
    get: (c) => c.settings.mqtt.enable,
    restart: true,
    set: (d, v, c) => {
      if (typeof v !== "boolean") return "expected true or false";
      if (v && !c.features.mqtt) return "MQTT is " + NOT_SUPPORTED;
      d.mqtt.enable = v;
      return null;
    },
  },
  { key: "server", kind: "string", get: (c) => c.settings.mqtt.server, restart: true, set: nullableString(128, (d, v) => (d.mqtt.server = v)) },
  {
    key: "client_id",
    kind: "string",
    get: (c) => c.settings.mqtt.clientId ?? c.identity.id,
    restart: true,
    set: defaultsToDeviceId(64, (d, v) => (d.mqtt.clientId = v)),
  },
  { key: "user", kind: "string", get: (c) => c.settings.mqtt.user, restart: true, set: nullableString(64, (d, v) => (d.mqtt.user = v)) },
  { key: "pass", kind: "string", writeOnly: true, restart: true, set: nullableString(64, (d, v) => (d.mqtt.pass = v)) },
  { key: "ssl_ca", kind: "string", get: (c) => c.settings.mqtt.sslCa, restart: true, set: nullableString(64, (d, v) => (d.mqtt.sslCa = v)) },
  {
    key: "topic_prefix",
    kind: "string",
    get: (c) => c.settings.mqtt.topicPrefix ?? c.identity.id,
    restart: true,
    set: defaultsToDeviceId(128, (d, v) => (d.mqtt.topicPrefix = v)),
  },
  { key: "rpc_ntf", kind: "bool", get: (c) => c.settings.mqtt.rpcNtf, restart: true, set: boolean((d, v) => (d.mqtt.rpcNtf = v)) },
  { key: "status_ntf", kind: "bool", get: (c) => c.settings.mqtt.statusNtf, restart: true, set: boolean((d, v) => (d.mqtt.statusNtf = v)) },
  constant("use_client_cert", "bool", false, NOT_SUPPORTED),
  { key: "enable_rpc", kind: "bool", get: (c) => c.settings.mqtt.enableRpc, restart: true, set: boolean((d, v) => (d.mqtt.enableRpc = v)) },
  {
    key: "enable_control",
    kind: "bool",
    get: (c) => c.settings.mqtt.enableControl,
    restart: true,
    set: boolean((d, v) => (d.mqtt.enableControl = v)),
  },
];

const WS_CONFIG: readonly Field[] = [
  {
    key: "enable",
    kind: "bool",
    get: (c) => c.settings.ws.enable,
    restart: true,
    set: (d, v, c) => {
      if (typeof v !== "boolean") return "expected true or false";
      if (v && !c.features.outboundWs) return "outbound WebSocket is " + NOT_SUPPORTED;
      d.ws.enable = v;
      return null;
    },
  },
  {
    key: "server",
    kind: "string",
    get: (c) => c.settings.ws.server,
    restart: true,
    set: (d, v) => {
      if (v !== null) {
        if (typeof v !== "string" || v.length > 256) return "expected a ws:// URL or null";
        // The outbound connection (modules/app/outbound-ws) speaks plain ws:// only.
        const url = parseWsUrl(v);
        if (typeof url === "string") return url;
      }
      d.ws.server = v;
      return null;
    },
  },
  { key: "ssl_ca", kind: "string", get: (c) => c.settings.ws.sslCa, restart: true, set: nullableString(64, (d, v) => (d.ws.sslCa = v)) },
];

function connected(kind: "mqtt" | "ws"): readonly Field[] {
  const service = kind;
  return [{ key: "connected", kind: "bool", get: (c) => c.host.isConnected(service) }];
}

function celsiusToFahrenheit(c: number | null): number | null {
  return c === null ? null : c * 1.8 + 32;
}

// ---- the table ----------------------------------------------------------------------

/** All components, in the order Shelly.GetStatus / GetConfig list them (alphabetical by key). */
export const COMPONENTS: readonly ComponentDef[] = deepFreeze([
  {
    key: "ble",
    rpcName: "BLE",
    id: null,
    meterData: false,
    status: [],
    config: [
      constant("enable", "bool", false, "Bluetooth is " + NOT_SUPPORTED),
      obj("rpc", [constant("enable", "bool", false, "Bluetooth is " + NOT_SUPPORTED)]),
      obj("observer", [constant("enable", "bool", false, "Bluetooth is " + NOT_SUPPORTED)]),
    ],
  },
  {
    key: "cloud",
    rpcName: "Cloud",
    id: null,
    meterData: false,
    // The Shelly cloud cannot be emulated: always disconnected (Growatt needs the key).
    status: [constant("connected", "bool", false)],
    config: [
      { key: "enable", kind: "bool", get: (c) => c.settings.cloud.enable, set: boolean((d, v) => (d.cloud.enable = v)) },
      constant("server", "string", "iot.shelly.cloud:6012/jrpc", NOT_SUPPORTED),
    ],
  },
  { key: "em:0", rpcName: "EM", id: 0, meterData: true, status: emStatusFields(), config: EM_CONFIG },
  { key: "emdata:0", rpcName: "EMData", id: 0, meterData: true, status: emdataStatusFields(), config: [] },
  {
    key: "eth",
    rpcName: "Eth",
    id: null,
    meterData: false,
    status: [{ key: "ip", kind: "string", get: (c) => c.host.network().ethIp }],
    config: ETH_CONFIG,
  },
  {
    key: "modbus",
    rpcName: "Modbus",
    id: null,
    meterData: false,
    status: [],
    config: [constant("enable", "bool", false, "Modbus TCP is " + NOT_SUPPORTED)],
  },
  { key: "mqtt", rpcName: "Mqtt", id: null, meterData: false, status: connected("mqtt"), config: MQTT_CONFIG },
  { key: "sys", rpcName: "Sys", id: null, meterData: false, status: SYS_STATUS, config: SYS_CONFIG },
  {
    key: "temperature:0",
    rpcName: "Temperature",
    id: 0,
    meterData: false,
    status: [
      idField(0),
      { key: "tC", kind: "fixed", decimals: 1, get: (c) => c.host.temperatureC() },
      { key: "tF", kind: "fixed", decimals: 1, get: (c) => celsiusToFahrenheit(c.host.temperatureC()) },
    ],
    config: [
      idField(0),
      {
        key: "name",
        kind: "string",
        get: (c) => c.settings.temperature.name,
        set: nullableString(64, (d, v) => (d.temperature.name = v)),
      },
      constant("report_thr_C", "fixed", 5, NOT_SUPPORTED, 1),
      constant("offset_C", "fixed", 0, NOT_SUPPORTED, 1),
    ],
  },
  { key: "wifi", rpcName: "Wifi", id: null, meterData: false, status: WIFI_STATUS, config: WIFI_CONFIG },
  { key: "ws", rpcName: "WS", id: null, meterData: false, status: connected("ws"), config: WS_CONFIG },
]);

/** Component order in Shelly.ListMethods (as a real device lists them). */
export const METHOD_LIST_ORDER: readonly string[] = Object.freeze([
  "sys", "wifi", "eth", "ble", "cloud", "mqtt", "ws", "modbus", "em:0", "emdata:0", "temperature:0",
]);

export function componentByKey(key: string): ComponentDef | null {
  for (let i = 0; i < COMPONENTS.length; i++) if (COMPONENTS[i].key === key) return COMPONENTS[i];
  return null;
}
