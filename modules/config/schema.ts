// The one settings schema: it drives validation, defaults, the settings page and the docs,
// on the device and on the host alike. A settings record is plain JSON:
//   { "version": 1, "values": { "<key>": <value>, … } }
// Hashed secrets (the admin password) are stored only as a salted hash (./password): a
// changed value arrives as the typed password and applyChanges stores its hash.

import { hashPassword, isPasswordHash } from "./password";
import { deepFreeze } from "../shelly/fields";
import { sha256Hex } from "../shelly/sha256";

export type FieldType = "int" | "bool" | "enum" | "string" | "secret" | "mac" | "ports";

export interface FieldSpec {
  readonly key: string;
  readonly type: FieldType;
  readonly label: string;
  readonly help: string;
  /** Group on the settings page. */
  readonly group: "wifi" | "meter" | "emulation" | "admin";
  readonly default: Readonly<SettingValue>;
  readonly min?: number;
  readonly max?: number;
  /** For enums, and for ints with a fixed list of allowed values. */
  readonly choices?: readonly (string | number)[];
  /** Words for the choices on the settings page, in the same order (default: the values). */
  readonly choiceLabels?: readonly string[];
  /** Strings: maximum length. Secrets: minimum and maximum length (0 = may be empty). */
  readonly minLength?: number;
  readonly maxLength?: number;
  /** A change takes effect only after a restart. */
  readonly restart: boolean;
  /** Secrets only: stored as a salted hash (./password), never as typed; write-only. */
  readonly hashed?: boolean;
}

export type SettingValue = number | boolean | string | number[];
export type SettingValues = Record<string, SettingValue>;

export const SETTINGS_VERSION = 1;

/** Frozen (deepFreeze): on the device it stays in flash; the page gets a copy (schemaForPage). */
export const SCHEMA: readonly FieldSpec[] = deepFreeze([
  { key: "wifi.ssid", type: "string", group: "wifi", label: "WiFi network", help: "Name (SSID) of the network to join; empty = stay in setup mode.", default: "", maxLength: 32, restart: true },
  { key: "wifi.password", type: "secret", group: "wifi", label: "WiFi password", help: "Empty for an open network, otherwise 8 to 63 characters.", default: "", minLength: 0, maxLength: 63, restart: true },
  { key: "meter.protocol", type: "enum", group: "meter", label: "Meter protocol", help: "SML push (most German smart meters).", default: "sml", choices: ["sml"], restart: true },
  { key: "meter.baud", type: "int", group: "meter", label: "Baud rate", help: "SML meters send at 9600 baud.", default: 9600, choices: [300, 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200], restart: true },
  { key: "meter.format", type: "enum", group: "meter", label: "Serial format", help: "8N1 for SML meters. 7E1 is the format of IEC 62056-21 (D0) meters, which ir2shelly does not decode yet.", default: "8N1", choices: ["8N1", "7E1"], restart: true },
  { key: "meter.rxPin", type: "int", group: "meter", label: "RX pin", help: "ESP32 GPIO wired to the read head's TX (data from the meter).", default: 16, min: 0, max: 48, restart: true },
  { key: "meter.txPin", type: "int", group: "meter", label: "TX pin", help: "ESP32 GPIO wired to the read head's RX (unused by push meters).", default: 17, min: 0, max: 48, restart: true },
  { key: "meter.powerSign", type: "enum", group: "meter", label: "Power sign", help: "auto: trust the meter except known firmware bugs; signed/unsigned: force.", default: "auto", choices: ["auto", "signed", "unsigned"], choiceLabels: ["auto", "signed (as sent)", "unsigned (DZG sign bug)"], restart: true },
  { key: "emulation.mac", type: "mac", group: "emulation", label: "Device MAC", help: "12 hex digits; the Shelly id is shellypro3em-<mac>. Empty = the board's own MAC (ESP32), or one generated once and kept (computer).", default: "", restart: true },
  { key: "emulation.staleAfterS", type: "int", group: "emulation", label: "Stale after (s)", help: "Without a valid frame for this long, meter values answer an error instead of old numbers.", default: 10, min: 2, max: 3600, restart: false },
  { key: "emulation.phaseMode", type: "enum", group: "emulation", label: "Phase mapping", help: "Where the total goes when the meter sends no per-phase power: all on phase A, or split evenly.", default: "a", choices: ["a", "split"], choiceLabels: ["all on phase A", "split evenly"], restart: false },
  { key: "emulation.udpPorts", type: "ports", group: "emulation", label: "UDP RPC ports", help: "JSON-RPC over UDP (Marstek: 1010 for B2500 firmware ≤ 224, 2220 for newer). Empty = off.", default: [1010, 2220], restart: true },
  { key: "emulation.gen1", type: "bool", group: "emulation", label: "Gen1 API", help: "Answer /status and /emeter/N for consumers that speak only Gen1.", default: true, restart: false },
  { key: "emulation.mdns", type: "bool", group: "emulation", label: "mDNS", help: "Announce the device as _http._tcp and _shelly._tcp.", default: true, restart: true },
  { key: "admin.password", type: "secret", group: "admin", label: "Admin password", help: "Protects settings, update and restart (user admin). Empty = no password. Stored only as a salted hash.", default: "", minLength: 0, maxLength: 64, restart: false, hashed: true },
]);

