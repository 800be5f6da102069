// A virtual three-phase household meter with a balcony PV system. It sends what a real
// SML meter sends (an EMH-like frame every second, with total and phase power, voltages,
// currents, frequency and energy counters) so that demos and tests run the real decoding
// path. Deterministic: the same seed and times give the same frames.

import { encodeFile, encodeFrame, OBIS, UNIT, type EntrySpec } from "../../sml/encoder";

export interface VirtualMeterOptions {
  seed?: number;
  /** Peak PV output in W (default 800, a balcony system). */
  pvPeakW?: number;
  /** Starting import/export counters in Wh. */
  importWh?: number;
  exportWh?: number;
}

export interface VirtualMeterState {
  /** Per-phase active power in W (import positive). */
  phasePower: [number, number, number];
  voltage: [number, number, number];
  current: [number, number, number];
  frequency: number;
  importWh: number;
  exportWh: number;
}

const SERVER_ID = Uint8Array.of(0x0a, 0x01, 0x49, 0x52, 0x32, 0x00, 0x00, 0x00, 0x00, 0x01); // "IR2" test id

/** Small, fast PRNG (mulberry32) so the simulation is reproducible on XS and Node. */
class Random {
  constructor(private state: number) {}
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

interface Appliance {
  phase: number;
  watts: number;
  until: number;
}

export class VirtualMeter {
  readonly state: VirtualMeterState;
  private readonly random: Random;
  private readonly pvPeakW: number;
  private appliances: Appliance[] = [];
  private lastMs = NaN;
  private sequence = 0;

  constructor(options: VirtualMeterOptions = {}) {
    this.random = new Random(options.seed ?? 1);
    this.pvPeakW = options.pvPeakW ?? 800;
    this.state = {
      phasePower: [0, 0, 0], voltage: [230, 230, 230], current: [0, 0, 0], frequency: 50,
      importWh: options.importWh ?? 4_215_387.2, exportWh: options.exportWh ?? 312_904.7,
    };
  }

  /**
   * Advances the simulation to `nowMs` and returns the next frame.
   * `hourOfDay` (0–24, local time) shapes the PV curve and the household's habits.
   */
  frame(nowMs: number, hourOfDay: number): Uint8Array {
    this.advance(nowMs, hourOfDay);
    const s = this.state;
    const total = s.phasePower[0] + s.phasePower[1] + s.phasePower[2];
    const tenths = (x: number) => Math.round(x * 10);
    const hundredths = (x: number) => Math.round(x * 100);
    const entries: EntrySpec[] = [
      { obis: OBIS.manufacturer, value: { octets: "IR2" } },
      { obis: OBIS.serverId, value: { octets: SERVER_ID } },
      { obis: OBIS.importEnergy, status: 0x182, unit: UNIT.Wh, scaler: -1, value: { uint: tenths(s.importWh) } },
      { obis: OBIS.exportEnergy, unit: UNIT.Wh, scaler: -1, value: { uint: tenths(s.exportWh) } },
      { obis: OBIS.power, unit: UNIT.W, scaler: -1, value: { int: tenths(total) } },
      { obis: OBIS.powerL1, unit: UNIT.W, scaler: -1, value: { int: tenths(s.phasePower[0]) } },
      { obis: OBIS.powerL2, unit: UNIT.W, scaler: -1, value: { int: tenths(s.phasePower[1]) } },
      { obis: OBIS.powerL3, unit: UNIT.W, scaler: -1, value: { int: tenths(s.phasePower[2]) } },
      { obis: OBIS.voltageL1, unit: UNIT.V, scaler: -1, value: { uint: tenths(s.voltage[0]) } },
      { obis: OBIS.voltageL2, unit: UNIT.V, scaler: -1, value: { uint: tenths(s.voltage[1]) } },
      { obis: OBIS.voltageL3, unit: UNIT.V, scaler: -1, value: { uint: tenths(s.voltage[2]) } },
      { obis: OBIS.currentL1, unit: UNIT.A, scaler: -2, value: { uint: hundredths(s.current[0]) } },
      { obis: OBIS.currentL2, unit: UNIT.A, scaler: -2, value: { uint: hundredths(s.current[1]) } },
      { obis: OBIS.currentL3, unit: UNIT.A, scaler: -2, value: { uint: hundredths(s.current[2]) } },
      { obis: OBIS.frequency, unit: UNIT.Hz, scaler: -2, value: { uint: hundredths(s.frequency) } },
    ];
    this.sequence = (this.sequence + 1) & 0xffff;
    return encodeFrame(encodeFile({ serverId: SERVER_ID, entries, sequence: this.sequence, secIndex: Math.floor(nowMs / 1000) >>> 0 }));
  }

  private advance(nowMs: number, hourOfDay: number): void {
    const dtS = Number.isNaN(this.lastMs) ? 1 : Math.min(Math.max((nowMs - this.lastMs) / 1000, 0), 3600);
    this.lastMs = nowMs;
    const r = this.random;
    const s = this.state;

    // Appliances: kettle, oven, washing machine, … switch on now and then, per phase.
    this.appliances = this.appliances.filter((a) => a.until > nowMs);
    const busy = hourOfDay >= 6 && hourOfDay < 23;
    if (r.next() < (busy ? 0.02 : 0.004) * dtS) {
      const watts = [2000, 1200, 800, 2200, 150][Math.floor(r.next() * 5)];
      this.appliances.push({ phase: Math.floor(r.next() * 3), watts, until: nowMs + (30 + r.next() * 600) * 1000 });
    }
    // Base load per phase (fridge, standby, lights) with a little noise.
    const base = [110, 70, 60];
    // Balcony PV feeds into phase A: a half-sine from 6 to 20 h, with passing clouds.
    const daylight = Math.max(0, Math.sin(((hourOfDay - 6) / 14) * Math.PI));
    const pv = this.pvPeakW * daylight * (0.75 + 0.25 * r.next());
    for (let i = 0; i < 3; i++) {
      let p = base[i] * (0.9 + 0.2 * r.next());
      for (const a of this.appliances) if (a.phase === i) p += a.watts;
      if (i === 0) p -= pv;
      s.phasePower[i] = p;
      s.voltage[i] = 229 + 3 * r.next() - (Math.abs(p) / 4000);
      // Inductive loads: a power factor between 0.85 and 1.
      const pf = 0.85 + 0.15 * r.next();
      s.current[i] = Math.abs(p) / (s.voltage[i] * pf);
    }
    s.frequency = 49.98 + 0.04 * r.next();
    // Energy registers count import and export of the net flow.
    const net = s.phasePower[0] + s.phasePower[1] + s.phasePower[2];
    if (net >= 0) s.importWh += (net * dtS) / 3600;
    else s.exportWh += (-net * dtS) / 3600;
  }
}
