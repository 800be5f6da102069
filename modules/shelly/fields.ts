// Field tables: one declaration per status/config field gives its key, its place in the
// key order, how it is printed (decimals) and, for config, whether and how a peer may
// change it. Writers and SetConfig both walk the same tables.

import type { GridView } from "../meter/grid-view";
import type { ShellyFeatures, ShellyHost } from "./host";
import type { DeviceIdentity } from "./identity";
import { formatFixed, formatNumber, quoteJsonString, type JsonWriter } from "./json-writer";
import { isPlainObject } from "./json-input";
import type { ShellySettings } from "./settings";

/**
 * Freezes a constant table and every object and array inside it, and returns it. On the
 * device the modules are preloaded: a frozen table stays in flash, an unfrozen one is copied
 * to RAM at start-up. XS's `Object.freeze(o, true)` would do the same there, but Node ignores
 * the second argument. Functions and typed arrays are left alone (XS's linker freezes the
 * functions of preloaded modules; a typed array with elements cannot be frozen). Tables are
 * trees: no cycles. Note that XS's JSON.stringify refuses a table in flash: serialise a copy.
 */
export function deepFreeze<T>(table: T): T {
  if (typeof table !== "object" || table === null || ArrayBuffer.isView(table)) return table;
  const values = Object.values(table as object) as unknown[];
  for (let i = 0; i < values.length; i++) deepFreeze(values[i]);
  return Object.freeze(table);
}

/** Everything a field getter may read. */
export interface FieldContext {
  readonly identity: DeviceIdentity;
  readonly host: ShellyHost;
  readonly settings: ShellySettings;
  readonly features: ShellyFeatures;
  /** Fresh grid data; only read by meter components, which are never written without it. */
  readonly view: GridView | null;
  readonly restartRequired: boolean;
}

/**
 * - fixed: number with `decimals` digits (null allowed)
 * - number: number in shortest form (integers, coordinates)
 * - string, bool: as named (null allowed)
 * - raw: the getter returns JSON text
 * - object: nested `fields`
 */
export type FieldKind = "fixed" | "number" | "string" | "bool" | "raw" | "object";

/** Accepts a new value into the draft; returns why not, or null when accepted. */
export type FieldSetter = (draft: ShellySettings, value: unknown, c: FieldContext) => string | null;

export interface Field {
  readonly key: string;
  readonly kind: FieldKind;
  readonly decimals?: number;
  /** Current value; `undefined` leaves the key out (optional fields). */
  readonly get?: (c: FieldContext) => unknown;
  readonly fields?: readonly Field[];
  /** Present on writable config fields. */
  readonly set?: FieldSetter;
  /** Accepted changes to this field need a restart (SetConfig answers restart_required). */
  readonly restart?: boolean;
  /** Settable but never reported (passwords). */
  readonly writeOnly?: boolean;
  /** Why a different value is refused, for read-only fields we show but cannot change. */
  readonly fixedReason?: string;
}

/** Writes the fields of one object (without its braces). */
export function writeFields(w: JsonWriter, fields: readonly Field[], c: FieldContext): void {
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    if (f.writeOnly) continue;
    if (f.kind === "object") {
      w.key(f.key).beginObject();
      writeFields(w, f.fields ?? [], c);
      w.endObject();
      continue;
    }
    const v = f.get ? f.get(c) : undefined;
    if (v === undefined) continue;
    w.key(f.key);
    writeValue(w, f, v);
  }
}

function writeValue(w: JsonWriter, f: Field, v: unknown): void {
  if (v === null) {
    w.null();
    return;
  }
  switch (f.kind) {
    case "fixed":
      w.fixed(v as number, f.decimals ?? 0);
      break;
    case "number":
      w.number(v as number);
      break;
    case "string":
      w.string(v as string);
      break;
    case "bool":
      w.bool(v as boolean);
      break;
    case "raw":
      w.raw(v as string);
      break;
    default:
      w.null();
  }
}

