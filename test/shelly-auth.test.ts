// Digest authentication round trips. Every digest a client would send is computed here
// with node:crypto, independently of the core's own SHA-256.

import { createHash, randomBytes } from "node:crypto";
import test from "ava";
import { parseDigestHeader } from "../modules/shelly/digest-auth";
import { routeHttp, type HttpRequest } from "../modules/shelly/http-router";
import { DEVICE_ID, makeRig, rest } from "./shelly-helpers";

const sha = (s: string) => createHash("sha256").update(s).digest("hex");
const PASSWORD = "s3cret pässword";
const HA1 = sha(`admin:${DEVICE_ID}:${PASSWORD}`);

function authRig() {
  const rig = makeRig();
  const r = rig.device.call("Shelly.SetAuth", { user: "admin", realm: DEVICE_ID, ha1: HA1 }, false);
  if (r !== "null") throw new Error("SetAuth failed: " + JSON.stringify(r));
  return rig;
}

function req(method: string, path: string, headers: Record<string, string> = {}, body = "", query = ""): HttpRequest {
  return { method, path, query, headers, body };
}

/** What a client (evcc's digest transport, ioBroker) sends after a 401. */
function digestHeader(challenge: string, method: string, uri: string, opts: { password?: string; nc?: string } = {}): string {
  // Split the way ioBroker does: on ", " then on the first "=".
  const fields: Record<string, string> = {};
  for (const part of challenge.replace(/^Digest /, "").split(", ")) {
    const eq = part.indexOf("=");
    fields[part.slice(0, eq)] = part.slice(eq + 1).replace(/^"|"$/g, "");
  }
  const ha1 = sha(`admin:${fields.realm}:${opts.password ?? PASSWORD}`);
  const ha2 = sha(`${method}:${uri}`);
  const cnonce = randomBytes(8).toString("hex");
  const nc = opts.nc ?? "00000001";
  const response = sha(`${ha1}:${fields.nonce}:${nc}:${cnonce}:auth:${ha2}`);
  return (
    `Digest username="admin", realm="${fields.realm}", nonce="${fields.nonce}", uri="${uri}", ` +
    `cnonce="${cnonce}", nc=${nc}, qop=auth, response="${response}", algorithm=SHA-256`
  );
}

test("auth is off by default and GetDeviceInfo says so", (t) => {
  const { device } = makeRig();
  t.false(device.authEnabled);
  t.is(rest(device, "EM.GetStatus", { id: 0 }).status, 200);
});

test("HTTP challenge has the documented format", (t) => {
  const { device, host } = authRig();
  const r = routeHttp(device, req("GET", "/rpc/EM.GetStatus", {}, "", "id=0"));
  t.is(r.status, 401);
  t.is(r.body, "");
  const nonce = Math.floor(host.unix!).toString(16);
  t.is(r.headers["WWW-Authenticate"], `Digest qop="auth", realm="${DEVICE_ID}", nonce="${nonce}", algorithm=SHA-256`);
  t.deepEqual(parseDigestHeader(r.headers["WWW-Authenticate"]), { qop: "auth", realm: DEVICE_ID, nonce, algorithm: "SHA-256" });
  t.deepEqual(parseDigestHeader('Digest username="admin", x-random-1732="1", __proto__="p", NC=00000001'), { username: "admin", nc: "00000001" }, "only RFC 7616 parameters become properties");
});

test("HTTP digest round trip: GET and POST /rpc/<Method>", (t) => {
  const { device } = authRig();
  const challenge = routeHttp(device, req("GET", "/rpc/EM.GetStatus")).headers["WWW-Authenticate"];
  const ok = routeHttp(
    device,
    req("GET", "/rpc/EM.GetStatus", { authorization: digestHeader(challenge, "GET", "/rpc/EM.GetStatus?id=0") }, "", "id=0"),
  );
  t.is(ok.status, 200);
  t.is((JSON.parse(ok.body) as { id: number }).id, 0);
  const post = routeHttp(
    device,
    req("POST", "/rpc/EMData.GetStatus", { authorization: digestHeader(challenge, "POST", "/rpc/EMData.GetStatus") }, '{"id":0,"src":"evcc","method":"EMData.GetStatus"}'),
  );
  t.is(post.status, 200);
  t.truthy((JSON.parse(post.body) as { total_act: number }).total_act);
});

