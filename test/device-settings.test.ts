// Settings on the device: the chunked record in the key/value store (modules/config/
// record-store), migration of old records (migration), 7E1 over an 8N1 UART
// (serial-format), and the manifest that has to list every core module for the firmware.

import test from "ava";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { migrateRecord } from "../modules/config/migration";
import { checksum, eraseRecord, HEADER_KEY, readRecord, RECORD_CHUNK_CHARS, RECORD_MAX_CHARS, writeRecord, type KeyValueStore } from "../modules/config/record-store";
import { defaultValues, loadSettings, SETTINGS_VERSION } from "../modules/config/schema";
import { add7E1Parity, evenParityOk, strip7E1 } from "../modules/config/serial-format";

class MemoryStore implements KeyValueStore {
  readonly map = new Map<string, string>();
  writes = 0;
  get(key: string): string | undefined {
    return this.map.get(key);
  }
  set(key: string, value: string): void {
    if (key.length > 15) throw new Error("NVS keys are at most 15 characters");
    if (value.length * 3 > 4000) throw new Error("NVS values are at most 4000 bytes");
    this.writes++;
    this.map.set(key, value);
  }
  delete(key: string): void {
    this.map.delete(key);
  }
}

const record = (ssid: string) => JSON.stringify({ version: 1, values: { ...defaultValues(), "wifi.ssid": ssid }, shelly: null });

test("a fresh store has no record and no problem", (t) => {
  t.deepEqual(readRecord(new MemoryStore()), { ok: false, problem: null });
});

test("write and read back, small and chunked", (t) => {
  const store = new MemoryStore();
  t.true(writeRecord(store, record("Home")));
  const read = readRecord(store);
  t.true(read.ok && read.text === record("Home"));
  const big = "x".repeat(RECORD_CHUNK_CHARS * 3 + 17);
  t.true(writeRecord(store, big));
  const back = readRecord(store);
  t.true(back.ok && back.text === big);
  t.regex(store.get(HEADER_KEY) ?? "", /^[ab]:4:3017:[0-9a-f]{8}$/);
});

test("an unchanged record is not written again (flash wear)", (t) => {
  const store = new MemoryStore();
  writeRecord(store, record("Home"));
  const writes = store.writes;
  t.false(writeRecord(store, record("Home")));
  t.is(store.writes, writes);
});

test("saves alternate banks; a save cut off before the header keeps the old record", (t) => {
  const store = new MemoryStore();
  writeRecord(store, record("Old"));
  const header = store.get(HEADER_KEY);
  // A power cut after the chunks but before the header: simulate by restoring the old header.
  writeRecord(store, record("New"));
  t.not(store.get(HEADER_KEY)?.[0], header?.[0], "the other bank");
  store.set(HEADER_KEY, header as string);
  const read = readRecord(store);
  t.true(read.ok && read.text === record("Old"));
});

test("damage reads as no record, with the reason", (t) => {
  const store = new MemoryStore();
  writeRecord(store, "y".repeat(RECORD_CHUNK_CHARS + 5));
  const bank = (store.get(HEADER_KEY) as string)[0];
  store.set(bank + "1", "z".repeat(5));
  t.deepEqual(readRecord(store), { ok: false, problem: "settings record is incomplete or damaged" });
  store.delete(bank + "1");
  t.deepEqual(readRecord(store), { ok: false, problem: "settings chunk 1 is missing" });
  store.set(HEADER_KEY, "garbage");
  t.deepEqual(readRecord(store), { ok: false, problem: "settings header is damaged" });
  store.set(HEADER_KEY, "a:99:5:00000000");
  t.false(readRecord(store).ok, "absurd chunk counts are refused");
});

test("a shorter record removes the leftover chunks of its bank; erase removes everything", (t) => {
  const store = new MemoryStore();
  writeRecord(store, "a".repeat(RECORD_CHUNK_CHARS * 3));
  writeRecord(store, "b".repeat(RECORD_CHUNK_CHARS * 2));
  writeRecord(store, "c".repeat(10)); // back in the first bank: its chunks 1 and 2 go
  const bank = (store.get(HEADER_KEY) as string)[0];
  t.is(store.get(bank + "1"), undefined);
  t.is(store.get(bank + "2"), undefined);
  eraseRecord(store);
  t.is(store.map.size, 0);
});

