// MeterModel scenarios shared by the ava tests and the XS suite (pure, no I/O). Each case
// states readings and what MeterModel.gridView must make of them, following the rules in
// gridView's comment: phase powers are used as sent; the rest of the total goes to the phases
// not sent, or is spread evenly when all three are sent; without phases the total goes to
// phase A or is split (phaseMode); without a total, the total is the sum of the phases.

import { MeterModel, type PhaseMode } from "../../modules/meter/meter-model";
import { emptyReadings, type MeterReadings } from "../../modules/meter/readings";

export interface PhaseCase {
  name: string;
  phaseMode: PhaseMode;
  /** 16.7.0, or NaN when not sent. */
  power: number;
  /** 36/56/76.7.0, NaN where not sent. */
  phasePower: [number, number, number];
  importWh?: number;
  exportWh?: number;
  expected: {
    actPower: [number, number, number];
    totalActPower: number;
    measuredPhasePower: boolean;
    /** Per-phase import energy, when the case states it. */
    importWh?: [number, number, number];
  };
}

export const PHASE_CASES: readonly PhaseCase[] = [
  {
    name: "total only, phase A", phaseMode: "a", power: 1000, phasePower: [NaN, NaN, NaN], importWh: 9000, exportWh: 300,
    expected: { actPower: [1000, 0, 0], totalActPower: 1000, measuredPhasePower: false, importWh: [9000, 0, 0] },
  },
  {
    name: "total only, split", phaseMode: "split", power: 900, phasePower: [NaN, NaN, NaN], importWh: 9000,
    expected: { actPower: [300, 300, 300], totalActPower: 900, measuredPhasePower: false, importWh: [3000, 3000, 3000] },
  },
  {
    name: "export, total only, phase A", phaseMode: "a", power: -600, phasePower: [NaN, NaN, NaN],
    expected: { actPower: [-600, 0, 0], totalActPower: -600, measuredPhasePower: false },
  },
  {
    name: "export, total only, split", phaseMode: "split", power: -600, phasePower: [NaN, NaN, NaN],
    expected: { actPower: [-200, -200, -200], totalActPower: -600, measuredPhasePower: false },
  },
  {
    name: "all three phases and a total: the residual is spread evenly", phaseMode: "a", power: 660, phasePower: [100, 200, 300],
    expected: { actPower: [120, 220, 320], totalActPower: 660, measuredPhasePower: true },
  },
  {
    name: "all three phases agreeing with the total", phaseMode: "split", power: 600, phasePower: [100, 200, 300],
    expected: { actPower: [100, 200, 300], totalActPower: 600, measuredPhasePower: true },
  },
  {
    name: "all three phases, no total: the total is their sum", phaseMode: "a", power: NaN, phasePower: [100, -50, 25],
    expected: { actPower: [100, -50, 25], totalActPower: 75, measuredPhasePower: true },
  },
  {
    name: "one phase and a total: the rest goes to the two others", phaseMode: "a", power: 400, phasePower: [100, NaN, NaN],
    expected: { actPower: [100, 150, 150], totalActPower: 400, measuredPhasePower: true },
  },
  {
    name: "two phases and a total: the rest goes to the third", phaseMode: "split", power: 20, phasePower: [NaN, 50, 70],
    expected: { actPower: [-100, 50, 70], totalActPower: 20, measuredPhasePower: true },
  },
  {
    name: "one phase, no total: the others are zero", phaseMode: "split", power: NaN, phasePower: [NaN, NaN, 230],
    expected: { actPower: [0, 0, 230], totalActPower: 230, measuredPhasePower: true },
  },
];

