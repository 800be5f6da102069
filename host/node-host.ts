// The Node.js implementation of what the Shelly emulation asks of its shell.

import os from "node:os";
import type { MemoryInfo, NetworkInfo, ShellyHost } from "../modules/shelly/host";
import type { ShellySettings } from "../modules/shelly/settings";

export interface NodeHostOptions {
  saveSettings: (settings: ShellySettings) => void;
  /** True while at least one WebSocket client is connected (ws.connected). */
  wsConnected?: () => boolean;
  log: (line: string) => void;
}

export class NodeHost implements ShellyHost {
  private readonly startedAt = performance.now();

  constructor(private readonly options: NodeHostOptions) {}

  nowMs(): number {
    return performance.now();
  }

  unixTime(): number | null {
    return Date.now() / 1000;
  }

  utcOffsetS(): number {
    return -new Date().getTimezoneOffset() * 60;
  }

  uptimeS(): number {
    return Math.floor((performance.now() - this.startedAt) / 1000);
  }

  memory(): MemoryInfo {
    const usage = process.memoryUsage();
    return { ramSize: usage.heapTotal, ramFree: Math.max(0, usage.heapTotal - usage.heapUsed), fsSize: 0, fsFree: 0 };
  }

  resetReason(): number {
    return 1; // power-on: a process start is the host's equivalent
  }

  network(): NetworkInfo {
    const ip = firstLanAddress();
    return {
      ethPresent: true, ethIp: ip, wifiStatus: "disconnected", wifiIp: null, wifiSsid: null, wifiRssi: 0,
      staSsid: null, apEnabled: false,
    };
  }

  temperatureC(): number | null {
    return null;
  }

  isConnected(kind: "mqtt" | "ws"): boolean {
    return kind === "ws" ? this.options.wsConnected?.() ?? false : false;
  }

  saveSettings(settings: ShellySettings): void {
    this.options.saveSettings(settings);
  }

  reboot(delayMs: number): void {
    // On the host a "reboot" restarts nothing: the operator owns the process.
    this.options.log(`Shelly.Reboot requested (in ${delayMs} ms); ignored on the host`);
  }
}

export function firstLanAddress(): string | null {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  }
  return null;
}
