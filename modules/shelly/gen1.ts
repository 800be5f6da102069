// The Gen1 Shelly 3EM (SHEM-3) HTTP API for consumers that only know the old meter:
// Indielux, the MaxxiCharge CCU's "Shelly 3EM" type, evcc's shelly-3em template
// (api.md §3). Units: W, A, V with 2 decimals, energies in Wh with 1 decimal.

import type { GridView, PhaseView } from "../meter/grid-view";
import { localTimeHHMM } from "./components";
import type { FieldContext } from "./fields";
import { JsonWriter } from "./json-writer";

export const GEN1_TYPE = "SHEM-3";

/** Gen1 host name / MQTT id: "shellyem3-" + upper-case MAC. */
export function gen1Id(mac: string): string {
  return "shellyem3-" + mac;
}

function writeEmeter(w: JsonWriter, p: PhaseView): void {
  w.beginObject();
  w.key("power").fixed(p.actPower, 2);
  w.key("pf").fixed(p.pf, 2);
  w.key("current").fixed(p.current, 2);
  w.key("voltage").fixed(p.voltage, 2);
  w.key("is_valid").bool(true);
  w.key("total").fixed(p.importWh, 1);
  w.key("total_returned").fixed(p.exportWh, 1);
  w.endObject();
}

/** `GET /emeter/<i>`: the same object as `emeters[i]` in /status. */
export function gen1EmeterJson(view: GridView, index: number): string {
  const w = new JsonWriter();
  writeEmeter(w, view.phases[index]);
  return w.toString();
}

/** `GET /status`, key order of a SHEM-3 on v1.14. `view` must be fresh. */
export function gen1StatusJson(c: FieldContext, view: GridView): string {
  const host = c.host;
  const net = host.network();
  const mem = host.memory();
  const unix = host.unixTime();
  const uptime = Math.floor(host.uptimeS());
  const w = new JsonWriter();
  w.beginObject();
  // Gen1 has no Ethernet: the address we are reachable on is reported as the station's.
  const ip = net.wifiIp ?? net.ethIp;
  w.key("wifi_sta").beginObject();
  w.key("connected").bool(ip !== null);
  w.key("ssid").string(net.wifiSsid);
  w.key("ip").string(ip);
  w.key("rssi").number(net.wifiRssi);
  w.endObject();
  w.key("cloud").beginObject().key("enabled").bool(false).key("connected").bool(false).endObject();
  w.key("mqtt").beginObject().key("connected").bool(host.isConnected("mqtt")).endObject();
  w.key("time").string(localTimeHHMM(unix, host.utcOffsetS()) ?? "");
  w.key("unixtime").number(unix === null ? 0 : Math.floor(unix));
  // A Gen1 change counter; uptime seconds serve as a value that moves with the data.
  w.key("serial").number(uptime % 65536);
  w.key("has_update").bool(false);
  w.key("mac").string(c.identity.mac);
  w.key("cfg_changed_cnt").number(0);
  w.key("actions_stats").beginObject().key("skipped").number(0).endObject();
  w.key("relays").beginArray().beginObject();
  w.key("ison").bool(false);
  w.key("has_timer").bool(false);
  w.key("timer_started").number(0);
  w.key("timer_duration").number(0);
  w.key("timer_remaining").number(0);
  w.key("overpower").bool(false);
  w.key("is_valid").bool(true);
  w.key("source").string("input");
  w.endObject().endArray();
  w.key("emeters").beginArray();
  for (let i = 0; i < 3; i++) writeEmeter(w, view.phases[i]);
  w.endArray();
  w.key("total_power").fixed(view.totalActPower, 2);
  w.key("emeter_n").beginObject();
  w.key("current").fixed(0, 2);
  w.key("ixsum").fixed(view.totalCurrent, 2);
  w.key("mismatch").bool(false);
  w.key("is_valid").bool(false); // no neutral CT
  w.endObject();
  w.key("fs_mounted").bool(true);
  w.key("v_data").number(1);
  w.key("ct_calst").number(0);
  w.key("update").beginObject();
  w.key("status").string("idle");
  w.key("has_update").bool(false);
  w.key("new_version").string(c.identity.firmwareId);
  w.key("old_version").string(c.identity.firmwareId);
  w.key("beta_version").string(c.identity.firmwareId);
  w.endObject();
  w.key("ram_total").number(mem.ramSize);
  w.key("ram_free").number(mem.ramFree);
  w.key("fs_size").number(mem.fsSize);
  w.key("fs_free").number(mem.fsFree);
  w.key("uptime").number(uptime);
  w.endObject();
  return w.toString();
}

function writeEmeterSettings(w: JsonWriter): void {
  w.beginObject().key("name").null().key("appliance_type").string("General").key("max_power").number(0).endObject();
}

/** `GET /settings/emeter/<i>`. */
export function gen1EmeterSettingsJson(): string {
  const w = new JsonWriter();
  writeEmeterSettings(w);
  return w.toString();
}

/**
 * `GET /settings`, reduced to what Gen1 clients read (device block, mqtt.id, login,
 * emeters); keys keep the real device's relative order.
 */
export function gen1SettingsJson(c: FieldContext, authEnabled: boolean): string {
  const id = gen1Id(c.identity.mac);
  const unix = c.host.unixTime();
  const w = new JsonWriter();
  w.beginObject();
  w.key("device").beginObject();
  w.key("type").string(GEN1_TYPE);
  w.key("mac").string(c.identity.mac);
  w.key("hostname").string(id);
  w.key("num_outputs").number(1);
  w.key("num_meters").number(0);
  w.key("num_emeters").number(3);
  w.endObject();
  w.key("mqtt").beginObject().key("enable").bool(false).key("id").string(id).endObject();
  w.key("coiot").beginObject().key("enabled").bool(false).key("update_period").number(15).key("peer").string("").endObject();
  w.key("sntp").beginObject().key("server").string(c.settings.sntpServer).key("enabled").bool(true).endObject();
  w.key("login").beginObject().key("enabled").bool(authEnabled).key("unprotected").bool(false).key("username").string("admin").endObject();
  w.key("name").string(c.settings.name);
  w.key("fw").string(c.identity.firmwareId);
  w.key("discoverable").bool(c.settings.discoverable);
  w.key("cloud").beginObject().key("enabled").bool(false).key("connected").bool(false).endObject();
  w.key("time").string(localTimeHHMM(unix, c.host.utcOffsetS()) ?? "");
  w.key("unixtime").number(unix === null ? 0 : Math.floor(unix));
  w.key("emeters").beginArray();
  for (let i = 0; i < 3; i++) writeEmeterSettings(w);
  w.endArray();
  w.endObject();
  return w.toString();
}
