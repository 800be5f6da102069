// MeterModel on XS: phase derivation, staleness, and the SML input feeding it. The cases are
// shared with the ava tests (test/support/meter-cases.ts).

import { encodeFile, encodeFrame, OBIS, UNIT, type EntrySpec } from "../../sml/encoder";
import { MeterModel } from "../../modules/meter/meter-model";
import { SmlInput } from "../../modules/meter/sml-input";
import { PHASE_CASES, phaseCaseProblems, stalenessProblems } from "../support/meter-cases";
import { deepEqual, equal, fixture, ok, singleFrameFixtureNames, test } from "./harness";

for (const c of PHASE_CASES) {
  test(`phases: ${c.name}`, () => {
    deepEqual(phaseCaseProblems(c), []);
  });
}

test("staleness: served up to staleAfterMs (10 s), then null with reason 'stale'; recovers on the next frame", () => {
  deepEqual(stalenessProblems(), []);
});

const frameOf = (entries: EntrySpec[]) => encodeFrame(encodeFile({ serverId: Uint8Array.of(6, 0x45, 0x4d, 0x48, 0, 1), entries }));

test("SmlInput → MeterModel: power, no_power without PIN, stale, recovery", () => {
  const model = new MeterModel();
  const input = new SmlInput(model);
  const withPower = frameOf([
    { obis: OBIS.importEnergy, status: 0x182, unit: UNIT.Wh, scaler: -1, value: { uint: 1000 } },
    { obis: OBIS.power, unit: UNIT.W, scaler: 0, value: { int: -800 } },
    { obis: OBIS.powerL2, unit: UNIT.W, scaler: 0, value: { int: -900 } },
  ]);
  input.push(withPower, 0);
  const view = model.gridView(100);
  ok(view !== null, "served");
  equal(view.totalActPower, -800);
  deepEqual(view.phases.map((p) => p.actPower), [50, -900, 50]);
  equal(view.totalImportWh, 100);
  equal(model.latest.manufacturer, "EMH");

  input.push(frameOf([{ obis: OBIS.importEnergy, status: 0x182, unit: UNIT.Wh, scaler: 3, value: { uint: 1 } }]), 1000);
  deepEqual(model.unavailable(1000), { reason: "no_power", ageMs: 0 });
  equal(model.gridView(1000), null);
  equal(model.latest.importWh, 1000);

  deepEqual(model.unavailable(11_001), { reason: "stale", ageMs: 10_001 });
  input.push(withPower, 20_000);
  equal(model.gridView(20_000)?.totalActPower, -800);
  equal(input.counters().framesOk, 3);

  // The head moved to another make of meter that sends no counters: the old ones are not its.
  input.push(encodeFrame(encodeFile({ serverId: Uint8Array.of(0x0a, 1, 0x44, 0x5a, 0x47, 0, 1), entries: [{ obis: OBIS.power, unit: UNIT.W, scaler: 0, value: { int: 5 } }] })), 21_000);
  equal(model.latest.manufacturer, "DZG");
  ok(Number.isNaN(model.latest.importWh), String(model.latest.importWh));
  equal(model.gridView(21_000)?.totalImportWh, 0);
});

test("every real capture with power gives a grid view whose phases add up to the total", () => {
  let served = 0;
  for (const name of singleFrameFixtureNames()) {
    const model = new MeterModel({ phaseMode: "split" });
    new SmlInput(model).push(fixture(name), 0);
    equal(model.framesAccepted, 1, name);
    const view = model.gridView(0);
    if (view === null) {
      equal(model.unavailable(0)?.reason, "no_power", name);
      continue;
    }
    served++;
    const sum = view.phases[0].actPower + view.phases[1].actPower + view.phases[2].actPower;
    ok(Math.abs(sum - view.totalActPower) < 1e-6, `${name}: ${sum} vs ${view.totalActPower}`);
    for (const p of view.phases) ok(p.pf >= 0 && p.pf <= 1 && p.current >= 0 && p.aprtPower >= Math.abs(p.actPower) - 1e-9, name);
  }
  ok(served >= 30, `${served} captures served`);
});
