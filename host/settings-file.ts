// The host's settings file: the schema's values plus the Shelly-side settings (changed by
// consumers through Set* calls). Written atomically; a damaged file never stops the start.

import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadSettings, settingsRecord, type SettingValues } from "../modules/config/schema";

export interface HostSettings {
  values: SettingValues;
  /** Shelly-side settings as the emulation stores them (opaque here). */
  shelly: unknown;
}

export function defaultSettingsPath(): string {
  const base = process.env.XDG_CONFIG_HOME || path.join(os.homedir(), ".config");
  return path.join(base, "ir2shelly", "settings.json");
}

export class SettingsFile {
  constructor(readonly file: string, private readonly log: (line: string) => void) {}

  load(): HostSettings {
    let raw: unknown = null;
    try {
      raw = JSON.parse(readFileSync(this.file, "utf8"));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "ENOENT") this.log(`settings file ${this.file} is unreadable (${(error as Error).message}); using defaults`);
    }
    const record = (raw ?? {}) as { shelly?: unknown };
    const { values, problems } = loadSettings(raw);
    for (const problem of problems) this.log(`settings: ${problem}`);
    return { values, shelly: record.shelly ?? null };
  }

  /** Atomic write: a crash mid-write leaves the previous file intact. */
  save(settings: HostSettings): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ ...settingsRecord(settings.values), shelly: settings.shelly }, null, 2) + "\n");
    renameSync(tmp, this.file);
  }
}

/** A random, locally administered unicast MAC (first byte x2, x6, xA or xE), upper-case hex. */
export function generateMac(): string {
  const bytes = randomBytes(6);
  bytes[0] = (bytes[0] & 0xfc) | 0x02;
  return bytes.toString("hex").toUpperCase();
}
