// Shared fixtures for the shelly-*.test.ts files: a fake shell, a settable grid source,
// sample loading and a JSON shape comparer that keeps numbers as printed.

import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { GridView, PhaseView } from "../modules/meter/grid-view";
import type { GridSource, NetworkInfo, ShellyHost } from "../modules/shelly/host";
import { makeIdentity } from "../modules/shelly/identity";
import { defaultShellySettings, type ShellySettings } from "../modules/shelly/settings";
import { ShellyDevice, type ShellyDeviceOptions } from "../modules/shelly/shelly-device";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const samplesDir = path.resolve(repoRoot, "..", "shared", "reference", "shelly", "samples");

export function sampleText(rel: string): string {
  return readFileSync(path.join(samplesDir, rel), "utf8");
}

export function sampleJson(rel: string): unknown {
  return JSON.parse(sampleText(rel));
}

/** JSON text without insignificant whitespace (strings untouched). */
export function compact(text: string): string {
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      out += ch;
      if (ch === "\\") out += text[++i];
      else if (ch === '"') inString = false;
    } else if (ch === '"') {
      inString = true;
      out += ch;
    } else if (!/\s/.test(ch)) out += ch;
  }
  return out;
}

// ---- shapes -----------------------------------------------------------------------------

export type Shape =
  | { t: "obj"; entries: [string, Shape][] }
  | { t: "arr"; items: Shape[] }
  | { t: "num"; text: string }
  | { t: "str"; v: string }
  | { t: "bool" }
  | { t: "null" };

/** Parses JSON text keeping key order and each number's printed text. */
export function shapeOf(text: string): Shape {
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const value = (): Shape => {
    ws();
    const ch = text[i];
    if (ch === "{") {
      i++;
      const entries: [string, Shape][] = [];
      ws();
      if (text[i] === "}") {
        i++;
        return { t: "obj", entries };
      }
      for (;;) {
        ws();
        const k = value();
        if (k.t !== "str") throw new Error("key expected at " + i);
        ws();
        if (text[i++] !== ":") throw new Error(": expected at " + i);
        entries.push([k.v, value()]);
        ws();
        const sep = text[i++];
        if (sep === "}") return { t: "obj", entries };
        if (sep !== ",") throw new Error(", expected at " + i);
      }
    }
    if (ch === "[") {
      i++;
      const items: Shape[] = [];
      ws();
      if (text[i] === "]") {
        i++;
        return { t: "arr", items };
      }
      for (;;) {
        items.push(value());
        ws();
        const sep = text[i++];
        if (sep === "]") return { t: "arr", items };
        if (sep !== ",") throw new Error(", expected at " + i);
      }
    }
    if (ch === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      const v = JSON.parse(text.slice(i, j + 1)) as string;
      i = j + 1;
      return { t: "str", v };
    }
    if (text.startsWith("true", i) || text.startsWith("false", i)) {
      i += text[i] === "t" ? 4 : 5;
      return { t: "bool" };
    }
    if (text.startsWith("null", i)) {
      i += 4;
      return { t: "null" };
    }
    const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m) throw new Error("bad JSON at " + i + ": " + text.slice(i, i + 20));
    i += m[0].length;
    return { t: "num", text: m[0] };
  };
  const v = value();
  ws();
  if (i !== text.length) throw new Error("trailing text at " + i);
  return v;
}

function decimalsOf(numText: string): number {
  const dot = numText.indexOf(".");
  return dot < 0 ? 0 : numText.replace(/[eE].*$/, "").length - dot - 1;
}

export interface ShapeOptions {
  /** Paths (e.g. "sys.available_updates") whose content may differ; only the kind must match. */
  loose?: string[];
  /** Paths where one side may be null and the other any type. */
  nullable?: string[];
  /** Ours may leave out keys / array items of the sample (reduced reconstructions). */
  subset?: boolean;
}

