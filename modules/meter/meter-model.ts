// The latest state of the meter: values from the last valid frame, their age, and the
// three-phase view a Shelly Pro 3EM reports. Time always comes in as a parameter.

import type { GridView, PhaseView } from "./grid-view";
import { emptyReadings, type MeterReadings } from "./readings";

/** Where the total goes when the meter does not send per-phase power. */
export type PhaseMode = "a" | "split";

export interface MeterModelOptions {
  /** Data older than this is not served (default 10 000 ms). */
  staleAfterMs?: number;
  phaseMode?: PhaseMode;
  /** Voltage reported where the meter sends none (default 230 V). */
  nominalVoltage?: number;
  /** Frequency reported where the meter sends none (default 50 Hz). */
  nominalFrequency?: number;
}

/** Why there is no grid view right now. */
export type Unavailable =
  | { reason: "no_data" } // no valid frame since start
  | { reason: "stale"; ageMs: number }
  | { reason: "no_power"; ageMs: number }; // frames arrive, but without a power value

export class MeterModel {
  staleAfterMs: number;
  phaseMode: PhaseMode;
  readonly nominalVoltage: number;
  readonly nominalFrequency: number;
  /** Values of the last valid frame (energy is kept from earlier frames if a frame lacks it). */
  readonly latest: MeterReadings = emptyReadings();
  /** Time of the last valid frame, or NaN. */
  lastFrameAt = NaN;
  framesAccepted = 0;
  private readonly view: GridView;

  constructor(options: MeterModelOptions = {}) {
    this.staleAfterMs = options.staleAfterMs ?? 10_000;
    this.phaseMode = options.phaseMode ?? "a";
    this.nominalVoltage = options.nominalVoltage ?? 230;
    this.nominalFrequency = options.nominalFrequency ?? 50;
    const phase = (): PhaseView => ({ actPower: 0, aprtPower: 0, voltage: 0, current: 0, pf: 0, freq: 0, importWh: 0, exportWh: 0 });
    this.view = {
      phases: [phase(), phase(), phase()], totalActPower: 0, totalAprtPower: 0, totalCurrent: 0,
      totalImportWh: 0, totalExportWh: 0, ageMs: 0,
      measured: { phasePower: false, voltage: false, current: false, frequency: false, energy: false },
    };
  }

  /** Takes the readings of a valid frame that arrived at `nowMs`. */
  update(readings: MeterReadings, nowMs: number): void {
    const l = this.latest;
    l.power = readings.power;
    for (let i = 0; i < 3; i++) {
      l.phasePower[i] = readings.phasePower[i];
      l.voltage[i] = readings.voltage[i];
      l.current[i] = readings.current[i];
    }
    l.frequency = readings.frequency;
    // Energy counters are monotonic: keep the last known value when a frame omits them, but
    // only the same meter's (the read head was moved to another meter: its counters count).
    if (readings.manufacturer !== l.manufacturer) {
      l.importWh = NaN;
      l.exportWh = NaN;
      l.energyResolutionWh = NaN;
    }
    if (!Number.isNaN(readings.importWh)) l.importWh = readings.importWh;
    if (!Number.isNaN(readings.exportWh)) l.exportWh = readings.exportWh;
    if (!Number.isNaN(readings.energyResolutionWh)) l.energyResolutionWh = readings.energyResolutionWh;
    l.powerSource = readings.powerSource;
    l.manufacturer = readings.manufacturer;
    l.corrections = readings.corrections;
    this.lastFrameAt = nowMs;
    this.framesAccepted++;
  }

  ageMs(nowMs: number): number {
    return Number.isNaN(this.lastFrameAt) ? NaN : Math.max(0, nowMs - this.lastFrameAt);
  }

  /** Null when the grid view can be served, otherwise why not. */
  unavailable(nowMs: number): Unavailable | null {
    if (Number.isNaN(this.lastFrameAt)) return { reason: "no_data" };
    const ageMs = this.ageMs(nowMs);
    if (ageMs > this.staleAfterMs) return { reason: "stale", ageMs };
    if (!this.hasPower()) return { reason: "no_power", ageMs };
    return null;
  }

