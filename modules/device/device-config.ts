// Build-time settings of the firmware (the manifest's "config", per platform): ports, pins
// of the board, where the meter comes from. The user's settings live in settings-store.

import config from "mc/config";

export interface DeviceConfig {
  /** 80 on the device (consumers expect it); something else on the simulator. */
  httpPort: number;
  /** "serial" (the read head) or "simulated" (a virtual meter, for demos). */
  meterSource: "serial" | "simulated";
  /** ESP32 UART for the read head (UART0 is the console). */
  serialPort: number;
  /** Simulator: tty of the read head (a pty from socat in tests). */
  serialDevice: string;
  /** BOOT button GPIO, -1 for none. */
  buttonPin: number;
  /** Plain status LED GPIO, -1 for none. */
  ledPin: number;
  dnsPort: number;
  mdnsPort: number;
  /** Added to every UDP RPC port (the simulator may run unprivileged). */
  udpPortOffset: number;
  /** MAC to use where the board reports none (simulator), 12 hex digits. */
  fallbackMac: string;
  /** SNTP server when the Shelly settings name none; "" = no SNTP (the simulator's clock is set). */
  sntp: string;
  /** Address of the access point (ESP-IDF's default). */
  apAddress: string;
  /** Seconds between memory traces; 0 = off. */
  traceMemoryS: number;
  /** Total RAM for Sys.GetStatus ram_size. */
  ramSize: number;
  /** Connections served at once. */
  maxHttpConnections: number;
  /** The board's default read-head pins (used until the user picks others). */
  rxPin: number;
  txPin: number;
}

function num(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

function str(value: unknown, fallback: string): string {
  return typeof value === "string" ? value : fallback;
}

export function readDeviceConfig(): DeviceConfig {
  return {
    httpPort: num(config.httpPort, 80),
    meterSource: config.meterSource === "simulated" ? "simulated" : "serial",
    serialPort: num(config.serialPort, 1),
    serialDevice: str(config.serialDevice, ""),
    buttonPin: num(config.buttonPin, -1),
    ledPin: num(config.ledPin, -1),
    dnsPort: num(config.dnsPort, 53),
    mdnsPort: num(config.mdnsPort, 5353),
    udpPortOffset: num(config.udpPortOffset, 0),
    fallbackMac: str(config.fallbackMac, "02C0FFEE0001"),
    sntp: str(config.sntp, "pool.ntp.org"),
    apAddress: str(config.apAddress, "192.168.4.1"),
    traceMemoryS: num(config.traceMemoryS, 0),
    ramSize: num(config.ramSize, 327680),
    maxHttpConnections: num(config.maxHttpConnections, 6),
    rxPin: num(config.rxPin, 16),
    txPin: num(config.txPin, 17),
  };
}