/** Canonical text of a value as this field would print it; null when the type does not fit. */
function canonical(f: Field, v: unknown): string | null {
  if (v === null) return "null";
  switch (f.kind) {
    case "fixed":
      return typeof v === "number" ? formatFixed(v, f.decimals ?? 0) : null;
    case "number":
      return typeof v === "number" ? formatNumber(v) : null;
    case "string":
      return typeof v === "string" ? quoteJsonString(v) : null;
    case "bool":
      return typeof v === "boolean" ? (v ? "true" : "false") : null;
    case "raw":
      return typeof v === "object" ? JSON.stringify(v) : null;
    default:
      return null;
  }
}

export interface ConfigChange {
  /** Why the change is refused, or null when every field was accepted into the draft. */
  error: string | null;
  restartRequired: boolean;
}

/**
 * Applies a SetConfig `config` object to `draft` through the field table. Unknown keys,
 * values of the wrong type and changes to read-only fields are refused; read-only fields
 * sent back unchanged (a GetConfig → edit → SetConfig round trip) are accepted.
 */
export function applyConfig(
  fields: readonly Field[],
  input: unknown,
  draft: ShellySettings,
  c: FieldContext,
  path: string,
): ConfigChange {
  const change: ConfigChange = { error: null, restartRequired: false };
  applyInto(fields, input, draft, c, path, change);
  return change;
}

function applyInto(
  fields: readonly Field[],
  input: unknown,
  draft: ShellySettings,
  c: FieldContext,
  path: string,
  change: ConfigChange,
): void {
  if (!isPlainObject(input)) {
    change.error = "Invalid argument '" + path + "': expected an object";
    return;
  }
  for (const key of Object.keys(input)) {
    const here = path + "." + key;
    let f: Field | null = null;
    for (let i = 0; i < fields.length; i++) {
      if (fields[i].key === key) {
        f = fields[i];
        break;
      }
    }
    if (f === null) {
      change.error = "Unsupported setting '" + here + "'";
      return;
    }
    const value = input[key];
    if (f.kind === "object") {
      applyInto(f.fields ?? [], value, draft, c, here, change);
      if (change.error !== null) return;
      continue;
    }
    if (f.set) {
      const reason = f.set(draft, value, c);
      if (reason !== null) {
        change.error = "Invalid value for '" + here + "': " + reason;
        return;
      }
      if (f.restart) change.restartRequired = true;
      continue;
    }
    const current = f.get ? f.get(c) : undefined;
    const now = current === undefined ? null : f.kind === "raw" ? (current as string) : canonical(f, current);
    if (now === null || canonical(f, value) !== now) {
      change.error = "Setting '" + here + "' cannot be changed" + (f.fixedReason ? ": " + f.fixedReason : "");
      return;
    }
  }
}

// Setter helpers: each checks the value and stores it, or says what was expected.
// The setters close over const copies of the numbers: in a preloaded table a closure over a
// parameter (a variable binding) needs a RAM slot on the device, one over a const does not
// (the linker xsl reports the others as "no const"). Closures over functions are const anyway.

export function nullableString(maxLength: number, store: (d: ShellySettings, v: string | null) => void): FieldSetter {
  const limit = maxLength;
  return (d, v) => {
    if (v !== null && typeof v !== "string") return "expected a string or null";
    if (typeof v === "string" && v.length > limit) return "longer than " + limit + " characters";
    store(d, v);
    return null;
  };
}

export function requiredString(maxLength: number, store: (d: ShellySettings, v: string) => void): FieldSetter {
  const limit = maxLength;
  return (d, v) => {
    if (typeof v !== "string") return "expected a string";
    if (v.length > limit) return "longer than " + limit + " characters";
    store(d, v);
    return null;
  };
}

export function boolean(store: (d: ShellySettings, v: boolean) => void): FieldSetter {
  return (d, v) => {
    if (typeof v !== "boolean") return "expected true or false";
    store(d, v);
    return null;
  };
}

export function nullableNumber(min: number, max: number, store: (d: ShellySettings, v: number | null) => void): FieldSetter {
  const low = min;
  const high = max;
  return (d, v) => {
    if (v !== null && (typeof v !== "number" || !isFinite(v))) return "expected a number or null";
    if (typeof v === "number" && (v < low || v > high)) return "out of range " + low + ".." + high;
    store(d, v);
    return null;
  };
}