test("HTTP digest is refused with a wrong password, wrong method or an old nonce", (t) => {
  const { device, host } = authRig();
  const challenge = device.httpChallenge();
  const wrongPw = digestHeader(challenge, "GET", "/rpc/Sys.GetStatus", { password: "nope" });
  t.is(routeHttp(device, req("GET", "/rpc/Sys.GetStatus", { authorization: wrongPw })).status, 401);
  const forPost = digestHeader(challenge, "POST", "/rpc/Sys.GetStatus");
  t.is(routeHttp(device, req("GET", "/rpc/Sys.GetStatus", { authorization: forPost })).status, 401, "HA2 covers the method");
  const good = digestHeader(challenge, "GET", "/rpc/Sys.GetStatus");
  t.is(routeHttp(device, req("GET", "/rpc/Sys.GetStatus", { authorization: good })).status, 200);
  host.advance(3599_000);
  t.is(routeHttp(device, req("GET", "/rpc/Sys.GetStatus", { authorization: good })).status, 200, "nonce valid for an hour");
  host.advance(2_000);
  const late = routeHttp(device, req("GET", "/rpc/Sys.GetStatus", { authorization: good }));
  t.is(late.status, 401, "nonce older than an hour");
  t.not(late.headers["WWW-Authenticate"], challenge, "a fresh nonce is offered");
});

test("/shelly and Shelly.GetDeviceInfo stay open", (t) => {
  const { device } = authRig();
  t.is(routeHttp(device, req("GET", "/shelly")).status, 200);
  t.is(routeHttp(device, req("GET", "/rpc/Shelly.GetDeviceInfo")).status, 200);
  const info = JSON.parse(routeHttp(device, req("GET", "/shelly")).body) as { auth_en: boolean; auth_domain: string };
  t.true(info.auth_en);
  t.is(info.auth_domain, DEVICE_ID);
  const { reply } = device.handleFrame({ id: 1, src: "x", method: "shelly.getdeviceinfo" }, "ws");
  t.truthy((JSON.parse(reply!) as { result?: unknown }).result);
  t.is(routeHttp(device, req("GET", "/rpc/Shelly.GetStatus")).status, 401);
  t.is(routeHttp(device, req("GET", "/status")).status, 401, "Gen1 data is protected too");
});

/** The `auth` object aioshelly builds from a 401 challenge message. */
function frameAuth(message: string, nc: number | string | undefined, password = PASSWORD) {
  const ch = JSON.parse(message) as { auth_type: string; nonce: number; nc: number; realm: string; algorithm: string };
  const ha1 = sha(`admin:${ch.realm}:${password}`);
  const ha2 = sha("dummy_method:dummy_uri");
  const cnonce = randomBytes(16).toString("base64");
  const response = sha(`${ha1}:${ch.nonce}:${nc ?? 1}:${cnonce}:auth:${ha2}`);
  const auth: Record<string, unknown> = { realm: ch.realm, username: "admin", nonce: ch.nonce, cnonce, response, algorithm: "SHA-256" };
  if (nc !== undefined) auth.nc = nc;
  return { auth, challenge: ch };
}

test("frame challenge and auth round trip (aioshelly, shellies-ng, WallDisplay forms)", (t) => {
  const { device, host } = authRig();
  const first = JSON.parse(device.handleFrame({ id: 18, src: "aios-1", method: "EM.GetStatus", params: { id: 0 } }, "ws").reply!) as {
    error: { code: number; message: string };
  };
  t.is(first.error.code, 401);
  const { auth, challenge } = frameAuth(first.error.message, 1);
  t.is(challenge.auth_type, "digest");
  t.is(challenge.algorithm, "SHA-256");
  t.is(challenge.realm, DEVICE_ID);
  t.is(challenge.nonce, Math.floor(host.unix!));
  const ok = (a: Record<string, unknown>) =>
    (JSON.parse(device.handleFrame({ id: 19, src: "aios-1", method: "EM.GetStatus", params: { id: 0 }, auth: a }, "ws").reply!) as {
      result?: unknown;
      error?: { code: number };
    });
  t.truthy(ok(auth).result, "nc as number");
  t.truthy(ok(frameAuth(first.error.message, 2).auth).result, "aioshelly counts nc up");
  t.truthy(ok(frameAuth(first.error.message, "3").auth).result, "nc as string (WallDisplay)");
  const noNc = frameAuth(first.error.message, undefined).auth;
  t.truthy(ok(noNc).result, "no nc = 1 (shellies-ng)");
  t.truthy(ok(noNc).result, "the same auth object again is accepted");
  t.is(ok({ ...auth, response: "0".repeat(64) }).error?.code, 401);
  t.is(ok(frameAuth(first.error.message, 1, "wrong").auth).error?.code, 401);
  t.is(ok({ ...auth, algorithm: "MD5" }).error?.code, 401);
  host.advance(3601_000);
  t.is(ok(auth).error?.code, 401, "nonce expired");
});

