// What the Shelly emulation needs from the shell that runs it (Node host or Moddable
// device). Each shell implements these in a few lines; the core never reaches for a
// clock, a socket or storage itself.

import type { GridView } from "../meter/grid-view";
import type { ShellySettings } from "./settings";

/** Fresh grid data, or null when the meter has sent no valid frame recently (stale). */
export interface GridSource {
  gridView(): GridView | null;
  /** Why gridView() is null, in words for the -114 message (e.g. "no valid frame for 12 s"). */
  unavailableReason?(): string | null;
}

export interface MemoryInfo {
  ramSize: number;
  ramFree: number;
  fsSize: number;
  fsFree: number;
}

export type WifiStatus = "disconnected" | "connecting" | "got ip";

export interface NetworkInfo {
  /** True on boards with an Ethernet port (eth.enable). */
  ethPresent: boolean;
  /** Ethernet address, or null when down/absent. */
  ethIp: string | null;
  wifiStatus: WifiStatus;
  /** Station address while connected. */
  wifiIp: string | null;
  /** SSID of the network we are connected to. */
  wifiSsid: string | null;
  /** dBm while connected, 0 otherwise. */
  wifiRssi: number;
  /** SSID configured for the station (WiFi.GetConfig sta.ssid). */
  staSsid: string | null;
  /** Whether the setup access point is on. */
  apEnabled: boolean;
}

export interface ShellyHost {
  /** Monotonic milliseconds, any origin. */
  nowMs(): number;
  /** Wall-clock Unix time in seconds (fraction allowed), or null while the clock is unset. */
  unixTime(): number | null;
  /** Local time offset from UTC in seconds, for `sys.time` (0 when unknown). */
  utcOffsetS(): number;
  /** Whole seconds since boot. */
  uptimeS(): number;
  memory(): MemoryInfo;
  /** ESP-IDF style reset reason number (sys.reset_reason). */
  resetReason(): number;
  network(): NetworkInfo;
  /** Board temperature in °C, or null without a sensor. */
  temperatureC(): number | null;
  /** Live state of the shell's clients, for `mqtt.connected` / `ws.connected`. */
  isConnected(kind: "mqtt" | "ws"): boolean;
  /** Persist settings (called after every accepted Set* call, with a fresh copy). */
  saveSettings(settings: ShellySettings): void;
  /** Restart the device after `delayMs` (Shelly.Reboot). */
  reboot(delayMs: number): void;
}

/** Transports the shell actually offers; enabling a missing one is refused (-103). */
export interface ShellyFeatures {
  mqtt: boolean;
  outboundWs: boolean;
  udpRpc: boolean;
}

export const DEFAULT_FEATURES: ShellyFeatures = Object.freeze({ mqtt: false, outboundWs: true, udpRpc: true });
