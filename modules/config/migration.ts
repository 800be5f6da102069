// Brings a stored settings record to the current SETTINGS_VERSION before loadSettings reads
// it. One step per version, so that a device updated over several releases walks the chain.
// Records from a newer firmware (after a downgrade) are passed on as they are: loadSettings
// then keeps every value it still understands and reports the rest.
//
// Version history
//   0  early development builds: the values object itself, without {version, values}
//   1  { version: 1, values: {…}, shelly: {…} }

import { SETTINGS_VERSION } from "./schema";

export interface MigrationResult {
  /** The record in the current layout (or as it was, when it cannot be migrated). */
  record: unknown;
  /** Version the record had (0 for the unversioned layout), or null when unreadable. */
  from: number | null;
  /** Steps applied, e.g. ["0→1"]. */
  steps: string[];
}

type Step = (record: Record<string, unknown>) => Record<string, unknown>;

/** STEPS[n] turns a version-n record into version n+1. */
const STEPS: readonly Step[] = Object.freeze([
  (flat) => ({ version: 1, values: flat, shelly: null }),
]);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function migrateRecord(raw: unknown): MigrationResult {
  if (!isObject(raw)) return { record: raw, from: null, steps: [] };
  let version: number;
  if (raw.version === undefined && raw.values === undefined) version = 0;
  else if (typeof raw.version === "number" && Number.isInteger(raw.version) && raw.version >= 0) version = raw.version;
  else return { record: raw, from: null, steps: [] };
  const from = version;
  const steps: string[] = [];
  let record = raw;
  while (version < SETTINGS_VERSION && version < STEPS.length) {
    record = STEPS[version](record);
    steps.push(version + "→" + (version + 1));
    version++;
  }
  return { record, from, steps };
}
