// The host's side of the web interface (modules/web): settings from and to the settings
// file, applied at once where the running App allows it; "restart" ends the process
// gracefully (a service manager such as systemd with Restart=always starts it again);
// no firmware updates.

import { randomBytes } from "node:crypto";
import { defaultValues, fieldSpec, type SettingValues } from "../modules/config/schema";
import type { App } from "../modules/app/app";
import type { PhaseMode } from "../modules/meter/meter-model";
import type { FieldNote, MeterLinkInfo, SaveOutcome, SystemInfo, WebContext } from "../modules/web/context";
import { IR2SHELLY_VERSION } from "../modules/app/version";
import type { ParsedOptions } from "./args";
import type { HostSettings, SettingsFile } from "./settings-file";
import { describeOutbound, type OutboundWs } from "../modules/app/outbound-ws";

/** Command-line options that override a setting for one run. */
const OVERRIDES: ReadonlyArray<readonly [string, string]> = [
  ["baud", "meter.baud"], ["format", "meter.format"], ["stale-after", "emulation.staleAfterS"],
  ["phase-mode", "emulation.phaseMode"], ["power-sign", "meter.powerSign"], ["udp-ports", "emulation.udpPorts"],
  ["mac", "emulation.mac"], ["no-mdns", "emulation.mdns"],
];
/** Settings only the ESP32 firmware uses. */
const DEVICE_ONLY = ["wifi.ssid", "wifi.password", "meter.rxPin", "meter.txPin"];
/** How long the answer to "restart" gets to leave before the process ends. */
const RESTART_DELAY_MS = 500;

export interface NodeWebContextOptions {
  app: App;
  settingsFile: SettingsFile;
  /** What the settings file holds; updated and saved on changes (shared with the Shelly side). */
  stored: HostSettings;
  /** The settings in force: the file's values with the command line's overrides. */
  effective: SettingValues;
  options: ParsedOptions;
  /** e.g. "serial /dev/ttyUSB0 at 9600 baud 8N1" (ByteSource.describe()). */
  sourceDescription: string;
  log: (line: string) => void;
  /** Ends the process gracefully (default: SIGTERM to ourselves). */
  exit?: () => void;
  /** The outbound WebSocket, for the System page. */
  outbound?: OutboundWs;
}

export class NodeWebContext implements WebContext {
  readonly ota = null;
  /** host/http-transport sends binary bodies: the pages go out gzip-compressed. */
  readonly binaryBodies = true;
  private readonly o: NodeWebContextOptions;

  constructor(options: NodeWebContextOptions) {
    this.o = options;
  }

  get app(): App {
    return this.o.app;
  }

  nowMs(): number {
    return performance.now();
  }

  randomBytes(n: number): Uint8Array {
    return new Uint8Array(randomBytes(n));
  }

  settings(): SettingValues {
    return this.o.effective;
  }

  fieldNotes(): Record<string, FieldNote> {
    const notes: Record<string, FieldNote> = {};
    for (const key of DEVICE_ONLY) notes[key] = { note: "Used by the ESP32 firmware only.", locked: true, hidden: true };
    for (const [option, key] of OVERRIDES) {
      if (this.o.options[option] === undefined) continue;
      const saved = this.o.stored.values[key];
      notes[key] = { note: `Set by --${option} for this run (saved: ${Array.isArray(saved) ? saved.join(", ") : String(saved)}); change it on the command line.`, locked: true };
    }
    return notes;
  }

  saveSettings(values: SettingValues, changed: readonly string[]): SaveOutcome {
    const stored = this.o.stored;
    const before = { ...stored.values };
    for (const key of changed) stored.values[key] = values[key];
    try {
      this.o.settingsFile.save(stored);
    } catch (error) {
      stored.values = before;
      return { ok: false, message: `Cannot write ${this.o.settingsFile.file}: ${(error as Error).message}` };
    }
    const pendingRestart: string[] = [];
    for (const key of changed) {
      this.o.effective[key] = values[key];
      if (!this.applyLive(key, values[key])) pendingRestart.push(key);
    }
    this.o.log(`settings saved from the web page: ${changed.join(", ")}${pendingRestart.length > 0 ? ` (after a restart: ${pendingRestart.join(", ")})` : ""}`);
    return { ok: true, pendingRestart };
  }

  /** Applies a setting to the running App; false when it needs a restart. */
  private applyLive(key: string, value: unknown): boolean {
    const app = this.o.app;
    switch (key) {
      case "emulation.staleAfterS":
        app.model.staleAfterMs = (value as number) * 1000;
        return true;
      case "emulation.phaseMode":
        app.model.phaseMode = value as PhaseMode;
        return true;
      case "emulation.gen1":
        app.gen1Enabled = value === true;
        return true;
      case "admin.password":
        return true; // read from the settings on every request
      default:
        return DEVICE_ONLY.includes(key) || fieldSpec(key)?.restart !== true;
    }
  }

  restart(): void {
    this.o.log("restart requested on the web page: ending the process (a service manager such as systemd with Restart=always starts it again)");
    setTimeout(this.o.exit ?? (() => process.kill(process.pid, "SIGTERM")), RESTART_DELAY_MS).unref();
  }

  factoryReset(): void {
    // The generated MAC stays: batteries pair with the device id, which is made from it.
    const mac = this.o.stored.values["emulation.mac"];
    this.o.stored.values = { ...defaultValues(), "emulation.mac": mac };
    this.o.stored.shelly = null;
    try {
      this.o.settingsFile.save(this.o.stored);
    } catch (error) {
      this.o.log(`factory reset: cannot write ${this.o.settingsFile.file}: ${(error as Error).message}`);
    }
    this.o.log("factory reset from the web page: settings erased (the MAC is kept)");
    this.restart();
  }

  system(): SystemInfo {
    const m = process.memoryUsage();
    return {
      firmware: IR2SHELLY_VERSION,
      platform: `Node.js ${process.version} on ${process.platform} ${process.arch}`,
      uptimeS: Math.floor(process.uptime()),
      resetReason: "process start",
      memory: { label: "Node.js heap", totalBytes: m.heapTotal, freeBytes: Math.max(0, m.heapTotal - m.heapUsed) },
      details: [
        ["Settings file", this.o.settingsFile.file],
        ["Meter source", this.o.sourceDescription],
        ["Process memory", `${Math.round(m.rss / 1048576)} MB resident`],
        ...(this.o.outbound ? [["Outbound WebSocket", describeOutbound(this.o.outbound.status())] as [string, string]] : []),
      ],
      restartNote: "On a computer, Restart ends the ir2shelly process; a service manager (systemd with Restart=always, see the README) starts it again.",
      factoryResetNote: "Erases every setting and the Shelly-side configuration (the generated MAC, and so the device id, stays) and restarts.",
    };
  }

  meterLink(): MeterLinkInfo {
    const s = this.o.effective;
    const opts = this.o.options;
    const kind = typeof opts.serial === "string" ? "serial" : typeof opts.replay === "string" ? "replay" : "simulated";
    return {
      kind,
      description: this.o.sourceDescription,
      protocol: String(s["meter.protocol"]),
      baud: kind === "serial" ? (s["meter.baud"] as number) : null,
      format: kind === "serial" ? String(s["meter.format"]) : null,
    };
  }
}
