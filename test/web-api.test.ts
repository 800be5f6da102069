// The web interface's core (modules/web): the JSON API, the admin session and its
// cross-site checks, the OTA sink, and the hashed admin password in the settings schema.
// A real App with a fake clock; a fake WebContext that records what the shell is asked.

import test from "ava";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { App } from "../modules/app/app";
import { applyChanges, defaultValues, fieldSpec, loadSettings, validateField, type SettingValues } from "../modules/config/schema";
import { checkBasicPassword, hashPassword, isPasswordHash, loginProof, stretchPassword, verifyPassword } from "../modules/config/password";
import { encodeFile, encodeFrame, OBIS, UNIT, type EntrySpec } from "../sml/encoder";
import type { MeterLinkInfo, OtaTarget, SaveOutcome, SystemInfo, WebContext } from "../modules/web/context";
import type { WebRequest, WebResponse } from "../modules/web/web-http";
import { WebInterface } from "../modules/web/web-interface";
import { findAsset } from "../modules/web/assets";
import { readAll } from "../modules/net/byte-source";
import { NodeWebContext } from "../host/web-context";
import { SettingsFile } from "../host/settings-file";
import { FakeHost } from "./shelly-helpers";

const SERVER_ID = Uint8Array.of(0x0a, 0x01, 0x44, 0x5a, 0x47, 0x00, 0x03, 0x9e, 0x20, 0x54);

function frameOf(entries: EntrySpec[], sequence = 1): Uint8Array {
  return encodeFrame(encodeFile({ serverId: SERVER_ID, entries, sequence }));
}

function powerFrame(watts: number, sequence = 1): Uint8Array {
  return frameOf([
    { obis: OBIS.importEnergy, unit: UNIT.Wh, scaler: -1, value: { uint: 6074471 } },
    { obis: OBIS.exportEnergy, unit: UNIT.Wh, scaler: -1, value: { uint: 12667286 } },
    { obis: OBIS.power, unit: UNIT.W, scaler: -2, value: { int: Math.round(watts * 100), width: 4 } },
  ], sequence);
}

class FakeContext implements WebContext {
  values: SettingValues;
  saved: Array<{ values: SettingValues; changed: readonly string[] }> = [];
  restarts = 0;
  resets = 0;
  ota: OtaTarget | null = null;
  binaryBodies = true;
  notes: Record<string, { note: string; locked: boolean }> = {};
  private counter = 0;

  constructor(readonly app: App, private readonly host: FakeHost, values: SettingValues) {
    this.values = values;
  }
  nowMs(): number {
    return this.host.nowMs();
  }
  randomBytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = (this.counter++ * 151 + 7) & 0xff;
    return out;
  }
  settings(): SettingValues {
    return this.values;
  }
  fieldNotes() {
    return this.notes;
  }
  saveSettings(values: SettingValues, changed: readonly string[]): SaveOutcome {
    this.saved.push({ values, changed });
    this.values = values;
    return { ok: true, pendingRestart: changed.filter((k) => fieldSpec(k)?.restart === true) };
  }
  restart(): void {
    this.restarts++;
  }
  factoryReset(): void {
    this.resets++;
  }
  system(): SystemInfo {
    return { firmware: "0.1.0", platform: "test", uptimeS: 42, resetReason: "power-on", memory: { label: "Heap", totalBytes: 1000, freeBytes: 400 } };
  }
  meterLink(): MeterLinkInfo {
    return { kind: "uart", description: "GPIO 16", protocol: "sml", baud: 9600, format: "8N1", rxPin: 16, txPin: 17 };
  }
}