/** The specs by key, without a prototype: "constructor" or "__proto__" is no setting. */
const BY_KEY = Object.create(null) as Record<string, FieldSpec | undefined>;
for (const spec of SCHEMA) BY_KEY[spec.key] = spec;
Object.freeze(BY_KEY);

export function fieldSpec(key: string): FieldSpec | undefined {
  return BY_KEY[key];
}

/**
 * The schema as plain, unfrozen objects, for a page to receive as JSON: on the device SCHEMA
 * is preloaded into flash, and XS's JSON.stringify refuses such read-only objects.
 */
export function schemaForPage(): FieldSpec[] {
  return SCHEMA.map((spec) => ({
    ...spec,
    default: Array.isArray(spec.default) ? spec.default.slice() : spec.default,
    ...(spec.choices ? { choices: spec.choices.slice() } : {}),
    ...(spec.choiceLabels ? { choiceLabels: spec.choiceLabels.slice() } : {}),
  }));
}

/** Values for a page: secrets replaced by "", plus which secrets are set. */
export function publicValues(values: SettingValues): { values: SettingValues; secretsSet: Record<string, boolean> } {
  const out: SettingValues = {};
  const secretsSet: Record<string, boolean> = {};
  for (const spec of SCHEMA) {
    const v = values[spec.key];
    if (spec.type === "secret") {
      out[spec.key] = "";
      secretsSet[spec.key] = typeof v === "string" && v !== "";
    } else out[spec.key] = Array.isArray(v) ? v.slice() : v;
  }
  return { values: out, secretsSet };
}

export function defaultValues(): SettingValues {
  const out: SettingValues = {};
  for (const spec of SCHEMA) out[spec.key] = typeof spec.default === "object" ? spec.default.slice() : spec.default;
  return out;
}

/** Checks one value against its field. Returns an error sentence, or null when valid. */
export function validateField(spec: FieldSpec, value: unknown): string | null {
  switch (spec.type) {
    case "int": {
      if (typeof value !== "number" || !Number.isInteger(value)) return `${spec.label} must be a whole number.`;
      if (spec.choices && !spec.choices.includes(value)) return `${spec.label} must be one of ${spec.choices.join(", ")}.`;
      if (spec.min !== undefined && value < spec.min) return `${spec.label} must be at least ${spec.min}.`;
      if (spec.max !== undefined && value > spec.max) return `${spec.label} must be at most ${spec.max}.`;
      return null;
    }
    case "bool":
      return typeof value === "boolean" ? null : `${spec.label} must be true or false.`;
    case "enum":
      return typeof value === "string" && spec.choices?.includes(value) ? null : `${spec.label} must be one of ${spec.choices?.join(", ")}.`;
    case "string":
      if (typeof value !== "string") return `${spec.label} must be text.`;
      if (spec.maxLength !== undefined && utf8Length(value) > spec.maxLength) return `${spec.label} must be at most ${spec.maxLength} bytes.`;
      return hasControlChars(value) ? `${spec.label} must not contain control characters.` : null;
    case "secret": {
      if (typeof value !== "string") return `${spec.label} must be text.`;
      if (spec.hashed === true && isPasswordHash(value)) return null;
      const n = utf8Length(value);
      if (spec.key === "wifi.password" && n > 0 && n < 8) return "WiFi password must be empty or 8 to 63 characters.";
      if (spec.maxLength !== undefined && n > spec.maxLength) return `${spec.label} must be at most ${spec.maxLength} characters.`;
      return hasControlChars(value) ? `${spec.label} must not contain control characters.` : null;
    }
    case "mac":
      return typeof value === "string" && (value === "" || /^[0-9A-Fa-f]{12}$/.test(value))
        ? null : `${spec.label} must be 12 hex digits (like A1B2C3D4E5F6), or empty.`;
    case "ports": {
      if (!Array.isArray(value)) return `${spec.label} must be a list of port numbers.`;
      if (value.length > 4) return `${spec.label}: at most 4 ports.`;
      const seen: number[] = [];
      for (const port of value) {
        if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535) return `${spec.label}: ${String(port)} is not a port number (1-65535).`;
        if (port === 53 || port === 80 || port === 5353) return `${spec.label}: port ${port} is used by the device itself.`;
        if (seen.includes(port)) return `${spec.label}: port ${port} is listed twice.`;
        seen.push(port);
      }
      return null;
    }
  }
}

