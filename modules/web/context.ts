// What the device's own web interface needs from the shell that runs it (Node host or
// ESP32). The pages and their JSON API are pure core (./web-interface); each shell
// implements WebContext in a few lines: where settings are stored, how to restart, what the
// system looks like, and (on the device) where a firmware image goes.

import type { SettingValues } from "../config/schema";
import type { MeterModel } from "../meter/meter-model";
import type { SmlInput } from "../meter/sml-input";
import type { MeterHistory } from "./history";

/** The live parts of the App that the pages read (modules/app App satisfies it). */
export interface WebApp {
  readonly model: MeterModel;
  readonly input: SmlInput;
  readonly history: MeterHistory;
  readonly deviceId: string;
  readonly device: { readonly identity: { readonly mac: string; readonly version: string; readonly firmwareId: string } };
}

/** How the meter is connected, for the Meter page and its hints. */
export interface MeterLinkInfo {
  /** serial: a tty on the host; uart: the ESP32's pins; replay: a capture; simulated: the virtual meter. */
  kind: "serial" | "uart" | "replay" | "simulated";
  /** One line, e.g. "serial /dev/ttyUSB0 at 9600 baud 8N1". */
  description: string;
  protocol: string;
  baud: number | null;
  format: string | null;
  rxPin?: number;
  txPin?: number;
}

export interface SystemInfo {
  /** Our version, e.g. "0.1.0". */
  firmware: string;
  /** e.g. "Node.js v20.20.2 on linux x64" or "ESP32-C3 (Moddable XS)". */
  platform: string;
  uptimeS: number;
  /** In words, e.g. "power-on", "software restart", "watchdog". */
  resetReason: string;
  memory: { label: string; totalBytes: number; freeBytes: number };
  /** Further label/value lines for the System page. */
  details?: ReadonlyArray<readonly [string, string]>;
  /** What "Restart" means here (the host ends the process; a service manager starts it). */
  restartNote?: string;
  /** What "Factory reset" keeps or erases here. */
  factoryResetNote?: string;
}

/**
 * A firmware image going into the update partition, chunk by chunk. Each step returns a
 * problem sentence (the upload is then aborted and the old firmware stays), or null.
 */
export interface OtaTarget {
  /** Largest image accepted (the partition size). */
  readonly maxBytes: number;
  begin(length: number): string | null;
  write(chunk: Uint8Array): string | null;
  /** All bytes are in: verify and mark the new image for the next boot. */
  finish(): string | null;
  /** The upload broke off or was refused: drop what was written. */
  abort(): void;
}

export type SaveOutcome = { ok: true; pendingRestart: string[] } | { ok: false; message: string };

/** A note on one settings field; `locked` fields cannot be changed here; `hidden` ones mean nothing here. */
export interface FieldNote {
  note: string;
  locked: boolean;
  hidden?: boolean;
}

export interface WebContext {
  readonly app: WebApp;
  /** Monotonic milliseconds (the App's clock). */
  nowMs(): number;
  /** Unpredictable bytes (session tokens, login nonces, password salts). */
  randomBytes(n: number): Uint8Array;
  /** The settings in force (schema keys; admin.password as its stored hash). */
  settings(): SettingValues;
  /** Notes per key (host: "set by --stale-after for this run", "ESP32 only"). */
  fieldNotes?(): Record<string, FieldNote>;
  /**
   * Store `values` (validated; hashed secrets already hashed) and apply what can be applied
   * at once. Returns the changed keys that wait for a restart.
   */
  saveSettings(values: SettingValues, changed: readonly string[]): SaveOutcome;
  /** Restart soon, after this answer has left (the shell delays it). */
  restart(): void;
  /** Erase the settings and restart soon. */
  factoryReset(): void;
  system(): SystemInfo;
  meterLink(): MeterLinkInfo;
  /** Firmware updates; null where there are none (the host). */
  readonly ota: OtaTarget | null;
  /**
   * Whether the shell sends WebResponse.bytes as the body. Without it the pages are served
   * uncompressed (as text), which works everywhere but is four times larger.
   */
  readonly binaryBodies: boolean;
}