function setup(values: Partial<SettingValues> = {}) {
  const host = new FakeHost();
  const settings = { ...defaultValues(), "emulation.mac": "AABBCCDDEEFF", ...values } as SettingValues;
  const app = new App({ settings, shellySettings: null, host });
  const ctx = new FakeContext(app, host, settings);
  const web = new WebInterface(ctx);
  const request = (method: string, pathname: string, body = "", headers: Record<string, string> = {}): WebResponse => {
    const r = web.handle({ method, path: pathname, query: "", headers: { host: "192.168.1.50", ...headers }, body, remote: "192.168.1.20" });
    if (r === null) throw new Error(`not handled: ${method} ${pathname}`);
    return r;
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers are checked field by field
  const json = (r: WebResponse): any => JSON.parse(r.bytes !== undefined ? Buffer.from(r.bytes).toString("utf8") : r.body);
  const get = (pathname: string, headers?: Record<string, string>) => request("GET", pathname, "", headers);
  const post = (pathname: string, value: unknown, headers?: Record<string, string>) => request("POST", pathname, JSON.stringify(value), headers);
  return { host, app, ctx, web, request, get, post, json };
}

function cookieOf(r: WebResponse): string {
  const set = r.headers["Set-Cookie"];
  if (set === undefined) throw new Error("no Set-Cookie");
  return set.split(";")[0];
}

test("/api/now: no data, fresh values with phases and energy, stale with the last value, no power", (t) => {
  const { host, app, get, json } = setup({ "emulation.staleAfterS": 5 });
  let now = json(get("/api/now"));
  t.is(now.state, "no_data");
  t.is(now.power, null);
  t.is(now.age_s, null);

  app.meterBytes(powerFrame(215.99));
  host.advance(800);
  now = json(get("/api/now"));
  t.is(now.state, "ok");
  t.is(now.power, 216);
  t.is(now.age_s, 0.8);
  t.is(now.seq, 1);
  t.is(now.stale_after_s, 5);
  t.is(now.phases.length, 3);
  t.is(now.phases[0].power, 216, "no phase values: the total on phase A");
  t.is(now.phases[1].power, 0);
  t.is(now.import_kwh, 607.447);
  t.is(now.export_kwh, 1266.729);
  t.false(now.measured.voltage);

  host.advance(5000);
  now = json(get("/api/now"));
  t.is(now.state, "stale");
  t.regex(now.message, /No valid frame for 5 s/);
  t.is(now.power, 216, "the last value, for context");
  t.is(now.phases, null);

  app.meterBytes(frameOf([{ obis: OBIS.importEnergy, unit: UNIT.Wh, scaler: 3, value: { uint: 607 } }], 2));
  now = json(get("/api/now"));
  t.is(now.state, "no_power");
  t.regex(now.message, /PIN/);
});

test("/api/history: one point per second at most, ten minutes, oldest first", (t) => {
  const { host, app, get, json } = setup();
  for (let i = 0; i < 700; i++) {
    app.meterBytes(powerFrame(i, i + 1));
    host.advance(500);
    app.meterBytes(powerFrame(i + 0.5, i + 1)); // a second frame in the same second replaces the first
    host.advance(500);
  }
  const h = json(get("/api/history"));
  t.is(h.window_s, 600);
  t.true(h.points.length <= 600 && h.points.length >= 599, String(h.points.length));
  const last = h.points[h.points.length - 1];
  t.deepEqual(last, [0.5, 699.5]);
  t.true(h.points[0][0] <= 600);
  t.true(h.points[0][0] > h.points[1][0], "oldest first");
  // Written straight from the ring buffer, byte for byte what JSON.stringify makes of the points.
  t.is(Buffer.from(app.history.pointsJson(host.nowMs())).toString("utf8"), JSON.stringify({ window_s: 600, points: app.history.points(host.nowMs()) }));
});

test("/api/meter: counters, rates per minute, the OBIS list and hex of the last frame", (t) => {
  const { host, app, get, json } = setup();
  for (let i = 0; i < 70; i++) {
    app.meterBytes(powerFrame(100 + i, i + 1));
    host.advance(1000);
  }
  const m = json(get("/api/meter"));
  t.is(m.counters.frames_ok, 70);
  t.is(m.counters.crc_errors, 0);
  t.truthy(m.rates);
  t.true(Math.abs(m.rates.frames_per_min - 60) < 2, String(m.rates.frames_per_min));
  t.is(m.link.baud, 9600);
  const power = m.entries.find((e: { obis: string }) => e.obis === "1-0:16.7.0*255");
  t.deepEqual(power, { obis: "1-0:16.7.0*255", value: 169, unit: "W" });
  t.is(m.server_id, "0a01445a4700039e2054");
  t.is(m.frame_bytes * 2, m.frame_hex.length);
  t.true(m.frame_hex.startsWith("76"), "an SML message starts with a list of 6");
  t.is(m.hints[0].level, "ok");
  t.is(m.power_source, "16.7.0");
});

test("hints: no bytes → read head and pins; bytes without frames → baud/format; frames without power → PIN; CRC errors", (t) => {
  let s = setup();
  s.host.advance(6000);
  let hints = s.json(s.get("/api/meter")).hints;
  t.is(hints[0].level, "error");
  t.regex(hints[0].title, /No bytes/);
  t.regex(hints[0].text, /GPIO 16/);

  s = setup();
  s.app.meterBytes(new Uint8Array(300).fill(0x55));
  hints = s.json(s.get("/api/meter")).hints;
  t.regex(hints[0].title, /no SML frames/);
  t.regex(hints[0].text, /9600 baud/);

  s = setup();
  s.app.meterBytes(frameOf([{ obis: OBIS.importEnergy, unit: UNIT.Wh, scaler: 3, value: { uint: 607 } }]));
  hints = s.json(s.get("/api/meter")).hints;
  t.regex(hints[0].title, /PIN/);
  t.regex(hints[0].text, /whole kWh/);

  s = setup();
  for (let i = 0; i < 30; i++) {
    const frame = powerFrame(100, i + 1);
    if (i % 3 === 0) frame[frame.length - 1] ^= 0xff; // a damaged checksum
    s.app.meterBytes(frame);
    s.host.advance(1000);
  }
  hints = s.json(s.get("/api/meter")).hints;
  t.true(hints.some((h: { title: string }) => /CRC/.test(h.title)), JSON.stringify(hints));
});

test("settings without a password: schema and values (secrets blanked); invalid → errors, nothing saved; valid → saved, restart keys named", (t) => {
  const { ctx, get, post, json } = setup({ "wifi.password": "secret-wifi" });
  const view = json(get("/api/settings"));
  t.true(view.fields.some((f: { key: string }) => f.key === "emulation.staleAfterS"));
  t.is(view.values["wifi.password"], "");
  t.true(view.secrets_set["wifi.password"]);
  t.false(view.secrets_set["admin.password"]);

  const bad = post("/api/settings", { "emulation.staleAfterS": 1, "emulation.udpPorts": [80], "nope": 1 });
  t.is(bad.status, 400);
  const errors = json(bad).errors;
  t.regex(errors["emulation.staleAfterS"], /at least 2/);
  t.regex(errors["emulation.udpPorts"], /used by the device/);
  t.false("nope" in errors);
  t.deepEqual(json(bad).unknown, ["nope"], "names no setting has are named, never made keys");
  t.is(json(bad).message, 'Not saved: unknown setting "nope".');
  t.is(ctx.saved.length, 0);

  const ok = post("/api/settings", { "emulation.staleAfterS": 30, "meter.baud": 2400, "emulation.gen1": true });
  t.is(ok.status, 200);
  const body = json(ok);
  t.deepEqual(body.changed, ["emulation.staleAfterS", "meter.baud"], "unchanged values are not 'changed'");
  t.deepEqual(body.restart, ["meter.baud"]);
  t.deepEqual(json(get("/api/settings")).pending_restart, ["meter.baud"]);
  t.is(ctx.saved.length, 1);
  t.is(ctx.values["emulation.staleAfterS"], 30);
});

test("locked fields (host command-line overrides) are refused with their note", (t) => {
  const { ctx, post, json } = setup();
  ctx.notes["emulation.staleAfterS"] = { note: "Set by --stale-after for this run.", locked: true };
  const r = post("/api/settings", { "emulation.staleAfterS": 30 });
  t.is(r.status, 400);
  t.regex(json(r).errors["emulation.staleAfterS"], /--stale-after/);
  t.is(ctx.saved.length, 0);
});

test("admin password: stored as a salted hash; protects every changing action; login without sending the password; Basic for scripts", (t) => {
  const { ctx, get, post, json, request } = setup();
  const set = post("/api/settings", { "admin.password": "tr0ub4dor" });
  t.is(set.status, 200);
  const stored = ctx.values["admin.password"] as string;
  t.true(isPasswordHash(stored), stored);
  t.false(stored.includes("tr0ub4dor"));
  t.true(verifyPassword(stored, "tr0ub4dor"));
  const setterCookie = cookieOf(set);

  // Without a session: reading live values works, changing does not.
  t.is(get("/api/now").status, 200);
  t.is(get("/api/settings").status, 401);
  t.is(post("/api/settings", { "emulation.gen1": false }).status, 401);
  t.is(post("/api/restart", {}).status, 401);
  t.is(post("/api/factory-reset", { confirm: "factory-reset" }).status, 401);
  t.is(ctx.restarts + ctx.resets, 0);
  t.deepEqual(json(get("/api/session")), { device_id: "shellypro3em-aabbccddeeff", password_set: true, logged_in: false });

  // Whoever set the password stays logged in.
  t.is(get("/api/settings", { cookie: setterCookie }).status, 200);

  // Login: salt + nonce, proof = sha256(hash:nonce).
  const challenge = json(get("/api/login"));
  const hash = stretchPassword("tr0ub4dor", challenge.salt, challenge.iterations);
  const login = post("/api/login", { nonce: challenge.nonce, proof: loginProof(hash, challenge.nonce) });
  t.is(login.status, 200);
  t.regex(login.headers["Set-Cookie"], /HttpOnly; SameSite=Strict/);
  const cookie = cookieOf(login);
  t.deepEqual(json(get("/api/session", { cookie })), { device_id: "shellypro3em-aabbccddeeff", password_set: true, logged_in: true });
  t.is(post("/api/restart", {}, { cookie }).status, 200);
  t.is(ctx.restarts, 1);
  // A nonce works once.
  t.is(post("/api/login", { nonce: challenge.nonce, proof: loginProof(hash, challenge.nonce) }).status, 401);

  // Basic auth (curl -u admin:…).
  const basic = "Basic " + Buffer.from("admin:tr0ub4dor").toString("base64");
  t.is(post("/api/restart", {}, { authorization: basic }).status, 200);
  t.is(post("/api/restart", {}, { authorization: "Basic " + Buffer.from("admin:wrong").toString("base64") }).status, 401);

  // Logout ends the session.
  t.is(post("/api/logout", {}, { cookie }).status, 200);
  t.is(post("/api/restart", {}, { cookie }).status, 401);
  t.is(ctx.restarts, 2);

  // Changing the password ends the other sessions.
  const other = json(get("/api/login"));
  const otherCookie = cookieOf(post("/api/login", { nonce: other.nonce, proof: loginProof(hash, other.nonce) }));
  t.is(post("/api/settings", { "admin.password": "n3w-pass" }, { cookie: setterCookie }).status, 200);
  t.is(get("/api/settings", { cookie: otherCookie }).status, 401);
  void request;
});

test("login: wrong answers lock the login for a while", (t) => {
  const { host, get, post, json } = setup({ "admin.password": hashPassword("right", "0011223344556677") });
  for (let i = 0; i < 5; i++) {
    const c = json(get("/api/login"));
    t.is(post("/api/login", { nonce: c.nonce, proof: loginProof(stretchPassword("wrong", c.salt, c.iterations), c.nonce) }).status, 401);
  }
  let c = json(get("/api/login"));
  const right = (ch: { salt: string; iterations: number; nonce: string }) => loginProof(stretchPassword("right", ch.salt, ch.iterations), ch.nonce);
  t.is(post("/api/login", { nonce: c.nonce, proof: right(c) }).status, 429);
  host.advance(31_000);
  c = json(get("/api/login"));
  t.is(post("/api/login", { nonce: c.nonce, proof: right(c) }).status, 200);

  // Guessing through Basic auth counts the same.
  const basic = (pw: string) => ({ authorization: "Basic " + Buffer.from("admin:" + pw).toString("base64") });
  for (let i = 0; i < 5; i++) t.is(post("/api/restart", {}, basic("guess" + i)).status, 401);
  t.is(post("/api/restart", {}, basic("right")).status, 401, "locked for a while");
  host.advance(31_000);
  t.is(post("/api/restart", {}, basic("right")).status, 200);
});

test("cross-site requests are refused, state never changes on GET, no CORS for the web API", (t) => {
  const { ctx, request, post } = setup();
  t.is(post("/api/restart", {}, { origin: "http://evil.example" }).status, 403);
  t.is(post("/api/restart", {}, { origin: "null" }).status, 403);
  t.is(post("/api/restart", {}, { "sec-fetch-site": "cross-site" }).status, 403);
  // DNS rebinding: the browser thinks it talks to evil.example.
  t.is(post("/api/restart", {}, { host: "evil.example", origin: "http://evil.example" }).status, 403);
  t.is(ctx.restarts, 0);
  t.is(request("GET", "/api/restart").status, 405);
  t.is(request("GET", "/api/factory-reset").status, 405);
  const options = request("OPTIONS", "/api/settings");
  t.is(options.status, 405);
  t.false("Access-Control-Allow-Origin" in options.headers);
  t.is(ctx.restarts + ctx.resets, 0);
  // Same origin (by IP, by .local name) passes.
  t.is(post("/api/restart", {}, { origin: "http://192.168.1.50" }).status, 200);
  t.is(post("/api/restart", {}, { host: "shellypro3em-aabbccddeeff.local", origin: "http://shellypro3em-aabbccddeeff.local", "sec-fetch-site": "same-origin" }).status, 200);
  t.is(ctx.restarts, 2);
});

test("factory reset needs an explicit confirmation in the body", (t) => {
  const { ctx, post } = setup();
  t.is(post("/api/factory-reset", {}).status, 400);
  t.is(ctx.resets, 0);
  t.is(post("/api/factory-reset", { confirm: "factory-reset" }).status, 200);
  t.is(ctx.resets, 1);
});

test("OTA: not available → 501; streamed to the target with length checks; password required", (t) => {
  const s = setup();
  const req = (headers: Record<string, string>): WebRequest => ({ method: "POST", path: "/api/ota", query: "", headers: { host: "192.168.1.50", ...headers }, body: "" });
  t.is((s.web.otaUpload(req({ "content-length": "10" })) as WebResponse).status, 501);
  t.is(s.web.otaUpload({ ...req({}), path: "/rpc" }), null);

  const written: number[] = [];
  const log: string[] = [];
  s.ctx.ota = {
    maxBytes: 1000,
    begin: (n) => (log.push("begin " + n), null),
    write: (chunk) => (written.push(...chunk), chunk[0] === 0xff ? "not a firmware image" : null),
    finish: () => (log.push("finish"), null),
    abort: () => { log.push("abort"); },
  };
  t.is((s.web.otaUpload(req({})) as WebResponse).status, 411);
  t.is((s.web.otaUpload(req({ "content-length": "5000" })) as WebResponse).status, 413);
  const sink = s.web.otaUpload(req({ "content-length": "6" }));
  t.truthy(sink && "data" in sink);
  if (!sink || !("data" in sink)) return;
  sink.data(Uint8Array.of(0xe9, 1, 2));
  sink.data(Uint8Array.of(3, 4, 5));
  const done = sink.end();
  t.is(done.status, 200);
  t.deepEqual(written, [0xe9, 1, 2, 3, 4, 5]);
  t.deepEqual(log, ["begin 6", "finish"]);
  t.is(s.ctx.restarts, 1);

  const short = s.web.otaUpload(req({ "content-length": "6" }));
  if (!short || !("data" in short)) return t.fail();
  short.data(Uint8Array.of(0xe9));
  t.is(short.end().status, 400);
  const wrong = s.web.otaUpload(req({ "content-length": "2" }));
  if (!wrong || !("data" in wrong)) return t.fail();
  wrong.data(Uint8Array.of(0xff, 0));
  const refused = wrong.end();
  t.is(refused.status, 400);
  t.regex(refused.body, /not a firmware image/);
  t.is(s.ctx.restarts, 1);

  s.ctx.values = { ...s.ctx.values, "admin.password": hashPassword("pw", "0011223344556677") };
  t.is((s.web.otaUpload(req({ "content-length": "6" })) as WebResponse).status, 401);
  t.is((s.web.otaUpload(req({ "content-length": "6", origin: "http://evil.example" })) as WebResponse).status, 403);
});

test("assets: gzip when accepted, text otherwise, ETag/304, long caching for hashed URLs; other paths are not ours", (t) => {
  const s = setup();
  const { request, web } = s;
  const gz = request("GET", "/", "", { "accept-encoding": "gzip, deflate, br" });
  t.is(gz.status, 200);
  t.is(gz.headers["Content-Encoding"], "gzip");
  t.is(gz.headers["Cache-Control"], "no-cache");
  t.regex(gz.headers["Content-Security-Policy"], /frame-ancestors 'none'/);
  t.is(gz.source!.length, findAsset("/")!.gzipBytes);
  const html = gunzipSync(readAll(gz.source!)).toString("utf8");
  t.regex(html, /^<!doctype html>/);
  const plain = request("GET", "/index.html");
  t.false("Content-Encoding" in plain.headers);
  t.is(Buffer.from(readAll(plain.source!)).toString("utf8"), html);
  t.not(plain.headers.ETag, gz.headers.ETag, "one ETag per representation");
  t.is(request("GET", "/", "", { "accept-encoding": "gzip", "if-none-match": gz.headers.ETag }).status, 304);
  t.false("Content-Encoding" in request("GET", "/", "", { "accept-encoding": "gzip;q=0" }).headers);
  // A shell that cannot send bytes gets the text, whatever the client accepts.
  s.ctx.binaryBodies = false;
  const text = request("GET", "/", "", { "accept-encoding": "gzip" });
  t.false("Content-Encoding" in text.headers);
  t.is(Buffer.from(readAll(text.source!)).toString("utf8"), html);
  s.ctx.binaryBodies = true;
  const js = request("GET", "/app.js", "", { "accept-encoding": "gzip" });
  t.regex(js.headers["Cache-Control"], /immutable/);
  t.regex(js.headers["Content-Type"], /javascript/);
  t.true(html.includes("/app.js?v="), "the page names its script with its hash");
  t.is(request("POST", "/app.js").status, 405);
  for (const p of ["/rpc/EM.GetStatus", "/shelly", "/status", "/api/consumers", "/api/setup/status", "/nope"]) {
    t.is(web.handle({ method: "GET", path: p, query: "", headers: {}, body: "" }), null, p);
  }
});

test("schema: the admin password is hashed by applyChanges and loadSettings, never kept as typed", (t) => {
  const spec = fieldSpec("admin.password")!;
  t.true(spec.hashed);
  const values = { ...defaultValues(), "emulation.mac": "AABBCCDDEEFF" };
  const applied = applyChanges(values, { "admin.password": "geheim" }, { salt: "a1b2c3d4e5f60718" });
  if (!applied.ok) return t.fail();
  const stored = applied.values["admin.password"] as string;
  t.regex(stored, /^s256i\$1000\$a1b2c3d4e5f60718\$[0-9a-f]{64}$/);
  t.true(verifyPassword(stored, "geheim"));
  t.false(verifyPassword(stored, "Geheim"));
  t.is(validateField(spec, stored), null, "the hash form is valid as stored");
  const again = applyChanges(applied.values, { "emulation.gen1": false });
  t.true(again.ok && again.values["admin.password"] === stored, "other changes keep the hash");
  const derived = applyChanges(values, { "admin.password": "geheim" });
  t.true(derived.ok && isPasswordHash(derived.values["admin.password"] as string), "without a salt one is derived");
  t.true(applyChanges(values, { "admin.password": "" }).ok);

  const loaded = loadSettings({ version: 1, values: { "admin.password": "plain-old" } });
  t.true(isPasswordHash(loaded.values["admin.password"] as string));
  t.true(verifyPassword(loaded.values["admin.password"] as string, "plain-old"));
  t.true(loaded.problems.some((p) => /plain text/.test(p)));

  t.true(checkBasicPassword("Basic " + Buffer.from("admin:geheim").toString("base64"), stored));
  t.false(checkBasicPassword("Basic " + Buffer.from("root:geheim").toString("base64"), stored));
  t.false(checkBasicPassword(undefined, stored));
  t.false(checkBasicPassword("Basic " + Buffer.from("admin:geheim").toString("base64"), ""));
});

test("NodeWebContext: saves to the settings file, applies stale timeout, phase mode and Gen1 at once, locks command-line overrides", (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "ir2shelly-webctx-"));
  const file = path.join(dir, "settings.json");
  const logs: string[] = [];
  const settingsFile = new SettingsFile(file, (l) => logs.push(l));
  const stored = settingsFile.load();
  stored.values["emulation.mac"] = "AABBCCDDEEFF";
  const effective = { ...stored.values, "meter.baud": 2400 };
  const host = new FakeHost();
  const app = new App({ settings: effective, shellySettings: null, host });
  let exits = 0;
  const ctx = new NodeWebContext({ app, settingsFile, stored, effective, options: { baud: 2400, simulate: true }, sourceDescription: "simulated", log: (l) => logs.push(l), exit: () => exits++ });
  const notes = ctx.fieldNotes();
  t.true(notes["meter.baud"].locked);
  t.regex(notes["meter.baud"].note, /--baud/);
  t.true(notes["wifi.ssid"].hidden === true);
  const web = new WebInterface(ctx);
  const post = (value: unknown) => web.handle({ method: "POST", path: "/api/settings", query: "", headers: { host: "127.0.0.1:8080" }, body: JSON.stringify(value) })!;
  t.is(post({ "meter.baud": 9600 }).status, 400, "overridden on the command line");
  const r = post({ "emulation.staleAfterS": 3, "emulation.phaseMode": "split", "emulation.gen1": false, "emulation.udpPorts": [1010] });
  t.is(r.status, 200, r.body);
  t.deepEqual(JSON.parse(r.body).restart, ["emulation.udpPorts"]);
  t.is(app.model.staleAfterMs, 3000);
  t.is(app.model.phaseMode, "split");
  t.false(app.gen1Enabled);
  const saved = JSON.parse(readFileSync(file, "utf8"));
  t.is(saved.values["emulation.staleAfterS"], 3);
  t.deepEqual(saved.values["emulation.udpPorts"], [1010]);
  t.is(saved.values["meter.baud"], 9600, "the command-line value is not written to the file");
  t.is(ctx.meterLink().kind, "simulated");
  t.is(ctx.ota, null);
  ctx.factoryReset();
  const reset = JSON.parse(readFileSync(file, "utf8"));
  t.is(reset.values["emulation.mac"], "AABBCCDDEEFF", "the MAC (device id) survives a factory reset");
  t.is(reset.values["emulation.staleAfterS"], 10);
});
