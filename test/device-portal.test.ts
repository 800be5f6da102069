// Captive-portal decisions (modules/network/portal), the setup page's API and page
// (setup-api, setup-page), the status LED and the firmware-upload check (ota-upload).

import test from "ava";
import { defaultValues, publicValues } from "../modules/config/schema";
import { CHIP_IDS, ESP_IMAGE_MAGIC, OtaUploadCheck } from "../modules/network/ota-upload";
import { CAPTIVE_PROBE_PATHS, hostName, isApClient, routeRequest, type PortalContext } from "../modules/network/portal";
import { handleSetupApi, planSave, summarizeScan, type SetupContext, type SetupRequest } from "../modules/network/setup-api";
import { SETUP_PAGE_HTML, escapeHtml } from "../modules/network/setup-page";
import { ledLevel, ledState } from "../modules/network/status-led";
import { SCHEMA } from "../modules/config/schema";

const AP: PortalContext = { apOn: true, apAddress: "192.168.4.1", ownHosts: ["shellypro3em-aabbccddeeff.local", "192.168.1.50"] };
const STATION: PortalContext = { ...AP, apOn: false };

test("host names: port, case, trailing dot and IPv6 brackets are dropped", (t) => {
  t.is(hostName("Connectivitycheck.Gstatic.com:80"), "connectivitycheck.gstatic.com");
  t.is(hostName("captive.apple.com."), "captive.apple.com");
  t.is(hostName("[fe80::1]:80"), "fe80::1");
  t.is(hostName(undefined), "");
});

test("access point clients: the AP's /24, or unknown", (t) => {
  t.true(isApClient("192.168.4.2", "192.168.4.1"));
  t.true(isApClient("", "192.168.4.1"));
  t.false(isApClient("192.168.1.20", "192.168.4.1"));
  t.false(isApClient("192.168.40.2", "192.168.4.1"), "not a prefix match on the digits");
});

test("while the access point is up, every probe URL sends the phone to the setup page", (t) => {
  for (const path of CAPTIVE_PROBE_PATHS) {
    const r = routeRequest(path, "connectivitycheck.gstatic.com", "192.168.4.2", AP);
    t.deepEqual(r, { kind: "redirect", location: "http://192.168.4.1/setup" }, path);
  }
  // Apple asks its own host for /hotspot-detect.html; Windows asks www.msftconnecttest.com.
  t.is(routeRequest("/hotspot-detect.html", "captive.apple.com", "192.168.4.3", AP).kind, "redirect");
  t.is(routeRequest("/anything", "example.com", "192.168.4.3", AP).kind, "redirect", "a foreign host name, any path");
});

test("requests for the device itself are served, also in AP mode", (t) => {
  t.is(routeRequest("/setup", "192.168.4.1", "192.168.4.2", AP).kind, "setup-page");
  t.deepEqual(routeRequest("/api/setup/scan", "192.168.4.1", "192.168.4.2", AP), { kind: "setup-api", name: "scan" });
  t.is(routeRequest("/rpc/Shelly.GetStatus", "192.168.4.1", "192.168.4.2", AP).kind, "other");
  t.is(routeRequest("/", "shellypro3em-aabbccddeeff.local", "192.168.4.2", AP).kind, "other");
  t.is(routeRequest("/", undefined, "192.168.4.2", AP).kind, "other", "HTTP/1.0 without Host");
});

test("a battery on the home network is never redirected, even while the access point is up", (t) => {
  t.is(routeRequest("/rpc/EM.GetStatus", "shelly.fritz.box", "192.168.1.20", AP).kind, "other");
  t.is(routeRequest("/generate_204", "connectivitycheck.gstatic.com", "192.168.1.20", AP).kind, "other");
});

test("without the access point nothing is redirected", (t) => {
  t.is(routeRequest("/generate_204", "connectivitycheck.gstatic.com", "192.168.4.2", STATION).kind, "other");
  t.is(routeRequest("/setup", "192.168.1.50", "192.168.1.20", STATION).kind, "setup-page");
});

// ---- setup API ----

const STATUS = {
  station: "off", apOn: true, ssid: "", ip: "", apSsid: "ir2shelly-EEFF", apIp: "192.168.4.1", failure: null,
  deviceId: "shellypro3em-aabbccddeeff", meter: "ok", firmware: "test", uptimeS: 5,
};

function ctx(values = defaultValues()): SetupContext {
  return { values, status: STATUS, scan: { scanning: false, networks: [] }, scanAgeMs: Infinity };
}

