// Carries out the WiFi supervisor's commands with Moddable's `wifi` module and reports the
// driver's events back. Also runs scans for the setup page.

import WiFi, { type WiFiScanItem, type WiFiStatus } from "wifi";
import Net from "net";
import type { WifiCommand } from "../network/wifi-supervisor";
import { summarizeScan, type ScanNetwork } from "../network/setup-api";

export interface WifiControlOptions {
  /** Credentials for the station (read when a connect command comes). */
  credentials(): { ssid: string; password: string };
  onStation(event: "connect" | "gotIP" | "lostIP" | "disconnect", reason: number | undefined): void;
  onApClient(delta: 1 | -1): void;
  log(line: string): void;
}

export class WifiControl {
  private readonly wifi: WiFi;
  private apUp = false;
  /** Access point name, e.g. ir2shelly-A1B2 (known once the driver reports the MAC). */
  private apSsid = "ir2shelly";
  private scanning = false;
  private scanFinishedAt = -Infinity;
  private results: ScanNetwork[] = [];
  private readonly found: ScanNetwork[] = [];

  constructor(private readonly options: WifiControlOptions) {
    // Station mode first: the radio must be on for scans and connects.
    WiFi.mode = WiFi.Mode.station;
    this.wifi = new WiFi(null, (status: WiFiStatus, reason?: number) => {
      if (status === "station_connect") options.onApClient(1);
      else if (status === "station_disconnect") options.onApClient(-1);
      else options.onStation(status, reason);
    });
  }

  setApSsid(ssid: string): void {
    this.apSsid = ssid;
  }

  execute(command: WifiCommand): void {
    const o = this.options;
    try {
      switch (command.kind) {
        case "connect": {
          const { ssid, password } = o.credentials();
          o.log("wifi: joining " + ssid);
          WiFi.connect(password === "" ? { ssid } : { ssid, password });
          return;
        }
        case "disconnect":
          WiFi.disconnect();
          return;
        case "apOn":
          o.log("wifi: access point " + this.apSsid + " on");
          this.startAp();
          return;
        case "apOff":
          o.log("wifi: access point off");
          this.apUp = false;
          WiFi.mode = WiFi.Mode.station;
          return;
      }
    } catch (error) {
      o.log("wifi: " + command.kind + " failed: " + String(error));
    }
  }

  /** Station address while connected. */
  stationAddress(): string | null {
    return Net.get("IP", "station") ?? null;
  }

  apAddress(fallback: string): string {
    return (this.apUp ? Net.get("IP", "ap") : undefined) ?? fallback;
  }

  /** "A4:CF:12:…" of the station interface, or undefined (simulator). */
  mac(): string | undefined {
    return Net.get("MAC", "station") ?? Net.get("MAC");
  }

  ssid(): string | null {
    return Net.get("SSID") ?? null;
  }

  rssi(): number {
    return Net.get("RSSI") ?? 0;
  }

  get scanInProgress(): boolean {
    return this.scanning;
  }

  get scanResults(): readonly ScanNetwork[] {
    return this.results;
  }

  scanAgeMs(nowMs: number): number {
    return nowMs - this.scanFinishedAt;
  }

  /** Starts a scan unless one runs; results arrive in scanResults. */
  scan(nowMs: () => number): void {
    if (this.scanning) return;
    this.scanning = true;
    this.found.length = 0;
    try {
      WiFi.scan({}, (item?: WiFiScanItem | null) => {
        if (item) {
          if (this.found.length < 64) this.found.push({ ssid: item.ssid, rssi: item.rssi, auth: item.authentication });
          return;
        }
        this.results = summarizeScan(this.found);
        this.found.length = 0;
        this.scanning = false;
        this.scanFinishedAt = nowMs();
      });
    } catch (error) {
      this.scanning = false;
      this.scanFinishedAt = nowMs();
      this.options.log("wifi: scan failed: " + String(error));
    }
  }

  close(): void {
    this.wifi.close();
  }

  private startAp(): void {
    const options = { ssid: this.apSsid, station: true, channel: 1, max: 4 };
    // The simulator refuses an access point in station-only mode; ESP32 switches by itself.
    if (WiFi.mode === WiFi.Mode.station) WiFi.mode = WiFi.Mode.station | WiFi.Mode.accessPoint;
    WiFi.accessPoint(options);
    this.apUp = true;
  }
}
