import test from "ava";
import type { GridView } from "../modules/meter/grid-view";
import { StatusNotifier, moved } from "../modules/shelly/notify";
import { DEVICE_ID, gridView, makeRig, phase, sampleEmView } from "./shelly-helpers";

function view(a: number, opts: { voltage?: number; current?: number; importWh?: number } = {}): GridView {
  return gridView([
    phase({ actPower: a, aprtPower: Math.abs(a) + 50, voltage: opts.voltage ?? 230, current: opts.current ?? 2, importWh: opts.importWh ?? 1000 }),
    phase({ actPower: 100, aprtPower: 120, voltage: 230, current: 0.5, importWh: 2000 }),
    phase({ actPower: 100, aprtPower: 120, voltage: 230, current: 0.5, importWh: 3000 }),
  ]);
}

test("thresholds: either the absolute or the relative step triggers", (t) => {
  // power 10 W or 5 %
  t.false(moved(100, 100, 10, 0.05));
  t.false(moved(104.9, 100, 10, 0.05));
  t.true(moved(105, 100, 10, 0.05), "5 % of 100 W");
  t.true(moved(1010, 1000, 10, 0.05), "10 W at 1 kW");
  t.false(moved(1009, 1000, 10, 0.05));
  t.true(moved(-10, 0, 10, 0.05));
  t.true(moved(0.5, 0, 10, 0.05), "any move away from 0 is 5 % or more");
  t.true(moved(-105, -100, 10, 0.05), "sign does not matter");
  // voltage 1 V or 5 %
  t.false(moved(230.9, 230, 1, 0.05));
  t.true(moved(231, 230, 1, 0.05));
  // current 0.05 A or 5 %
  t.true(moved(10.4, 10, 0.05, 0.05));
  t.true(moved(10.05, 10, 0.05, 0.05));
  t.false(moved(2.04, 2, 0.05, 0.05));
  t.true(moved(NaN, 2, 0.05, 0.05));
  t.false(moved(NaN, NaN, 0.05, 0.05));
});

test("cadence: first view at once, then at most every 3 s and only on change", (t) => {
  const n = new StatusNotifier();
  t.deepEqual(n.decide(view(500), 0), { em: true, emdata: true });
  t.false(n.decide(view(900), 1000).em, "changed, but within 3 s");
  t.true(n.decide(view(900), 3000).em, "3 s later the change goes out");
  t.false(n.decide(view(905), 6000).em, "5 W at 900 W is below both thresholds");
  t.false(n.decide(view(900, { voltage: 230.5 }), 9000).em);
  t.true(n.decide(view(900, { voltage: 231.5 }), 12000).em, "voltage +1.5 V");
  t.false(n.decide(view(900, { voltage: 231.5, current: 2.04 }), 15000).em);
  t.true(n.decide(view(900, { voltage: 231.5, current: 2.06 }), 18000).em, "current +0.06 A");
  // Compared with the last *notified* value: small steps add up.
  const same = { voltage: 231.5, current: 2.06 };
  t.false(n.decide(view(905, same), 21000).em, "+5 W");
  t.false(n.decide(view(908, same), 24000).em, "+8 W");
  t.true(n.decide(view(910, same), 27000).em, "+10 W since the last notification");
});

test("emdata:0 once a minute, only when a counter moved", (t) => {
  const n = new StatusNotifier();
  t.true(n.decide(view(500, { importWh: 1000 }), 0).emdata);
  t.false(n.decide(view(500, { importWh: 1001 }), 30_000).emdata);
  t.true(n.decide(view(500, { importWh: 1002 }), 60_000).emdata);
  t.false(n.decide(view(500, { importWh: 1002 }), 120_000).emdata, "no change in the minute");
  t.true(n.decide(view(500, { importWh: 1003 }), 125_000).emdata);
});

test("stale: nothing is sent, recovery is sent at once", (t) => {
  const n = new StatusNotifier();
  t.true(n.decide(view(500), 0).em);
  t.deepEqual(n.decide(null, 5000), { em: false, emdata: false });
  t.true(n.decide(view(500), 8000).em, "same values, but after a stale period");
});

test("options change the interval and thresholds", (t) => {
  const n = new StatusNotifier({ minIntervalMs: 1000, thresholds: { powerW: 1, powerRel: 1, voltageV: 100, voltageRel: 1, currentA: 100, currentRel: 1 } });
  t.true(n.decide(view(500), 0).em);
  t.true(n.decide(view(501), 1000).em);
  t.false(n.decide(view(501.5), 2000).em);
});

test("device builds NotifyStatus frames with the whole em:0 and ts", (t) => {
  const { device, host, grid } = makeRig();
  const batch = device.pollNotifyStatus();
  t.truthy(batch);
  const frame = JSON.parse(batch!.frameFor("hoy-1")) as { src: string; dst: string; method: string; params: Record<string, unknown> };
  t.is(frame.src, DEVICE_ID);
  t.is(frame.dst, "hoy-1");
  t.is(frame.method, "NotifyStatus");
  t.deepEqual(Object.keys(frame.params), ["ts", "em:0", "emdata:0"]);
  t.is(frame.params.ts, 1707326927);
  t.true(batch!.params.startsWith('{"ts":1707326927.00,"em:0":{"id":0,'));
  t.deepEqual(frame.params["em:0"], JSON.parse(device.handleRest("EM.GetStatus", { id: 0 }, false).body));
  t.is(JSON.parse(batch!.frameFor('a"b')).dst, 'a"b', "dst is escaped");
  // Nothing new: nothing to send.
  host.advance(3000);
  t.is(device.pollNotifyStatus(), null);
  // A 50 W step on phase a, 3 s later: em:0 only.
  const v = sampleEmView();
  grid.view = { ...v, phases: [{ ...v.phases[0], actPower: v.phases[0].actPower + 50 }, v.phases[1], v.phases[2]] };
  host.advance(3000);
  const next = JSON.parse(device.pollNotifyStatus()!.frameFor("x")) as { params: Record<string, unknown> };
  t.deepEqual(Object.keys(next.params), ["ts", "em:0"]);
  t.is((next.params["em:0"] as { a_act_power: number }).a_act_power, 316.5);
  // Stale: no notification.
  grid.view = null;
  host.advance(3000);
  t.is(device.pollNotifyStatus(), null);
});

test("NotifyFullStatus carries ts and every component; none while stale", (t) => {
  const { device, grid, host } = makeRig();
  host.unix = 1700000000.123;
  const full = JSON.parse(device.fullStatusNotification()!.frameFor("srv")) as { method: string; params: Record<string, unknown> };
  t.is(full.method, "NotifyFullStatus");
  t.deepEqual(Object.keys(full.params), ["ts", "ble", "cloud", "em:0", "emdata:0", "eth", "modbus", "mqtt", "sys", "temperature:0", "wifi", "ws"]);
  t.is(full.params.ts, 1700000000.12);
  grid.view = null;
  t.is(device.fullStatusNotification(), null);
});
