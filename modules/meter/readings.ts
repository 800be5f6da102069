// One frame's worth of meter values in canonical units, independent of the protocol that
// carried them (SML today, IEC 62056-21 later). NaN means "not sent in this frame".

export interface MeterReadings {
  /** Net active power in W: positive = import from the grid, negative = export. */
  power: number;
  /** Per-phase active power L1..L3 in W, same sign convention. */
  phasePower: [number, number, number];
  voltage: [number, number, number];
  current: [number, number, number];
  frequency: number;
  /** Energy counters in Wh. */
  importWh: number;
  exportWh: number;
  /** Resolution of the energy counters in Wh (1000 when the meter sends whole kWh, i.e. no PIN entered). */
  energyResolutionWh: number;
  /** Which register the power came from, for diagnostics (e.g. "16.7.0", "15.7.0+direction"). */
  powerSource: string;
  /** Manufacturer as the frame names it ("DZG", "EMH"…), or "". */
  manufacturer: string;
  /** Values that a known meter quirk corrected in this frame. */
  corrections: number;
}

export function emptyReadings(): MeterReadings {
  return {
    power: NaN, phasePower: [NaN, NaN, NaN], voltage: [NaN, NaN, NaN], current: [NaN, NaN, NaN],
    frequency: NaN, importWh: NaN, exportWh: NaN, energyResolutionWh: NaN, powerSource: "", manufacturer: "", corrections: 0,
  };
}

export function clearReadings(r: MeterReadings): void {
  r.power = r.frequency = r.importWh = r.exportWh = r.energyResolutionWh = NaN;
  for (let i = 0; i < 3; i++) r.phasePower[i] = r.voltage[i] = r.current[i] = NaN;
  r.powerSource = "";
  r.manufacturer = "";
  r.corrections = 0;
}
