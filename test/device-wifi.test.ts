// The device's WiFi supervisor (modules/network/wifi-supervisor): boot with and without
// credentials, timeouts and backoff, lost connections, the portal coming back, the access
// point going off after a connection, and phones on the portal holding retries back.

import test from "ava";
import { backoffDelayMs, DEFAULT_WIFI_OPTIONS, WifiSupervisor, type WifiCommand } from "../modules/network/wifi-supervisor";

const kinds = (commands: readonly WifiCommand[]) => commands.map((c) => c.kind).join(",");

/** Ticks once a second from `from` to `to` (inclusive), collecting every command. */
function run(s: WifiSupervisor, from: number, to: number): { at: number; kind: string }[] {
  const out: { at: number; kind: string }[] = [];
  for (let t = from; t <= to; t += 1000) for (const c of s.tick(t)) out.push({ at: t, kind: c.kind });
  return out;
}

test("backoff doubles from the minimum and stops at the maximum", (t) => {
  const o = { backoffMinMs: 2000, backoffMaxMs: 300_000 };
  t.is(backoffDelayMs(0, o), 0);
  t.is(backoffDelayMs(1, o), 2000);
  t.is(backoffDelayMs(2, o), 4000);
  t.is(backoffDelayMs(5, o), 32000);
  t.is(backoffDelayMs(8, o), 256_000);
  t.is(backoffDelayMs(9, o), 300_000);
  t.is(backoffDelayMs(1000, o), 300_000, "no overflow for huge counts");
});

test("no credentials: the access point comes up at once and the station stays off", (t) => {
  const s = new WifiSupervisor(false);
  t.is(kinds(s.start(0)), "apOn");
  t.deepEqual(run(s, 1000, 600_000), []);
  t.is(s.snapshot().station, "off");
  t.true(s.apOn);
});

test("credentials: connect at boot; got an address: connected, no access point", (t) => {
  const s = new WifiSupervisor(true);
  t.is(kinds(s.start(0)), "connect");
  t.deepEqual(s.station("connect", 1500), []);
  t.deepEqual(s.station("gotIP", 2500), []);
  t.is(s.stationPhase, "connected");
  t.deepEqual(run(s, 3000, 3_600_000), [], "nothing to do while connected");
  t.false(s.apOn);
});

test("a network that never answers: timeouts, growing waits, the portal after two minutes while retrying", (t) => {
  const s = new WifiSupervisor(true);
  s.start(0);
  const events = run(s, 1000, 400_000);
  const connects = events.filter((e) => e.kind === "connect").map((e) => e.at);
  // Attempt 1 at 0 times out at 30 s, waits 2 s; attempt 2 at 32 s times out at 62 s, waits 4 s; …
  t.deepEqual(connects.slice(0, 3), [32_000, 66_000, 104_000]);
  t.is(events.filter((e) => e.kind === "disconnect").length, connects.length + (s.stationPhase === "waiting" ? 1 : 0));
  const ap = events.find((e) => e.kind === "apOn");
  t.truthy(ap);
  t.is(ap?.at, DEFAULT_WIFI_OPTIONS.portalAfterMs, "portal after portalAfterMs without a connection");
  t.is(s.snapshot().lastFailure, "timeout");
  t.true(connects.some((at) => at > DEFAULT_WIFI_OPTIONS.portalAfterMs), "the station keeps trying with the portal up");
});

test("a rejected password fails the attempt at once", (t) => {
  const s = new WifiSupervisor(true);
  s.start(0);
  t.deepEqual(s.station("disconnect", 3000, 0), [], "an ordinary disconnect while connecting: the driver retries itself");
  t.is(kinds(s.station("disconnect", 4000, -1)), "disconnect");
  t.is(s.snapshot().lastFailure, "rejected");
  t.is(s.snapshot().nextAttemptAtMs, 4000 + DEFAULT_WIFI_OPTIONS.backoffMinMs);
});