export type ValidationResult = { ok: true; values: SettingValues } | { ok: false; errors: Record<string, string> };

export interface ApplyOptions {
  /** Salt (hex, 8 to 64 digits) for hashing a new password; best random. Default: derived from the record. */
  salt?: string;
}

/**
 * Applies `changes` to `current` when every changed field is valid; otherwise reports
 * every invalid field and changes nothing. Unknown keys are refused. A typed password for
 * a hashed secret is stored as its hash ("" stays "": no password).
 */
export function applyChanges(current: SettingValues, changes: Record<string, unknown>, options?: ApplyOptions): ValidationResult {
  const errors: Record<string, string> = {};
  const next: SettingValues = { ...current };
  for (const key of Object.keys(changes)) {
    const spec = BY_KEY[key];
    if (!spec) {
      errors[key] = `Unknown setting "${key}".`;
      continue;
    }
    const error = validateField(spec, changes[key]);
    if (error !== null) errors[key] = error;
    else next[key] = storedForm(spec, changes[key] as SettingValue, current, options?.salt);
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, values: next };
}

/** A valid value as it is stored: hashed secrets as their hash, everything else as given. */
function storedForm(spec: FieldSpec, value: SettingValue, record: SettingValues, salt: string | undefined): SettingValue {
  if (spec.hashed !== true || typeof value !== "string" || value === "" || isPasswordHash(value)) return value;
  if (salt === undefined || !/^[0-9a-f]{8,64}$/.test(salt)) {
    // No random salt given: one unique to this device's record (its MAC is in it).
    salt = sha256Hex(spec.key + "\n" + JSON.stringify(record) + "\n" + value.length).slice(0, 16);
  }
  return hashPassword(value, salt);
}

/** True when applying these keys needs a restart. */
export function needsRestart(keys: readonly string[]): boolean {
  return keys.some((key) => BY_KEY[key]?.restart === true);
}

/**
 * Reads a stored record. Anything missing, invalid, from a newer version or unreadable
 * falls back to its default, so a damaged store never leaves the device unconfigurable.
 * `problems` lists what was dropped.
 */
export function loadSettings(raw: unknown): { values: SettingValues; problems: string[] } {
  const values = defaultValues();
  const problems: string[] = [];
  if (raw === null || raw === undefined) return { values, problems };
  if (typeof raw !== "object" || Array.isArray(raw)) return { values, problems: ["settings record is not an object"] };
  const record = raw as { version?: unknown; values?: unknown };
  if (record.version !== SETTINGS_VERSION) problems.push(`settings version ${String(record.version)} is not ${SETTINGS_VERSION}; migrated`);
  const stored = record.values;
  if (typeof stored !== "object" || stored === null || Array.isArray(stored)) {
    problems.push("settings record has no values");
    return { values, problems };
  }
  for (const [key, value] of Object.entries(stored as Record<string, unknown>)) {
    const spec = BY_KEY[key];
    if (!spec) {
      problems.push(`unknown setting ${key} dropped`);
      continue;
    }
    const error = validateField(spec, value);
    if (error !== null) problems.push(`${key}: ${error} (default used)`);
    else {
      const kept = storedForm(spec, value as SettingValue, stored as SettingValues, undefined);
      if (kept !== value) problems.push(`${key} was stored in plain text; it is hashed now (save the settings to keep only the hash)`);
      values[key] = kept;
    }
  }
  return { values, problems };
}

export function settingsRecord(values: SettingValues): { version: number; values: SettingValues } {
  return { version: SETTINGS_VERSION, values };
}

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

function hasControlChars(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) < 0x20 || s.charCodeAt(i) === 0x7f) return true;
  return false;
}

/**
 * The refusal for names no setting has (the request parser drops them, see
 * modules/shelly/json-input): null when there are none.
 */
export function unknownSettingsMessage(names: readonly string[]): string | null {
  if (names.length === 0) return null;
  const list = names.map((n) => '"' + n + '"').join(", ");
  return "Not saved: unknown setting" + (names.length > 1 ? "s " : " ") + list + ".";
}