/**
 * Differences between our output and a sample: key order, kinds, and the number of
 * decimals every number is printed with. Empty list = same shape.
 */
export function shapeDiff(ours: Shape, sample: Shape, opts: ShapeOptions = {}, at = ""): string[] {
  const here = at || "(root)";
  if (opts.loose?.includes(at)) return ours.t === sample.t ? [] : [here + ": " + ours.t + " vs " + sample.t];
  if (ours.t === "null" || sample.t === "null") {
    if (ours.t === sample.t || opts.nullable?.includes(at)) return [];
    return [here + ": " + ours.t + " vs " + sample.t];
  }
  if (ours.t !== sample.t) return [here + ": " + ours.t + " vs " + sample.t];
  const join = (k: string) => (at ? at + "." + k : k);
  switch (ours.t) {
    case "num": {
      const s = sample as { text: string };
      const a = decimalsOf(ours.text);
      const b = decimalsOf(s.text);
      return a === b ? [] : [here + ": " + ours.text + " has " + a + " decimals, sample " + s.text + " has " + b];
    }
    case "obj": {
      const s = sample as { entries: [string, Shape][] };
      const ourKeys = ours.entries.map((e) => e[0]);
      const sampleKeys = s.entries.map((e) => e[0]);
      const diffs: string[] = [];
      if (opts.subset) {
        const missing = ourKeys.filter((k) => !sampleKeys.includes(k));
        if (missing.length) diffs.push(here + ": keys not in sample: " + missing.join(","));
        const order = ourKeys.filter((k) => sampleKeys.includes(k));
        const sampleOrder = sampleKeys.filter((k) => order.includes(k));
        if (order.join() !== sampleOrder.join()) diffs.push(here + ": key order " + order.join() + " vs " + sampleOrder.join());
      } else if (ourKeys.join() !== sampleKeys.join()) {
        diffs.push(here + ": keys [" + ourKeys.join(",") + "] vs sample [" + sampleKeys.join(",") + "]");
        return diffs;
      }
      for (const [k, v] of ours.entries) {
        const other = s.entries.find((e) => e[0] === k);
        if (other) diffs.push(...shapeDiff(v, other[1], opts, join(k)));
      }
      return diffs;
    }
    case "arr": {
      const s = sample as { items: Shape[] };
      if (ours.items.length !== s.items.length && !(opts.subset && ours.items.length <= s.items.length)) {
        return [here + ": " + ours.items.length + " items vs " + s.items.length];
      }
      const diffs: string[] = [];
      ours.items.forEach((v, n) => diffs.push(...shapeDiff(v, s.items[n], opts, join(String(n)))));
      return diffs;
    }
    default:
      return [];
  }
}

// ---- fake shell ---------------------------------------------------------------------------

export function phase(p: Partial<PhaseView>): PhaseView {
  return { actPower: 0, aprtPower: 0, voltage: 230, current: 0, pf: 1, freq: 50, importWh: 0, exportWh: 0, ...p };
}

/** A GridView whose totals are the sums of the phases unless given. */
export function gridView(phases: [PhaseView, PhaseView, PhaseView], totals: Partial<GridView> = {}): GridView {
  const sum = (f: (p: PhaseView) => number) => phases.reduce((a, p) => a + f(p), 0);
  return {
    phases,
    totalActPower: sum((p) => p.actPower),
    totalAprtPower: sum((p) => p.aprtPower),
    totalCurrent: sum((p) => p.current),
    totalImportWh: sum((p) => p.importWh),
    totalExportWh: sum((p) => p.exportWh),
    measured: { phasePower: true, voltage: true, current: true, frequency: true, energy: true },
    ageMs: 200,
    ...totals,
  };
}

