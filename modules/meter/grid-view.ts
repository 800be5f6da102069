// The meter model's answer to "what is the grid doing right now", already completed to
// three phases. This is the only thing the Shelly emulation knows about the meter.

/** One phase as a Shelly Pro 3EM reports it. */
export interface PhaseView {
  /** Active power in W, signed: positive = import from the grid, negative = export. */
  actPower: number;
  /** Apparent power in VA, never negative. */
  aprtPower: number;
  /** RMS voltage in V. */
  voltage: number;
  /** RMS current in A, never negative. */
  current: number;
  /** Power factor, 0..1. */
  pf: number;
  /** Line frequency in Hz. */
  freq: number;
  /** Energy imported on this phase in Wh (monotonic). */
  importWh: number;
  /** Energy exported on this phase in Wh (monotonic). */
  exportWh: number;
}

/** Which of the values came from the meter itself, and which were derived. */
export interface MeasuredFlags {
  phasePower: boolean;
  voltage: boolean;
  current: boolean;
  frequency: boolean;
  energy: boolean;
}

export interface GridView {
  phases: readonly [PhaseView, PhaseView, PhaseView];
  /** Sum of the phases' actPower, computed from unrounded values. */
  totalActPower: number;
  totalAprtPower: number;
  totalCurrent: number;
  /** Sum of the phases' importWh / exportWh. */
  totalImportWh: number;
  totalExportWh: number;
  measured: MeasuredFlags;
  /** Milliseconds since the frame these values came from. */
  ageMs: number;
}
