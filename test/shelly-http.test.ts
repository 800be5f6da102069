import test from "ava";
import fc from "fast-check";
import { parseQueryParams } from "../modules/shelly/json-input";
import { routeHttp, type HttpRequest } from "../modules/shelly/http-router";
import { DEVICE_ID, makeRig } from "./shelly-helpers";

function req(method: string, path: string, query = "", body = "", headers: Record<string, string> = {}): HttpRequest {
  return { method, path, query, headers, body };
}

const json = (body: string) => JSON.parse(body) as Record<string, unknown>;

test("headers like the real device", (t) => {
  const { device } = makeRig();
  const r = routeHttp(device, req("GET", "/rpc/EM.GetStatus", "id=0"));
  t.is(r.status, 200);
  t.deepEqual(r.headers, { Server: "ShellyHTTP/1.0.0", "Access-Control-Allow-Origin": "*", "Content-Type": "application/json" });
});

test("GET /shelly is Gen2 device info", (t) => {
  const { device } = makeRig();
  const r = routeHttp(device, req("GET", "/shelly"));
  t.is(r.status, 200);
  t.is(json(r.body).gen, 2);
  t.is(json(r.body).id, DEVICE_ID);
});

test("GET query parsing: numbers, booleans, plain strings, URL-encoded JSON", (t) => {
  t.deepEqual(parseQueryParams("id=0"), { id: 0 });
  t.deepEqual(parseQueryParams("ident=true"), { ident: true });
  t.deepEqual(parseQueryParams("name=foo"), { name: "foo" });
  t.deepEqual(parseQueryParams('name="x%20y"'), { name: "x y" });
  t.deepEqual(parseQueryParams("config=%7B%22enable%22%3Atrue%7D"), { config: { enable: true } });
  t.deepEqual(parseQueryParams("tz=Etc/GMT+1&esp"), { tz: "Etc/GMT+1", esp: true });
  t.deepEqual(parseQueryParams("id=1&id=2&&=3&name=%E0%A4%A"), { id: 2, name: "%E0%A4%A" });
  t.deepEqual(parseQueryParams("keys=%5B%22em%3A0%22%5D"), { keys: ["em:0"] });
  t.deepEqual(parseQueryParams("__proto__=1&offset=null"), { offset: null });
  const unknown: string[] = [];
  t.deepEqual(parseQueryParams("id=0&_=1732700000&x=1", unknown), { id: 0 }, "names nothing reads are dropped (XS never frees a name)");
  t.deepEqual(unknown, ["_", "x"]);
  t.deepEqual(parseQueryParams(""), {});
});

test("GET /rpc/<Method>?query reaches the method", (t) => {
  const { device } = makeRig();
  t.is(json(routeHttp(device, req("GET", "/rpc/EM.GetStatus", "id=0")).body).id, 0);
  t.is(routeHttp(device, req("GET", "/rpc/EM.GetStatus", "id=3")).status, 500);
  t.is(routeHttp(device, req("GET", "/rpc/Shelly.GetDeviceInfo", "ident=true")).status, 200);
  // Growatt's bare flag.
  t.is(routeHttp(device, req("GET", "/rpc/Shelly.GetStatus", "esp")).status, 200);
  // The query may come attached to the path.
  t.is(json(routeHttp(device, req("GET", "/rpc/EM.GetStatus?id=0")).body).id, 0);
  const set = routeHttp(device, req("GET", "/rpc/EM.SetConfig", "id=0&config=%7B%22name%22%3A%22Grid%22%7D"));
  t.deepEqual(json(set.body), { restart_required: false });
  t.is(json(routeHttp(device, req("GET", "/rpc/EM.GetConfig", "id=0")).body).name, "Grid");
  const comps = json(routeHttp(device, req("GET", "/rpc/Shelly.GetComponents", 'keys=["sys"]&include=["config"]')).body);
  t.deepEqual((comps.components as { key: string }[]).map((c) => c.key), ["sys"]);
});

