// The Shelly-side settings a peer can change through Set* methods. Plain JSON data: the
// shell stores it as it is and hands it back at boot through normalizeShellySettings.

export interface ShellySettings {
  /** Device name (Sys.SetConfig device.name); null = unset. */
  name: string | null;
  /** SHA256("admin:<realm>:<password>") in hex, or null when auth is off. */
  authHa1: string | null;
  /** Configuration revision (sys.cfg_rev); counts accepted changes. */
  cfgRev: number;
  discoverable: boolean;
  ecoMode: boolean;
  location: { tz: string | null; lat: number | null; lon: number | null };
  sntpServer: string;
  rpcUdp: { dstAddr: string | null; listenPort: number | null };
  ws: { enable: boolean; server: string | null; sslCa: string | null };
  mqtt: {
    enable: boolean;
    server: string | null;
    /** null = the device id. */
    clientId: string | null;
    user: string | null;
    /** Write-only: never reported by GetConfig. */
    pass: string | null;
    sslCa: string | null;
    /** null = the device id. */
    topicPrefix: string | null;
    rpcNtf: boolean;
    statusNtf: boolean;
    useClientCert: boolean;
    enableRpc: boolean;
    enableControl: boolean;
  };
  cloud: { enable: boolean };
  em: { name: string | null };
  temperature: { name: string | null };
}

/** Defaults: cloud off (Growatt NOAH needs it off to work locally), UDP RPC off as on a real device. */
export function defaultShellySettings(): ShellySettings {
  return {
    name: null,
    authHa1: null,
    cfgRev: 0,
    discoverable: true,
    ecoMode: false,
    location: { tz: null, lat: null, lon: null },
    sntpServer: "time.google.com",
    rpcUdp: { dstAddr: null, listenPort: null },
    ws: { enable: false, server: null, sslCa: "ca.pem" },
    mqtt: {
      enable: false,
      server: null,
      clientId: null,
      user: null,
      pass: null,
      sslCa: null,
      topicPrefix: null,
      rpcNtf: true,
      statusNtf: false,
      useClientCert: false,
      enableRpc: true,
      enableControl: true,
    },
    cloud: { enable: false },
    em: { name: null },
    temperature: { name: null },
  };
}

export function cloneSettings(s: ShellySettings): ShellySettings {
  return JSON.parse(JSON.stringify(s)) as ShellySettings;
}

/**
 * Settings read back from storage: every field that is missing or of the wrong type
 * takes its default, so an old or damaged record never breaks the boot.
 */
export function normalizeShellySettings(raw: unknown): ShellySettings {
  const out = defaultShellySettings();
  if (!isObject(raw)) return out;
  mergeInto(out as unknown as Record<string, unknown>, raw);
  if (out.authHa1 !== null && !/^[0-9a-f]{64}$/.test(out.authHa1)) out.authHa1 = null;
  if (!Number.isInteger(out.cfgRev) || out.cfgRev < 0) out.cfgRev = 0;
  const port = out.rpcUdp.listenPort;
  if (port !== null && !(Number.isInteger(port) && port >= 1 && port <= 65535)) out.rpcUdp.listenPort = null;
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Copies values from `src` whose type matches the default (null allowed where the default allows it). */
function mergeInto(target: Record<string, unknown>, src: Record<string, unknown>): void {
  for (const key of Object.keys(target)) {
    if (!(key in src)) continue;
    const def = target[key];
    const val = src[key];
    if (isObject(def)) {
      if (isObject(val)) mergeInto(def, val);
    } else if (val === null) {
      if (def === null || NULLABLE.indexOf(key) >= 0) target[key] = null;
    } else if (def === null ? NULLABLE.indexOf(key) >= 0 && typeOk(key, val) : typeof val === typeof def) {
      target[key] = val;
    }
  }
}

/** Fields that may be null, with the type they have otherwise. */
const NULLABLE: readonly string[] = Object.freeze(["name", "authHa1", "tz", "lat", "lon", "dstAddr", "listenPort", "server", "sslCa", "clientId", "user", "pass", "topicPrefix"]);
const NUMERIC: readonly string[] = Object.freeze(["lat", "lon", "listenPort"]);

function typeOk(key: string, val: unknown): boolean {
  return NUMERIC.indexOf(key) >= 0 ? typeof val === "number" && isFinite(val) : typeof val === "string";
}