/** em:0 and emdata:0 of samples/gen2/EM.GetStatus.json and EMData.GetStatus.json. */
export function sampleEmView(): GridView {
  return gridView(
    [
      phase({ current: 1.576, voltage: 243.4, actPower: 266.5, aprtPower: 383.4, pf: 0.76, freq: 50, importWh: 819087.5, exportWh: 0 }),
      phase({ current: 0.412, voltage: 243.9, actPower: 1.1, aprtPower: 100.5, pf: 0.5, freq: 50, importWh: 90579.48, exportWh: 35.19 }),
      phase({ current: 1.687, voltage: 244.5, actPower: 213.3, aprtPower: 412.1, pf: 0.68, freq: 50, importWh: 652717.23, exportWh: 0 }),
    ],
    { totalCurrent: 3.675, totalActPower: 480.924, totalAprtPower: 896.039, totalImportWh: 1562384.2, totalExportWh: 35.19 },
  );
}

export class FakeGrid implements GridSource {
  view: GridView | null;
  calls = 0;
  constructor(view: GridView | null = sampleEmView()) {
    this.view = view;
  }
  gridView(): GridView | null {
    this.calls++;
    return this.view;
  }
}

export class FakeHost implements ShellyHost {
  now = 5_000_000;
  unix: number | null = 1707326927;
  offset = 3600;
  uptime = 2085615;
  temperature: number | null = 46.6;
  net: NetworkInfo = {
    ethPresent: true,
    ethIp: "192.168.1.105",
    wifiStatus: "disconnected",
    wifiIp: null,
    wifiSsid: null,
    wifiRssi: 0,
    staSsid: "Wifi-Network-Name",
    apEnabled: false,
  };
  connections = { mqtt: false, ws: false };
  saved: ShellySettings[] = [];
  reboots: number[] = [];
  nowMs(): number {
    return this.now;
  }
  unixTime(): number | null {
    return this.unix;
  }
  utcOffsetS(): number {
    return this.offset;
  }
  uptimeS(): number {
    return this.uptime;
  }
  memory() {
    return { ramSize: 241568, ramFree: 125084, fsSize: 524288, fsFree: 184320 };
  }
  resetReason(): number {
    return 1;
  }
  network(): NetworkInfo {
    return this.net;
  }
  temperatureC(): number | null {
    return this.temperature;
  }
  isConnected(kind: "mqtt" | "ws"): boolean {
    return this.connections[kind];
  }
  saveSettings(settings: ShellySettings): void {
    this.saved.push(settings);
  }
  reboot(delayMs: number): void {
    this.reboots.push(delayMs);
  }
  /** Moves both clocks forward. */
  advance(ms: number): void {
    this.now += ms;
    if (this.unix !== null) this.unix += ms / 1000;
    this.uptime += Math.floor(ms / 1000);
  }
}

export const SAMPLE_MAC = "AABBCCDDEEFF";
export const DEVICE_ID = "shellypro3em-aabbccddeeff";
export const FW_ID = "20250301-101500/0.1.0-gabcdef1";

export function sampleSettings(): ShellySettings {
  const s = defaultShellySettings();
  s.cfgRev = 29;
  s.ecoMode = true;
  s.location = { tz: "Europe/Rome", lat: 45.45803, lon: 7.87121 };
  return s;
}

export interface Rig {
  device: ShellyDevice;
  host: FakeHost;
  grid: FakeGrid;
}

export function makeRig(options: Partial<ShellyDeviceOptions> = {}): Rig {
  const host = new FakeHost();
  const grid = new FakeGrid();
  const device = new ShellyDevice({
    identity: makeIdentity({ mac: SAMPLE_MAC, version: "0.1.0", firmwareId: FW_ID }),
    host,
    grid,
    settings: sampleSettings(),
    ...options,
  });
  return { device, host, grid };
}

/** Calls a method the way a REST client does and parses the body. */
export function rest(device: ShellyDevice, method: string, params: Record<string, unknown> = {}) {
  const r = device.handleRest(method, params, false);
  return { ...r, json: r.body.length > 0 ? (JSON.parse(r.body) as Record<string, unknown>) : null };
}