  private hasPower(): boolean {
    const l = this.latest;
    return !Number.isNaN(l.power) || !Number.isNaN(l.phasePower[0]) || !Number.isNaN(l.phasePower[1]) || !Number.isNaN(l.phasePower[2]);
  }

  /**
   * The three-phase view, or null when unavailable. The returned object is reused by the
   * next call. Rules (documented in the README):
   * - phase powers the meter sends are used as sent; the rest of the total (16.7.0) goes to
   *   the phases it does not send, or, when it sends all three, is spread evenly so that
   *   the phases add up to the meter's total; with no phase values at all the total goes
   *   to phase A or is split evenly (phaseMode);
   * - without a total, the total is the sum of the phases sent;
   * - voltage and frequency are the meter's, else nominal; current is the meter's, else
   *   |P| / U; apparent power is max(U·I, |P|); pf = |P| / S;
   * - energy goes to phase A or is split like power; the totals equal the meter's registers.
   */
  gridView(nowMs: number): GridView | null {
    if (this.unavailable(nowMs) !== null) return null;
    const l = this.latest;
    const v = this.view;
    const p = v.phases;
    let known = 0;
    let knownSum = 0;
    for (let i = 0; i < 3; i++) {
      if (!Number.isNaN(l.phasePower[i])) {
        known++;
        knownSum += l.phasePower[i];
      }
    }
    const total = Number.isNaN(l.power) ? knownSum : l.power;
    const residual = total - knownSum;
    for (let i = 0; i < 3; i++) {
      let power: number;
      if (known === 3) power = l.phasePower[i] + residual / 3;
      else if (known > 0) power = Number.isNaN(l.phasePower[i]) ? residual / (3 - known) : l.phasePower[i];
      else power = this.phaseMode === "split" ? total / 3 : i === 0 ? total : 0;
      p[i].actPower = power;
    }
    const split = this.phaseMode === "split";
    const importWh = Number.isNaN(l.importWh) ? 0 : l.importWh;
    const exportWh = Number.isNaN(l.exportWh) ? 0 : l.exportWh;
    let totalCurrent = 0;
    let totalAprt = 0;
    for (let i = 0; i < 3; i++) {
      const ph = p[i];
      ph.voltage = Number.isNaN(l.voltage[i]) ? this.nominalVoltage : l.voltage[i];
      ph.freq = Number.isNaN(l.frequency) ? this.nominalFrequency : l.frequency;
      const absPower = Math.abs(ph.actPower);
      ph.current = Number.isNaN(l.current[i]) ? (ph.voltage > 0 ? absPower / ph.voltage : 0) : Math.abs(l.current[i]);
      ph.aprtPower = Math.max(ph.voltage * ph.current, absPower);
      ph.pf = ph.aprtPower > 0 ? absPower / ph.aprtPower : 0;
      ph.importWh = split ? importWh / 3 : i === 0 ? importWh : 0;
      ph.exportWh = split ? exportWh / 3 : i === 0 ? exportWh : 0;
      totalCurrent += ph.current;
      totalAprt += ph.aprtPower;
    }
    v.totalActPower = total;
    v.totalCurrent = totalCurrent;
    v.totalAprtPower = totalAprt;
    v.totalImportWh = importWh;
    v.totalExportWh = exportWh;
    v.ageMs = this.ageMs(nowMs);
    const m = v.measured;
    m.phasePower = known > 0;
    m.voltage = !Number.isNaN(l.voltage[0]) || !Number.isNaN(l.voltage[1]) || !Number.isNaN(l.voltage[2]);
    m.current = !Number.isNaN(l.current[0]) || !Number.isNaN(l.current[1]) || !Number.isNaN(l.current[2]);
    m.frequency = !Number.isNaN(l.frequency);
    m.energy = !Number.isNaN(l.importWh);
    return v;
  }
}