function readingsOf(c: PhaseCase): MeterReadings {
  const r = emptyReadings();
  r.power = c.power;
  for (let i = 0; i < 3; i++) r.phasePower[i] = c.phasePower[i];
  if (c.importWh !== undefined) r.importWh = c.importWh;
  if (c.exportWh !== undefined) r.exportWh = c.exportWh;
  return r;
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

/** Runs one case through a fresh MeterModel; returns what differs from the expectation. */
export function phaseCaseProblems(c: PhaseCase): string[] {
  const model = new MeterModel({ phaseMode: c.phaseMode });
  model.update(readingsOf(c), 1000);
  const view = model.gridView(1500);
  if (view === null) return [`${c.name}: no grid view (${JSON.stringify(model.unavailable(1500))})`];
  const problems: string[] = [];
  const e = c.expected;
  let sum = 0;
  for (let i = 0; i < 3; i++) {
    const p = view.phases[i];
    sum += p.actPower;
    if (!close(p.actPower, e.actPower[i])) problems.push(`${c.name}: phase ${i} actPower ${p.actPower}, expected ${e.actPower[i]}`);
    // No voltage, current or frequency from the meter: nominal values and derived current.
    if (p.voltage !== 230 || p.freq !== 50) problems.push(`${c.name}: phase ${i} voltage/freq ${p.voltage}/${p.freq}, expected nominal 230/50`);
    const abs = Math.abs(p.actPower);
    if (!close(p.current, abs / 230)) problems.push(`${c.name}: phase ${i} current ${p.current}, expected |P|/U = ${abs / 230}`);
    if (!close(p.aprtPower, abs)) problems.push(`${c.name}: phase ${i} aprtPower ${p.aprtPower}, expected |P| = ${abs}`);
    if (p.pf !== (abs > 0 ? 1 : 0)) problems.push(`${c.name}: phase ${i} pf ${p.pf}`);
    if (e.importWh !== undefined && !close(p.importWh, e.importWh[i])) problems.push(`${c.name}: phase ${i} importWh ${p.importWh}, expected ${e.importWh[i]}`);
  }
  if (!close(view.totalActPower, e.totalActPower)) problems.push(`${c.name}: totalActPower ${view.totalActPower}, expected ${e.totalActPower}`);
  if (!close(sum, view.totalActPower)) problems.push(`${c.name}: phases add up to ${sum}, total is ${view.totalActPower}`);
  if (view.measured.phasePower !== e.measuredPhasePower) problems.push(`${c.name}: measured.phasePower ${view.measured.phasePower}`);
  if (view.measured.voltage || view.measured.current || view.measured.frequency) problems.push(`${c.name}: nothing but power was measured`);
  if (c.importWh !== undefined && view.totalImportWh !== c.importWh) problems.push(`${c.name}: totalImportWh ${view.totalImportWh}`);
  if (c.exportWh !== undefined && view.totalExportWh !== c.exportWh) problems.push(`${c.name}: totalExportWh ${view.totalExportWh}`);
  if (view.measured.energy !== (c.importWh !== undefined)) problems.push(`${c.name}: measured.energy ${view.measured.energy}`);
  if (view.ageMs !== 500) problems.push(`${c.name}: ageMs ${view.ageMs}, expected 500`);
  return problems;
}

/**
 * Staleness with the default limit (10 s): served up to and including 10 000 ms after the
 * frame, then null with reason "stale"; served again from the next frame on.
 */
export function stalenessProblems(): string[] {
  const problems: string[] = [];
  const model = new MeterModel();
  const seen = (what: string, actual: unknown, expected: unknown) => {
    if (JSON.stringify(actual) !== JSON.stringify(expected)) problems.push(`${what}: ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
  };
  seen("staleAfterMs default", model.staleAfterMs, 10_000);
  seen("before any frame", model.unavailable(0), { reason: "no_data" });
  seen("grid view before any frame", model.gridView(0), null);
  const r = emptyReadings();
  r.power = 500;
  model.update(r, 5_000);
  seen("fresh", model.unavailable(5_000), null);
  seen("at the limit", model.gridView(15_000)?.ageMs, 10_000);
  seen("just past the limit", model.unavailable(15_001), { reason: "stale", ageMs: 10_001 });
  seen("grid view when stale", model.gridView(15_001), null);
  seen("long after", model.unavailable(100_000), { reason: "stale", ageMs: 95_000 });
  r.power = -250;
  model.update(r, 100_000);
  seen("recovered", model.unavailable(100_000), null);
  seen("recovered power", model.gridView(100_000)?.totalActPower, -250);
  seen("recovered age", model.gridView(100_400)?.ageMs, 400);
  const custom = new MeterModel({ staleAfterMs: 3_000 });
  custom.update(r, 0);
  seen("custom limit, inside", custom.gridView(3_000) !== null, true);
  seen("custom limit, outside", custom.unavailable(3_001), { reason: "stale", ageMs: 3_001 });
  return problems;
}