test("frame auth over UDP and POST /rpc; HTTP Digest also authorises POST /rpc", (t) => {
  const { device } = authRig();
  const challenge = JSON.parse(device.handleFrame({ id: 1, method: "Sys.GetStatus" }, "udp").reply!) as { error: { message: string } };
  const { auth } = frameAuth(challenge.error.message, 1);
  const udp = JSON.parse(device.handleFrameText(JSON.stringify({ id: 2, method: "Sys.GetStatus", auth }), "udp").reply!) as { result?: unknown };
  t.truthy(udp.result);
  const noAuth = routeHttp(device, req("POST", "/rpc", {}, '{"id":3,"src":"c","method":"Sys.GetStatus"}'));
  t.is(noAuth.status, 200, "frame mode answers 200 even for errors");
  t.is((JSON.parse(noAuth.body) as { error: { code: number } }).error.code, 401);
  const header = digestHeader(device.httpChallenge(), "POST", "/rpc");
  const withHeader = routeHttp(device, req("POST", "/rpc", { authorization: header }, '{"id":3,"src":"c","method":"Sys.GetStatus"}'));
  t.truthy((JSON.parse(withHeader.body) as { result?: unknown }).result);
});

test("MQTT frames are not subject to auth", (t) => {
  const { device } = authRig();
  const r = JSON.parse(device.handleFrame({ id: 1, src: "iobroker-init", method: "Shelly.GetStatus" }, "mqtt").reply!) as { result?: unknown };
  t.truthy(r.result);
});

test("Gen1 endpoints accept Basic admin:<password>", (t) => {
  const { device } = authRig();
  const basic = (pw: string) => "Basic " + Buffer.from("admin:" + pw, "utf8").toString("base64");
  t.is(routeHttp(device, req("GET", "/status", { authorization: basic(PASSWORD) })).status, 200);
  t.is(routeHttp(device, req("GET", "/status", { authorization: basic("wrong") })).status, 401);
  t.is(routeHttp(device, req("GET", "/rpc/Sys.GetStatus", { authorization: basic(PASSWORD) })).status, 401, "Gen2 RPC is digest only");
});

test("Shelly.SetAuth validates, persists, and ha1:null turns auth off", (t) => {
  const rig = authRig();
  const { device, host } = rig;
  t.is(host.saved.at(-1)?.authHa1, HA1, "shell asked to persist");
  const denied = device.handleRest("Shelly.SetAuth", { user: "admin", realm: DEVICE_ID, ha1: null }, false);
  t.is(denied.status, 401, "changing auth needs auth");
  t.deepEqual(rest(makeRig().device, "Shelly.SetAuth", { user: "root", realm: DEVICE_ID, ha1: HA1 }).json, {
    code: -103,
    message: "Invalid argument 'user': must be 'admin'",
  });
  t.is(rest(makeRig().device, "Shelly.SetAuth", { user: "admin", realm: "other", ha1: HA1 }).json?.code, -103);
  t.is(rest(makeRig().device, "Shelly.SetAuth", { user: "admin", realm: DEVICE_ID, ha1: "xyz" }).json?.code, -103);
  t.deepEqual(rest(makeRig().device, "Shelly.SetAuth", { user: "admin", realm: DEVICE_ID }).json, {
    code: -103,
    message: "Missing required 'ha1'",
  });
  t.is(device.handleRest("Shelly.SetAuth", { user: "admin", realm: DEVICE_ID, ha1: null }, true).body, "null");
  t.false(device.authEnabled);
  t.is(host.saved.at(-1)?.authHa1, null);
  t.is(rest(device, "EM.GetStatus", { id: 0 }).status, 200);
});
