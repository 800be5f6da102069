// Who the emulated device says it is (api.md §1.7).

export const PRO3EM_MODEL = "SPEM-003CEBEU";
export const PRO3EM_APP = "Pro3EM";
export const PRO3EM_ID_PREFIX = "shellypro3em";
export const PROFILE_TRIPHASE = "triphase";

/**
 * aioshelly calls `Shelly.GetComponents {dynamic_only:true}` only from this firmware date
 * on, and treats Gen2 firmware older than 20230803 as unsupported; a fw_id at or after
 * this date keeps every client on its newest code path.
 */
export const MIN_FW_DATE = 20240213;

export interface DeviceIdentityInput {
  /** 12 hex digits; ':' and '-' separators are allowed. */
  mac: string;
  /** Our firmware's version, the `ver` field (e.g. "1.2.0"). */
  version: string;
  /** `fw_id`, starting with YYYYMMDD ≥ 20240213 (see formatFirmwareId). */
  firmwareId: string;
}

export interface DeviceIdentity {
  /** `shellypro3em-<lower-case mac>`: the RPC `src`, the auth realm, the mDNS name. */
  readonly id: string;
  /** Upper-case hex, no separators. */
  readonly mac: string;
  readonly model: string;
  readonly app: string;
  readonly gen: 2;
  readonly version: string;
  readonly firmwareId: string;
  readonly profile: string;
}

/** Validates the shell's input; throws on a programming error (bad MAC, old fw_id). */
export function makeIdentity(input: DeviceIdentityInput): DeviceIdentity {
  const mac = input.mac.replace(/[:-]/g, "").toUpperCase();
  if (!/^[0-9A-F]{12}$/.test(mac)) throw new Error("MAC must be 12 hex digits: " + input.mac);
  const date = firmwareDate(input.firmwareId);
  if (date === null || date < MIN_FW_DATE) {
    throw new Error("fw_id must start with a YYYYMMDD date >= " + MIN_FW_DATE + ": " + input.firmwareId);
  }
  if (input.version.length === 0) throw new Error("version must not be empty");
  return Object.freeze({
    id: PRO3EM_ID_PREFIX + "-" + mac.toLowerCase(),
    mac,
    model: PRO3EM_MODEL,
    app: PRO3EM_APP,
    gen: 2 as const,
    version: input.version,
    firmwareId: input.firmwareId,
    profile: PROFILE_TRIPHASE,
  });
}

/** The YYYYMMDD number a fw_id starts with, or null. */
export function firmwareDate(fwId: string): number | null {
  const m = /^(\d{8})/.exec(fwId);
  return m === null ? null : parseInt(m[1], 10);
}

/**
 * A Shelly-style fw_id, `YYYYMMDD-HHMMSS/<version>[-g<commit>]`, from a build time in
 * Unix seconds (UTC).
 */
export function formatFirmwareId(buildUnixS: number, version: string, commit?: string): string {
  const days = Math.floor(buildUnixS / 86400);
  const secs = buildUnixS - days * 86400;
  const { y, m, d } = civilFromDays(days);
  const hh = Math.floor(secs / 3600);
  const mm = Math.floor((secs % 3600) / 60);
  const ss = Math.floor(secs % 60);
  return (
    pad(y, 4) + pad(m, 2) + pad(d, 2) + "-" + pad(hh, 2) + pad(mm, 2) + pad(ss, 2) + "/" + version +
    (commit ? "-g" + commit.slice(0, 7) : "")
  );
}

function pad(n: number, width: number): string {
  let s = String(n);
  while (s.length < width) s = "0" + s;
  return s;
}

/** Gregorian date of a day count since 1970-01-01 (H. Hinnant's civil_from_days). */
export function civilFromDays(z: number): { y: number; m: number; d: number } {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d };
}