test("lost connection: retry after the minimum wait; the portal returns when it stays lost; off again after reconnecting", (t) => {
  const s = new WifiSupervisor(true);
  s.start(0);
  s.station("gotIP", 2000);
  t.deepEqual(s.station("disconnect", 100_000), [], "the driver already let go of the network");
  t.is(s.snapshot().lastFailure, "lost");
  t.deepEqual(run(s, 101_000, 101_000), []);
  t.is(kinds(s.tick(102_000)), "connect");
  const later = run(s, 103_000, 100_000 + DEFAULT_WIFI_OPTIONS.portalAfterMs);
  t.true(later.some((e) => e.kind === "apOn" && e.at === 100_000 + DEFAULT_WIFI_OPTIONS.portalAfterMs));
  t.true(s.apOn);
  s.station("gotIP", 230_000);
  t.deepEqual(run(s, 231_000, 230_000 + DEFAULT_WIFI_OPTIONS.apGraceMs - 1000), [], "the access point stays for the grace period");
  t.is(kinds(s.tick(230_000 + DEFAULT_WIFI_OPTIONS.apGraceMs)), "apOff");
  t.false(s.apOn);
  t.is(s.snapshot().failures, 0);
});

test("lostIP and disconnect together count as one loss", (t) => {
  const s = new WifiSupervisor(true);
  s.start(0);
  s.station("gotIP", 1000);
  s.station("lostIP", 5000);
  s.station("disconnect", 5000);
  t.is(s.snapshot().failures, 1);
});

test("credentials saved on the portal: join at once, keep the access point until connected plus grace", (t) => {
  const s = new WifiSupervisor(false);
  s.start(0);
  t.is(kinds(s.setCredentials(true, 50_000)), "connect");
  t.is(s.stationPhase, "connecting");
  t.true(s.apOn);
  s.station("gotIP", 55_000);
  t.deepEqual(run(s, 56_000, 55_000 + DEFAULT_WIFI_OPTIONS.apGraceMs - 1000), []);
  t.is(kinds(s.tick(55_000 + DEFAULT_WIFI_OPTIONS.apGraceMs)), "apOff");
});

test("new credentials while connected: drop the old network and join the new one", (t) => {
  const s = new WifiSupervisor(true);
  s.start(0);
  s.station("gotIP", 1000);
  t.is(kinds(s.setCredentials(true, 10_000)), "disconnect,connect");
});

test("credentials removed: the station stops and the portal opens", (t) => {
  const s = new WifiSupervisor(true);
  s.start(0);
  s.station("gotIP", 1000);
  t.is(kinds(s.setCredentials(false, 10_000)), "disconnect,apOn");
  t.is(s.stationPhase, "off");
  t.deepEqual(s.station("gotIP", 11_000), [], "a late event for the old network is ignored");
  t.is(s.stationPhase, "off");
});

test("a phone on the portal holds background retries back, but not forever", (t) => {
  const s = new WifiSupervisor(true, { portalAfterMs: 10_000, portalHoldMs: 60_000 });
  s.start(0);
  run(s, 1000, 63_000); // attempts at 0 and 32 s time out; portal at 10 s
  t.true(s.apOn);
  t.is(s.stationPhase, "waiting");
  s.apClient(1);
  const next = s.snapshot().nextAttemptAtMs ?? 0;
  t.is(next, 66_000);
  const held = run(s, 64_000, next + 59_000);
  t.false(held.some((e) => e.kind === "connect"), "no scan while someone uses the setup page");
  const released = run(s, next + 60_000, next + 61_000);
  t.true(released.some((e) => e.kind === "connect"));
  s.apClient(-1);
  s.apClient(-1);
  t.is(s.snapshot().apClients, 0, "never below zero");
});

test("events before start() and while off do nothing", (t) => {
  const s = new WifiSupervisor(true);
  t.deepEqual(s.tick(1000), []);
  t.deepEqual(s.station("gotIP", 1000), []);
  t.deepEqual(s.setCredentials(true, 1000), []);
});