function req(name: string, method: string, body = "", extra: Partial<SetupRequest> = {}): SetupRequest {
  return { name, method, body, authorized: true, crossSite: null, salt: "00112233aabbccdd", ...extra };
}

test("status needs no password; settings and scan do", (t) => {
  t.is(handleSetupApi(req("status", "GET", "", { authorized: false }), ctx()).status, 200);
  const denied = handleSetupApi(req("settings", "GET", "", { authorized: false }), ctx());
  t.is(denied.status, 401);
  t.true(JSON.parse(denied.body).login);
  t.is(handleSetupApi(req("scan", "GET", "", { authorized: false }), ctx()).status, 401);
  t.is(handleSetupApi(req("nope", "GET"), ctx()).status, 404);
});

test("a cross-site POST is refused before anything else", (t) => {
  const r = handleSetupApi(req("settings", "POST", '{"wifi.ssid":"x"}', { crossSite: "Cross-site request refused." }), ctx());
  t.is(r.status, 403);
  t.is(r.action.kind, "none");
});

test("settings: secrets are blanked, with whether they are set", (t) => {
  const values = defaultValues();
  values["wifi.password"] = "hunter22";
  const r = handleSetupApi(req("settings", "GET"), ctx(values));
  const body = JSON.parse(r.body);
  t.is(body.values["wifi.password"], "");
  t.true(body.secretsSet["wifi.password"]);
  t.false(body.secretsSet["admin.password"]);
  t.deepEqual(body.values["emulation.udpPorts"], [1010, 2220]);
  t.is(Object.keys(publicValues(values).values).length, SCHEMA.length);
});

test("saving WiFi credentials means: join", (t) => {
  const r = handleSetupApi(req("settings", "POST", JSON.stringify({ "wifi.ssid": "Home", "wifi.password": "correct horse" })), ctx());
  t.is(r.status, 200);
  t.is(r.action.kind, "save");
  if (r.action.kind !== "save") return;
  t.is(r.action.effect, "join");
  t.deepEqual([...r.action.changed], ["wifi.ssid", "wifi.password"]);
  t.is(r.action.values["wifi.ssid"], "Home");
});

test("meter pins need a restart; unchanged values are no change at all", (t) => {
  const values = defaultValues();
  const same = handleSetupApi(req("settings", "POST", JSON.stringify({ "meter.baud": values["meter.baud"] })), ctx(values));
  t.is(same.action.kind, "none");
  t.deepEqual(JSON.parse(same.body).changed, []);
  const plan = planSave(values, { "meter.rxPin": 4, "wifi.ssid": "Home" });
  t.true(plan.ok);
  if (plan.ok) t.is(plan.effect, "restart", "restart wins over join");
});

test("the admin password is stored hashed and applies live", (t) => {
  const plan = planSave(defaultValues(), { "admin.password": "geheim123" }, "00112233aabbccdd");
  t.true(plan.ok);
  if (!plan.ok) return;
  t.is(plan.effect, "live");
  t.not(plan.values["admin.password"], "geheim123");
  t.regex(String(plan.values["admin.password"]), /^s256i\$/);
});

test("invalid values are reported per field and nothing is saved", (t) => {
  const r = handleSetupApi(req("settings", "POST", JSON.stringify({ "wifi.password": "short", "meter.baud": 1234, bogus: 1 })), ctx());
  t.is(r.status, 400);
  t.is(r.action.kind, "none");
  const errors = JSON.parse(r.body).errors;
  t.truthy(errors["wifi.password"]);
  t.truthy(errors["meter.baud"]);
  t.false("bogus" in errors);
  t.deepEqual(JSON.parse(r.body).unknown, ["bogus"]);
  const onlyUnknown = handleSetupApi(req("settings", "POST", JSON.stringify({ "meter.baud": 2400, bogus: 1, other: 2 })), ctx());
  t.is(onlyUnknown.status, 400, "a valid change with an unknown name is not saved");
  t.is(onlyUnknown.action.kind, "none");
  t.is(JSON.parse(onlyUnknown.body).message, 'Not saved: unknown settings "bogus", "other".');
  t.is(handleSetupApi(req("settings", "POST", "[1,2]"), ctx()).status, 400);
  t.is(handleSetupApi(req("settings", "POST", "{"), ctx()).status, 400);
  t.is(handleSetupApi(req("settings", "POST", "[".repeat(100)), ctx()).status, 400, "deep nesting is refused before parsing");
});