test("records that cannot be stored are refused", (t) => {
  t.throws(() => writeRecord(new MemoryStore(), ""), { instanceOf: RangeError });
  t.throws(() => writeRecord(new MemoryStore(), "x".repeat(RECORD_MAX_CHARS + 1)), { instanceOf: RangeError });
});

test("checksum: FNV-1a, 8 hex digits", (t) => {
  t.is(checksum(""), "811c9dc5");
  t.is(checksum("a"), "e40c292c");
  t.not(checksum("ab"), checksum("ba"));
});

test("migration: the unversioned layout becomes version 1", (t) => {
  const flat = { "wifi.ssid": "Home", "meter.baud": 9600 };
  const m = migrateRecord(flat);
  t.is(m.from, 0);
  t.deepEqual(m.steps, ["0→1"]);
  t.deepEqual(m.record, { version: 1, values: flat, shelly: null });
  const loaded = loadSettings(m.record);
  t.is(loaded.values["wifi.ssid"], "Home");
  t.deepEqual(loaded.problems, []);
});

test("migration: current records pass unchanged; newer and unreadable ones are left to loadSettings", (t) => {
  const current = { version: SETTINGS_VERSION, values: { "wifi.ssid": "x" }, shelly: { name: "n" } };
  t.deepEqual(migrateRecord(current), { record: current, from: SETTINGS_VERSION, steps: [] });
  const newer = { version: SETTINGS_VERSION + 1, values: {} };
  t.is(migrateRecord(newer).from, SETTINGS_VERSION + 1);
  t.deepEqual(migrateRecord(newer).steps, []);
  t.is(migrateRecord("junk").from, null);
  t.is(migrateRecord(null).from, null);
  t.is(migrateRecord({ version: "1" }).from, null);
  t.is(loadSettings(migrateRecord(null).record).values["wifi.ssid"], "", "defaults: the device opens its access point");
});

test("7E1 over an 8N1 UART: parity in bit 7 is checked and stripped", (t) => {
  t.true(evenParityOk(0x00));
  t.false(evenParityOk(0x01));
  t.true(evenParityOk(0x81));
  const text = Uint8Array.from("/ISk5MT174-0001\r\n", (c) => c.charCodeAt(0));
  const line = text.slice();
  add7E1Parity(line);
  t.true(line.some((b) => b >= 0x80), "some characters carry a parity bit");
  t.true(line.every((b) => evenParityOk(b)));
  t.is(strip7E1(line), 0);
  t.deepEqual(line, text);
  const bad = Uint8Array.of(0x41 | 0x80, 0x42); // 'A' has two ones: parity 0 is right; 'B' too
  t.is(strip7E1(bad), 1);
  t.deepEqual([...bad], [0x41, 0x42]);
  const part = Uint8Array.of(0xc3, 0xc3, 0xc3);
  t.is(strip7E1(part, 1, 2), 0);
  t.deepEqual([...part], [0xc3, 0x43, 0xc3], "only the given range");
});

// ---- the firmware manifest ----

const root = path.resolve(import.meta.dirname, "..");

function coreModules(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(path.join(root, dir))) {
    const rel = dir + "/" + name;
    if (statSync(path.join(root, rel)).isDirectory()) {
      if (rel !== "modules/device/platform" && rel !== "modules/web/src") out.push(...coreModules(rel));
    } else if (name.endsWith(".ts") && !name.endsWith(".d.ts")) out.push(rel.slice(0, -3));
  }
  return out;
}

test("manifest.json maps and preloads every module of the firmware", (t) => {
  const manifest = JSON.parse(readFileSync(path.join(root, "manifest.json"), "utf8"));
  const modules = [...coreModules("sml"), ...coreModules("modules")];
  const preload = new Set<string>(manifest.preload);
  for (const m of modules) {
    const folder = m.slice(0, m.lastIndexOf("/"));
    t.is(manifest.modules[folder + "/*"], "./" + folder + "/*", `${folder}/* is mapped (for ${m})`);
    t.true(preload.has(m), `${m} is preloaded (else it loads into RAM at run time)`);
  }
  t.true(preload.has("device-platform"));
  for (const p of ["lin", "esp32", "esp32/esp32c3", "esp32/esp32s3"]) t.truthy(manifest.platforms[p], p);
  const types: string[] = manifest.typescript.tsconfig.compilerOptions.types;
  for (const f of readdirSync(path.join(root, "types"))) {
    if (f.endsWith(".d.ts") && f !== "globals.d.ts") t.true(types.includes("./types/" + f.slice(0, -5)), `types/${f} is given to mcconfig's tsc`);
  }
});
