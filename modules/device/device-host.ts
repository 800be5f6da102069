// What the Shelly emulation asks of its shell, answered on the device.

import platform from "device-platform";
import type { MemoryInfo, NetworkInfo, ShellyHost } from "../shelly/host";
import type { ShellySettings } from "../shelly/settings";
import type { MonotonicClock, WallClock } from "./clock";

export interface DeviceHostOptions {
  clock: MonotonicClock;
  wall: WallClock;
  ramSize: number;
  ramFree(): number | undefined;
  network(): NetworkInfo;
  wsConnected(): boolean;
  saveSettings(settings: ShellySettings): void;
  reboot(delayMs: number): void;
}

export class DeviceHost implements ShellyHost {
  private readonly reset: number;

  constructor(private readonly options: DeviceHostOptions) {
    this.reset = platform.resetReason();
  }

  nowMs(): number {
    return this.options.clock.nowMs();
  }

  unixTime(): number | null {
    return this.options.wall.unixTime();
  }

  utcOffsetS(): number {
    return 0; // no time zone database on the device: sys.time is UTC
  }

  uptimeS(): number {
    return Math.floor(this.options.clock.nowMs() / 1000);
  }

  memory(): MemoryInfo {
    const free = this.options.ramFree();
    return { ramSize: this.options.ramSize, ramFree: free ?? 0, fsSize: 0, fsFree: 0 };
  }

  resetReason(): number {
    return this.reset;
  }

  network(): NetworkInfo {
    return this.options.network();
  }

  temperatureC(): number | null {
    return null;
  }

  isConnected(kind: "mqtt" | "ws"): boolean {
    return kind === "ws" && this.options.wsConnected();
  }

  saveSettings(settings: ShellySettings): void {
    this.options.saveSettings(settings);
  }

  reboot(delayMs: number): void {
    this.options.reboot(delayMs);
  }
}
