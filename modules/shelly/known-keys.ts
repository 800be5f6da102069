// The property names a peer may create on this device: every name that some code reads from
// peer JSON or a query string, and a few that known clients send. XS never frees a property
// name (a "key"), so json-input drops every other name from what it parses: a peer that
// sends ever-new names must not grow the key table for the life of the device.
//
// The lists are written out, not computed from the tables they come from: components.ts
// and config/schema.ts import fields.ts, which imports json-input.ts, so importing them here
// would make json-input's first use depend on import order. test/json-input.test.ts derives
// each list from its source (the field tables, the settings schema, and every read of a
// peer's object in the core, found through the types) and fails when one is missing or stale.

/**
 * Sent by clients but read by nothing here: kept so that these requests take the fast path
 * and are not reported as unknown. Growatt polls `/rpc/Shelly.GetStatus?esp`;
 * Shelly.GetDeviceInfo documents `ident` (secrets an emulation does not have).
 */
export const UNREAD_NAMES: readonly string[] = Object.freeze(["esp", "ident"]);

/** Every name json-input keeps. Never "__proto__". Frozen, like every table of the core. */
export const KNOWN_KEYS: ReadonlySet<string> = Object.freeze(new Set([
  // RPC frames (ShellyDevice.handleFrame) and their `auth` object (digest-auth verifyFrameAuth).
  "id", "src", "method", "params", "auth", "username", "realm", "algorithm", "nonce", "nc", "cnonce", "response",
  // Method params read by ShellyDevice (besides `id` and the fields of `config`).
  "offset", "include", "keys", "dynamic_only", "config", "name", "delay_ms", "user", "ha1",
  // Every config field of every component, at any depth (components.ts; Xxx.SetConfig `config`).
  "addon_type", "addr", "ap", "blink_mode_selector", "cfg_rev", "client_id", "debug", "device", "discoverable",
  "dst_addr", "eco_mode", "enable", "enable_control", "enable_rpc", "file_level", "fw_id", "gw", "interval", "ip",
  "ipv4mode", "is_open", "lat", "level", "listen_port", "location", "lon", "mac", "monitor_phase_sequence", "mqtt",
  "nameserver", "netmask", "observer", "offset_C", "pass", "phase_selector", "profile", "range_extender",
  "report_thr_C", "reverse", "roam", "rpc", "rpc_ntf", "rpc_udp", "rssi_thr", "server", "sntp", "ssid", "ssl_ca",
  "sta", "sta1", "status_ntf", "topic_prefix", "tz", "udp", "ui_data", "use_client_cert", "websocket",
  // Keys of the settings schema (config/schema.ts): bodies of POST /api/settings and /api/setup/settings.
  "wifi.ssid", "wifi.password", "meter.protocol", "meter.baud", "meter.format", "meter.rxPin", "meter.txPin",
  "meter.powerSign", "emulation.mac", "emulation.staleAfterS", "emulation.phaseMode", "emulation.udpPorts",
  "emulation.gen1", "emulation.mdns", "admin.password",
  // Bodies of the web interface's POSTs (web-interface.ts): login {nonce, proof}, factory reset {confirm}.
  "proof", "confirm",
  ...UNREAD_NAMES,
]));