test("POST /rpc/<Method>: the body is params (evcc), extra keys ignored", (t) => {
  const { device } = makeRig();
  const r = routeHttp(device, req("POST", "/rpc/EMData.GetStatus", "", '{"id":0,"src":"evcc","method":"EMData.GetStatus"}'));
  t.is(r.status, 200);
  t.deepEqual(Object.keys(json(r.body)).slice(-2), ["total_act", "total_act_ret"]);
  const list = routeHttp(device, req("POST", "/rpc/Shelly.ListMethods", "", '{"id":0,"src":"evcc","method":"Shelly.ListMethods"}'));
  t.true((json(list.body).methods as string[]).includes("EM.GetStatus"));
  // Empty POST body: the query supplies params.
  t.is(routeHttp(device, req("POST", "/rpc/EM.GetStatus", "id=0", "")).status, 200);
});

test("POST /rpc/<Method> with a bad body: -103, HTTP 500", (t) => {
  const { device } = makeRig();
  const bad = routeHttp(device, req("POST", "/rpc/EM.GetStatus", "", "{id:0"));
  t.is(bad.status, 500);
  t.deepEqual(json(bad.body), { code: -103, message: "Invalid JSON" });
  const arr = routeHttp(device, req("POST", "/rpc/EM.GetStatus", "", "[0]"));
  t.is(json(arr.body).code, -103);
  const deep = routeHttp(device, req("POST", "/rpc/EM.GetStatus", "", '{"a":' + "[".repeat(40) + "]".repeat(40) + "}"));
  t.is(deep.status, 500);
  t.regex(String(json(deep.body).message), /nested deeper than 16/);
});

test("POST /rpc: frame in, frame out, always 200", (t) => {
  const { device } = makeRig();
  const ok = routeHttp(device, req("POST", "/rpc", "", '{"id":5,"src":"ha","method":"Sys.GetStatus"}'));
  t.is(ok.status, 200);
  t.deepEqual(Object.keys(json(ok.body)), ["id", "src", "dst", "result"]);
  const err = routeHttp(device, req("POST", "/rpc", "", '{"id":6,"src":"ha","method":"Nope.Nope"}'));
  t.is(err.status, 200);
  t.deepEqual(json(err.body).error, { code: 404, message: "No handler for Nope.Nope" });
  const junk = routeHttp(device, req("POST", "/rpc", "", "garbage"));
  t.is(junk.status, 200);
  t.deepEqual(json(junk.body), { id: null, src: DEVICE_ID, dst: "unknown", error: { code: -103, message: "Invalid JSON" } });
  const note = routeHttp(device, req("POST", "/rpc", "", '{"src":"ha","method":"Sys.GetStatus"}'));
  t.is(note.status, 200);
  t.is(note.body, "", "a notification gets no frame");
  t.is(routeHttp(device, req("GET", "/rpc")).status, 404);
});

test("stale meter over HTTP: 503 with -114, and Gen1 too", (t) => {
  const { device, grid } = makeRig();
  grid.view = null;
  for (const path of ["/rpc/Shelly.GetStatus", "/rpc/EM.GetStatus", "/status", "/emeter/0"]) {
    const r = routeHttp(device, req("GET", path, "id=0"));
    t.is(r.status, 503, path);
    t.is(json(r.body).code, -114, path);
  }
  t.is(routeHttp(device, req("GET", "/shelly")).status, 200);
  t.is(routeHttp(device, req("GET", "/settings")).status, 200);
});

test("OPTIONS answers the CORS preflight", (t) => {
  const { device } = makeRig();
  const r = routeHttp(device, req("OPTIONS", "/rpc/EM.GetStatus"));
  t.is(r.status, 200);
  t.is(r.body, "");
  t.is(r.headers["Access-Control-Allow-Origin"], "*");
  t.regex(r.headers["Access-Control-Allow-Methods"], /POST/);
});

test("unknown paths and methods: 404", (t) => {
  const { device } = makeRig();
  for (const path of ["/", "/foo", "/rpc/", "/emeter/3", "/emeter/x", "/shelly/", "/settings/emeter/5", "/RPC/EM.GetStatus"]) {
    const r = routeHttp(device, req("GET", path));
    t.is(r.status, 404, path);
  }
  t.is(routeHttp(device, req("GET", "/foo")).body, "Not Found");
  t.is(routeHttp(device, req("DELETE", "/rpc/EM.GetStatus")).status, 404);
  const rpc404 = routeHttp(device, req("GET", "/rpc/"));
  t.deepEqual(json(rpc404.body), { code: 404, message: "No handler for " });
});

