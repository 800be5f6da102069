// The device's pure logic on XS (what the firmware runs): WiFi supervisor, captive-portal
// routing, setup API, settings record in chunks, migration, 7E1 stripping, OTA image check.

import { migrateRecord } from "../../modules/config/migration";
import { readRecord, writeRecord, type KeyValueStore } from "../../modules/config/record-store";
import { applyChanges, defaultValues, fieldSpec, loadSettings, SCHEMA, schemaForPage } from "../../modules/config/schema";
import { add7E1Parity, strip7E1 } from "../../modules/config/serial-format";
import { ESP_IMAGE_MAGIC, OtaUploadCheck } from "../../modules/network/ota-upload";
import { routeRequest } from "../../modules/network/portal";
import { handleSetupApi } from "../../modules/network/setup-api";
import { SETUP_PAGE_HTML } from "../../modules/network/setup-page";
import { backoffDelayMs, WifiSupervisor, type WifiCommand } from "../../modules/network/wifi-supervisor";
import { deepFreeze } from "../../modules/shelly/fields";
import { deepEqual, equal, ok, test, throws } from "./harness";

const kinds = (commands: readonly WifiCommand[]) => commands.map((c) => c.kind).join(",");

test("wifi: boot, timeout with backoff, portal after two minutes, access point off after reconnecting", () => {
  const s = new WifiSupervisor(true);
  equal(kinds(s.start(0)), "connect");
  const seen: string[] = [];
  for (let t = 1000; t <= 130_000; t += 1000) for (const c of s.tick(t)) seen.push(t + ":" + c.kind);
  deepEqual(seen.slice(0, 4), ["30000:disconnect", "32000:connect", "62000:disconnect", "66000:connect"]);
  ok(seen.includes("120000:apOn"), seen.join(" "));
  s.station("gotIP", 131_000);
  equal(kinds(s.tick(131_000 + 59_000)), "");
  equal(kinds(s.tick(131_000 + 60_000)), "apOff");
  equal(backoffDelayMs(30, { backoffMinMs: 2000, backoffMaxMs: 300_000 }), 300_000);
});

test("wifi: no credentials → portal; credentials from the portal → join", () => {
  const s = new WifiSupervisor(false);
  equal(kinds(s.start(0)), "apOn");
  equal(kinds(s.setCredentials(true, 5000)), "connect");
  equal(kinds(s.station("disconnect", 6000, -1)), "disconnect");
  equal(s.snapshot().lastFailure, "rejected");
});

test("portal: probes of AP clients redirect, the home network does not", () => {
  const ctx = { apOn: true, apAddress: "192.168.4.1", ownHosts: ["shellypro3em-aabbccddeeff.local"] };
  deepEqual(routeRequest("/generate_204", "connectivitycheck.gstatic.com", "192.168.4.2", ctx), { kind: "redirect", location: "http://192.168.4.1/setup" });
  equal(routeRequest("/generate_204", "connectivitycheck.gstatic.com", "192.168.1.9", ctx).kind, "other");
  equal(routeRequest("/setup", "192.168.4.1", "192.168.4.2", ctx).kind, "setup-page");
});

test("setup API: join on new credentials, errors per field, hashed admin password", () => {
  const base = { status: { station: "off", apOn: true, ssid: "", ip: "", apSsid: "x", apIp: "192.168.4.1", failure: null, deviceId: "d", meter: "ok", firmware: "f", uptimeS: 1 }, scan: { scanning: false, networks: [] }, scanAgeMs: 0 };
  const req = { name: "settings", method: "POST", authorized: true, crossSite: null, salt: "0011223344556677" };
  const join = handleSetupApi({ ...req, body: '{"wifi.ssid":"Home","wifi.password":"12345678"}' }, { ...base, values: defaultValues() });
  equal(join.status, 200);
  equal(join.action.kind === "save" ? join.action.effect : "", "join");
  const bad = handleSetupApi({ ...req, body: '{"meter.baud":5}' }, { ...base, values: defaultValues() });
  equal(bad.status, 400);
  ok(JSON.parse(bad.body).errors["meter.baud"]);
  const admin = handleSetupApi({ ...req, body: '{"admin.password":"geheim123"}' }, { ...base, values: defaultValues() });
  ok(admin.action.kind === "save" && String(admin.action.values["admin.password"]).startsWith("s256i$"));
  // The record the device stores goes through JSON.stringify: no preloaded object may be in it.
  if (join.action.kind === "save") ok(JSON.stringify({ version: 1, values: join.action.values }).length > 100);
});

test("setup page: built from the schema at load time", () => {
  ok(SETUP_PAGE_HTML.includes('name="wifi.ssid"'));
  ok(SETUP_PAGE_HTML.length < 12_000);
});

test("settings record: chunks round trip, damage reads as none, defaults then", () => {
  const map = new Map<string, string>();
  const store: KeyValueStore = { get: (k) => map.get(k), set: (k, v) => void map.set(k, v), delete: (k) => void map.delete(k) };
  const text = JSON.stringify({ version: 1, values: { "wifi.ssid": "Ünïcode ✓" }, shelly: null }) + " ".repeat(2500);
  ok(writeRecord(store, text));
  const read = readRecord(store);
  ok(read.ok && read.text === text);
  equal(writeRecord(store, text), false);
  map.set((map.get("hdr") as string)[0] + "1", "tampered");
  const damaged = readRecord(store);
  ok(!damaged.ok);
  equal(loadSettings(migrateRecord(null).record).values["wifi.ssid"], "");
  deepEqual(migrateRecord({ "wifi.ssid": "x" }).steps, ["0→1"]);
});

test("tables: deepFreeze freezes nested data on XS; the schema is frozen, the page gets a copy; no prototype lookups", () => {
  const bytes = Uint8Array.of(1);
  const table = deepFreeze({ list: [{ a: 1 }], bytes, get: () => 1 });
  ok(Object.isFrozen(table) && Object.isFrozen(table.list) && Object.isFrozen(table.list[0]));
  bytes[0] = 2;
  equal(bytes[0], 2);
  throws(() => ((table.list as { a: number }[])[0].a = 2), TypeError);
  ok(Object.isFrozen(SCHEMA) && Object.isFrozen(SCHEMA[3]) && Object.isFrozen(SCHEMA[3].choices));
  const page = schemaForPage();
  ok(!Object.isFrozen(page[3]) && !Object.isFrozen(page[3].choices));
  ok(JSON.stringify(page).length > 1000);
  equal(fieldSpec("constructor"), undefined);
  deepEqual(applyChanges(defaultValues(), { toString: 1 }), { ok: false, errors: { toString: 'Unknown setting "toString".' } });
});

test("7E1 and the OTA image check", () => {
  const line = Uint8Array.from("1-0:1.8.0*255(001234.5678*kWh)", (c) => c.charCodeAt(0));
  const copy = line.slice();
  add7E1Parity(copy);
  equal(strip7E1(copy), 0);
  deepEqual(Array.from(copy), Array.from(line));
  const check = new OtaUploadCheck({ declaredLength: 32, maxBytes: 100, chipId: 0 });
  equal(check.begin(), null);
  const image = new Uint8Array(32);
  image[0] = ESP_IMAGE_MAGIC;
  equal(check.push(image), null);
  equal(check.finish(), null);
  const wrong = new OtaUploadCheck({ declaredLength: 32, maxBytes: 100, chipId: 5 });
  ok((wrong.push(image) ?? "").includes("esp32"));
});