test("scan: an old result starts a new scan; a running scan is reported as such", (t) => {
  const stale = handleSetupApi(req("scan", "GET"), ctx());
  t.is(stale.action.kind, "scan");
  t.true(JSON.parse(stale.body).scanning);
  const fresh = handleSetupApi(req("scan", "GET"), { ...ctx(), scanAgeMs: 1000, scan: { scanning: false, networks: [{ ssid: "A", rssi: -50, auth: "none" }] } });
  t.is(fresh.action.kind, "none");
  t.deepEqual(JSON.parse(fresh.body), { scanning: false, networks: [{ ssid: "A", rssi: -50, auth: "none" }] });
});

test("scan results: strongest per SSID, hidden ones dropped, strongest first, limited", (t) => {
  const list = summarizeScan([
    { ssid: "B", rssi: -80, auth: "wpa2_psk" },
    { ssid: "", rssi: -30, auth: "wpa2_psk" },
    { ssid: "A", rssi: -70, auth: "none" },
    { ssid: "B", rssi: -60, auth: "wpa2_psk" },
  ]);
  t.deepEqual(list.map((n) => n.ssid + n.rssi), ["B-60", "A-70"]);
  t.is(summarizeScan(Array.from({ length: 50 }, (_, i) => ({ ssid: "n" + i, rssi: -i, auth: "none" })), 20).length, 20);
});

test("the setup page has a control for every setting, named by its key", (t) => {
  for (const spec of SCHEMA) t.true(SETUP_PAGE_HTML.includes('name="' + spec.key + '"'), spec.key);
  t.true(SETUP_PAGE_HTML.includes("id=scan"));
  t.true(SETUP_PAGE_HTML.length < 12_000, `small enough for the device (${SETUP_PAGE_HTML.length} characters)`);
  t.is(escapeHtml(`<a href="x">'&'</a>`), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
});

// ---- LED ----

test("LED: blink patterns by state", (t) => {
  t.is(ledState(true, false, true), "portal");
  t.is(ledState(false, false, true), "connecting");
  t.is(ledState(true, true, true), "ok", "connected (access point in its grace period)");
  t.is(ledState(false, true, false), "no-meter");
  const lit = (state: Parameters<typeof ledLevel>[0]) => Array.from({ length: 20 }, (_, i) => ledLevel(state, i * 100)).filter(Boolean).length;
  t.is(lit("ok"), 20);
  t.is(lit("portal"), 10);
  t.is(lit("connecting"), 10);
  t.is(lit("no-meter"), 1);
  t.is(ledLevel("portal", -100), ledLevel("portal", 1900), "negative times wrap");
});

// ---- OTA image check ----

function image(chip: number, length = 64): Uint8Array {
  const bytes = new Uint8Array(length);
  bytes[0] = ESP_IMAGE_MAGIC;
  bytes[12] = chip & 0xff;
  bytes[13] = chip >> 8;
  return bytes;
}

test("OTA: a correct image in small chunks passes", (t) => {
  const check = new OtaUploadCheck({ declaredLength: 64, maxBytes: 1000, chipId: CHIP_IDS.esp32c3 });
  t.is(check.begin(), null);
  const img = image(CHIP_IDS.esp32c3);
  for (let i = 0; i < img.length; i += 5) t.is(check.push(img.subarray(i, i + 5)), null);
  t.is(check.finish(), null);
  t.is(check.received, 64);
});

test("OTA: refusals in words", (t) => {
  t.regex(new OtaUploadCheck({ declaredLength: null, maxBytes: 1000, chipId: 0 }).begin() ?? "", /Content-Length/);
  t.regex(new OtaUploadCheck({ declaredLength: 5000, maxBytes: 1000, chipId: 0 }).begin() ?? "", /larger than the update partition/);
  const merged = new OtaUploadCheck({ declaredLength: 64, maxBytes: 1000, chipId: 0 });
  t.regex(merged.push(new Uint8Array(64)) ?? "", /not an ESP32 firmware image/);
  const wrongChip = new OtaUploadCheck({ declaredLength: 64, maxBytes: 1000, chipId: CHIP_IDS.esp32 });
  t.regex(wrongChip.push(image(CHIP_IDS.esp32s3)) ?? "", /built for esp32s3/);
  const short = new OtaUploadCheck({ declaredLength: 64, maxBytes: 1000, chipId: null });
  short.push(image(0, 40));
  t.regex(short.finish() ?? "", /ended after 40 of 64/);
  const long = new OtaUploadCheck({ declaredLength: 64, maxBytes: 1000, chipId: null });
  t.regex(long.push(image(0, 80)) ?? "", /More bytes/);
});