test("oversized bodies are refused with 413", (t) => {
  const { device } = makeRig();
  const body = JSON.stringify({ id: 0, pad: "x".repeat(5000) });
  const r = routeHttp(device, req("POST", "/rpc/EM.GetStatus", "", body));
  t.is(r.status, 413);
  t.is(json(r.body).code, -108);
  t.is(routeHttp(device, req("POST", "/rpc/EM.GetStatus", "", body), { maxBodyChars: 8192 }).status, 200);
});

test("Gen1 /status, /emeter/<i>, /settings", (t) => {
  const { device } = makeRig();
  const status = json(routeHttp(device, req("GET", "/status")).body);
  const emeters = status.emeters as { power: number; total: number; total_returned: number; is_valid: boolean }[];
  t.is(emeters.length, 3);
  t.deepEqual(
    emeters.map((e) => e.power),
    [266.5, 1.1, 213.3],
  );
  t.is(emeters[1].total_returned, 35.2);
  t.true(emeters.every((e) => e.is_valid));
  t.is(status.total_power, 480.92);
  t.is(status.mac, "AABBCCDDEEFF");
  const raw = routeHttp(device, req("GET", "/emeter/2")).body;
  t.is(raw, '{"power":213.30,"pf":0.68,"current":1.69,"voltage":244.50,"is_valid":true,"total":652717.2,"total_returned":0.0}');
  t.false(json(routeHttp(device, req("GET", "/settings")).body).discoverable === undefined);
});

test("property: nothing a peer sends makes the router throw", (t) => {
  const rig = makeRig();
  const authed = makeRig();
  authed.device.replaceSettings({ ...authed.device.settings, authHa1: "ab".repeat(32) });
  const methods = ["EM.GetStatus", "Shelly.GetStatus", "Sys.SetConfig", "Shelly.GetComponents", "Shelly.SetAuth", "Ws.SetConfig", "X"];
  const frame = fc.record(
    {
      id: fc.oneof(fc.integer(), fc.string(), fc.constant(null)),
      src: fc.oneof(fc.string(), fc.integer()),
      method: fc.oneof(fc.constantFrom(...methods), fc.string()),
      params: fc.oneof(fc.jsonValue(), fc.dictionary(fc.constantFrom("id", "config", "offset", "keys", "include", "ha1", "user", "realm"), fc.jsonValue())),
      auth: fc.jsonValue(),
    },
    { requiredKeys: [] },
  );
  const request = fc.record({
    method: fc.constantFrom("GET", "POST", "OPTIONS", "PUT"),
    path: fc.oneof(fc.constantFrom("/rpc", "/shelly", "/status", "/emeter/1", "/settings"), fc.string().map((s) => "/rpc/" + s), fc.string()),
    query: fc.string(),
    authorization: fc.option(fc.oneof(fc.string(), fc.string().map((s) => "Digest " + s), fc.string().map((s) => "Basic " + s))),
    body: fc.oneof(fc.string(), frame.map((f) => JSON.stringify(f)), fc.jsonValue().map((v) => JSON.stringify(v))),
  });
  fc.assert(
    fc.property(request, fc.boolean(), (r, useAuth) => {
      const device = useAuth ? authed.device : rig.device;
      const headers: Record<string, string> = r.authorization === null ? {} : { authorization: r.authorization };
      const res = routeHttp(device, { method: r.method, path: r.path, query: r.query, headers, body: r.body });
      if (res.headers["Content-Type"] === "application/json") JSON.parse(res.body);
      return res.status >= 200 && res.status < 600;
    }),
    { numRuns: 3000 },
  );
  fc.assert(
    fc.property(frame, fc.constantFrom("ws", "udp", "http", "mqtt") as fc.Arbitrary<"ws" | "udp" | "http" | "mqtt">, (f, channel) => {
      const { reply } = authed.device.handleFrame(f, channel);
      if (reply !== null) JSON.parse(reply);
      return true;
    }),
    { numRuns: 3000 },
  );
  t.pass();
});
