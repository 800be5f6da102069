// The JSON API behind the setup page (/api/setup/<name>), as pure decisions: the shell
// supplies the current values and status and carries out the action that comes back
// (store and join, store and restart, start a scan). Restart, factory reset, firmware
// update and login belong to the web interface (modules/web), whose session also
// authorizes these calls.
//
//   GET  status     where the device stands (no password needed: the page polls it)
//   GET  settings   current values; secrets blanked, with whether each is set
//   POST settings   changes as JSON {key: value}; validated by the schema
//   GET  scan       networks from the last scan (starts one when none is recent)

import { applyChanges, publicValues, unknownSettingsMessage, type SettingValue, type SettingValues } from "../config/schema";
import { isPlainObject, parseJsonBounded } from "../shelly/json-input";

export interface SetupStatus {
  station: string;
  apOn: boolean;
  /** Configured network. */
  ssid: string;
  /** Station address while connected, else "". */
  ip: string;
  apSsid: string;
  apIp: string;
  failure: string | null;
  deviceId: string;
  /** "ok", or why there are no meter values (e.g. "no valid frame for 12 s"). */
  meter: string;
  firmware: string;
  uptimeS: number;
}

export interface ScanNetwork {
  ssid: string;
  rssi: number;
  /** "none" for an open network. */
  auth: string;
}

export interface ScanView {
  scanning: boolean;
  networks: readonly ScanNetwork[];
}

/** What the change means for the running device. */
export type SaveEffect = "none" | "live" | "join" | "restart";

export type SetupAction =
  | { readonly kind: "none" }
  | { readonly kind: "save"; readonly values: SettingValues; readonly changed: readonly string[]; readonly effect: SaveEffect }
  | { readonly kind: "scan" };

export interface SetupRequest {
  /** The part after /api/setup/. */
  name: string;
  method: string;
  body: string;
  /** The admin password was proven (or none is set). */
  authorized: boolean;
  /** Why a changing request is refused (cross-site), or null (modules/web crossSiteProblem). */
  crossSite: string | null;
  /** Salt for hashing a new admin password (hex, random). */
  salt: string;
}

export interface SetupContext {
  values: SettingValues;
  status: SetupStatus;
  scan: ScanView;
  /** Milliseconds since the last scan finished (Infinity if never). */
  scanAgeMs: number;
}

export interface SetupResult {
  status: number;
  body: string;
  action: SetupAction;
}

const NONE: SetupAction = Object.freeze({ kind: "none" });
/** A scan older than this is repeated when the page asks. */
export const SCAN_MAX_AGE_MS = 20_000;
/** Settings applied without a restart: the WiFi (joined at once) and the admin password. */
const LIVE_KEYS: readonly string[] = Object.freeze(["wifi.ssid", "wifi.password", "admin.password"]);

function result(status: number, body: unknown, action: SetupAction = NONE): SetupResult {
  return { status, body: JSON.stringify(body), action };
}

function sameValue(a: SettingValue | undefined, b: SettingValue | undefined): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  return a === b;
}

/**
 * Validates changes and says what they mean: unchanged keys are dropped; WiFi changes join
 * at once, the admin password applies at once, anything else needs a restart.
 */
export function planSave(current: SettingValues, changes: Record<string, unknown>, salt?: string):
  | { ok: true; values: SettingValues; changed: string[]; effect: SaveEffect }
  | { ok: false; errors: Record<string, string> } {
  const applied = applyChanges(current, changes, salt === undefined ? undefined : { salt });
  if (!applied.ok) return applied;
  const changed: string[] = [];
  for (const key of Object.keys(changes)) if (!sameValue(current[key], applied.values[key])) changed.push(key);
  let effect: SaveEffect = "none";
  for (const key of changed) {
    if (!LIVE_KEYS.includes(key)) effect = "restart";
    else if (key.startsWith("wifi.") && effect !== "restart") effect = "join";
    else if (effect === "none") effect = "live";
  }
  return { ok: true, values: applied.values, changed, effect };
}

export function handleSetupApi(req: SetupRequest, ctx: SetupContext): SetupResult {
  const method = req.method.toUpperCase();
  const read = method === "GET" || method === "HEAD";
  if (req.name === "status") return read ? result(200, ctx.status) : result(405, { ok: false, message: "Use GET." });
  if (req.name !== "settings" && req.name !== "scan") return result(404, { ok: false, message: "No such setup call." });
  if (!read && req.crossSite !== null) return result(403, { ok: false, message: req.crossSite });
  if (!req.authorized) return result(401, { ok: false, login: true, message: "Log in with the admin password on the main page first." });
  if (req.name === "scan") {
    if (!read) return result(405, { ok: false, message: "Use GET." });
    const stale = !ctx.scan.scanning && ctx.scanAgeMs > SCAN_MAX_AGE_MS;
    return result(200, { scanning: ctx.scan.scanning || stale, networks: ctx.scan.networks }, stale ? { kind: "scan" } : NONE);
  }
  if (read) return result(200, publicValues(ctx.values));
  if (method !== "POST") return result(405, { ok: false, message: "Use GET or POST." });
  const parsed = parseJsonBounded(req.body, 4);
  if (!parsed.ok || !isPlainObject(parsed.value)) return result(400, { ok: false, message: "Send the changes as a JSON object.", errors: {} });
  const plan = planSave(ctx.values, parsed.value, req.salt);
  const unknown = parsed.unknownNames;
  if (!plan.ok || unknown.length > 0) {
    return result(400, { ok: false, message: unknownSettingsMessage(unknown) ?? "Not saved: check the marked fields.", errors: plan.ok ? {} : plan.errors, unknown });
  }
  const body = { ok: true, changed: plan.changed, effect: plan.effect };
  if (plan.changed.length === 0) return result(200, body);
  return result(200, body, { kind: "save", values: plan.values, changed: plan.changed, effect: plan.effect });
}

/**
 * Scan results for the page: strongest entry per SSID, hidden networks left out, at most
 * `limit`, strongest first.
 */
export function summarizeScan(items: readonly ScanNetwork[], limit = 20): ScanNetwork[] {
  const best = new Map<string, ScanNetwork>();
  for (const item of items) {
    if (item.ssid === "") continue;
    const seen = best.get(item.ssid);
    if (seen === undefined || item.rssi > seen.rssi) best.set(item.ssid, { ssid: item.ssid, rssi: item.rssi, auth: item.auth });
  }
  return Array.from(best.values()).sort((a, b) => b.rssi - a.rssi).slice(0, limit);
}
