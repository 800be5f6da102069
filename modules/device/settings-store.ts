// Settings in flash through Moddable's `preference` (NVS on ESP32, a JSON file on the
// simulator): the schema's values plus the Shelly-side settings, as one versioned JSON
// record in chunks (modules/config/record-store). Loading never fails: anything damaged
// falls back to defaults, which means the setup access point.

import Preference from "preference";
import { migrateRecord } from "../config/migration";
import { eraseRecord, readRecord, writeRecord, type KeyValueStore } from "../config/record-store";
import { loadSettings, settingsRecord, type SettingValues } from "../config/schema";

/** NVS namespaces are limited to 15 characters. */
const DOMAIN = "ir2shelly";

class PreferenceStore implements KeyValueStore {
  get(key: string): string | undefined {
    const value = Preference.get(DOMAIN, key);
    return typeof value === "string" ? value : undefined;
  }
  set(key: string, value: string): void {
    Preference.set(DOMAIN, key, value);
  }
  delete(key: string): void {
    Preference.delete(DOMAIN, key);
  }
}

export interface StoredSettings {
  values: SettingValues;
  shelly: unknown;
  /** What was wrong with the stored record (empty when it was fine or absent). */
  problems: string[];
  /** Keys the record held with a valid value (the others are defaults). */
  storedKeys: string[];
}

export class SettingsStore {
  private readonly store = new PreferenceStore();

  load(): StoredSettings {
    const read = readRecord(this.store);
    if (!read.ok) {
      const loaded = loadSettings(null);
      return { values: loaded.values, shelly: null, problems: read.problem === null ? [] : [read.problem], storedKeys: [] };
    }
    let raw: unknown;
    try {
      raw = JSON.parse(read.text);
    } catch {
      return { values: loadSettings(null).values, shelly: null, problems: ["settings record is not JSON"], storedKeys: [] };
    }
    const migrated = migrateRecord(raw);
    const loaded = loadSettings(migrated.record);
    const problems = loaded.problems.slice();
    for (const step of migrated.steps) problems.push("settings migrated " + step);
    const record = migrated.record as { shelly?: unknown; values?: unknown } | null;
    const shelly = record?.shelly ?? null;
    const storedKeys: string[] = [];
    const stored = record?.values;
    if (typeof stored === "object" && stored !== null) {
      for (const key of Object.keys(stored)) if (key in loaded.values && !problems.some((p) => p.startsWith(key + ":"))) storedKeys.push(key);
    }
    return { values: loaded.values, shelly, problems, storedKeys };
  }

  /** Writes the record when it differs from the stored one; returns whether it wrote. */
  save(values: SettingValues, shelly: unknown): boolean {
    const record = settingsRecord(values) as { version: number; values: SettingValues; shelly?: unknown };
    record.shelly = shelly;
    return writeRecord(this.store, JSON.stringify(record));
  }

  /** Factory reset: every key of our domain. */
  erase(): void {
    eraseRecord(this.store);
    for (const key of Preference.keys(DOMAIN)) Preference.delete(DOMAIN, key);
  }
}
