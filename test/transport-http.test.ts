// Bad input over real TCP sockets against `ir2shelly serve`: each case gets the real
// device's error (or a clean HTTP error and close), within bounded time, and the next
// request is served normally.

import test, { type ExecutionContext } from "ava";
import { DZG_POWER_W, http, rawHttp, serve } from "./support/consumers";
import type { ServeProcess } from "./support/processes";

async function stillServes(t: ExecutionContext, s: ServeProcess): Promise<void> {
  const r = await http(s.port, "/rpc/EM.GetStatus?id=0");
  t.is(r.status, 200, "the next request is served");
  t.is(r.body.total_act_power, DZG_POWER_W);
}

const statusOf = (data: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0);
const bodyOf = (data: string) => data.slice(data.indexOf("\r\n\r\n") + 4);

test("malformed requests: 400 and close", async (t) => {
  const s = await serve(t);
  for (const bytes of [
    "\x00\x01\x02\x03 garbage\r\n\r\n",
    "GET /shelly HTTP/9.9\r\n\r\n",
    "GET /shelly HTTP/1.1\r\nHost x\r\n\r\n",
    "POST /rpc HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
    "POST /rpc HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 7919) & 0xff)),
  ]) {
    const r = await rawHttp(s.port, bytes);
    t.is(statusOf(r.data), 400, JSON.stringify(bytes.toString().slice(0, 40)));
    t.true(r.closed);
  }
  await stillServes(t, s);
});

test("oversized headers → 431; oversized bodies → 413 with the -108 error, connection closed", async (t) => {
  const s = await serve(t);
  const big = await rawHttp(s.port, `GET /rpc/EM.GetStatus?id=0 HTTP/1.1\r\nHost: x\r\nX-Pad: ${"a".repeat(20_000)}\r\n\r\n`);
  t.is(statusOf(big.data), 431);
  t.true(big.closed);
  const manyHeaders = await rawHttp(s.port, `GET /shelly HTTP/1.1\r\n${Array.from({ length: 2000 }, (_, i) => `X-${i}: v`).join("\r\n")}\r\n\r\n`);
  t.is(statusOf(manyHeaders.data), 431);

  // Declared too large: refused before reading.
  const declared = await rawHttp(s.port, "POST /rpc HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n{");
  t.is(statusOf(declared.data), 413);
  t.deepEqual(JSON.parse(bodyOf(declared.data)).code, -108);
  t.true(declared.closed);

  // Chunked, growing past the limit.
  const chunk = "4000\r\n" + "[".repeat(0x4000) + "\r\n";
  const chunked = await rawHttp(s.port, "POST /rpc HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk + chunk + chunk);
  t.is(statusOf(chunked.data), 413);
  t.true(chunked.closed);

  // Between the core's 4096 characters and the transport's 16 KiB: the core's 413.
  const mid = await http(s.port, "/rpc", { method: "POST", body: JSON.stringify({ id: 1, method: "EM.GetStatus", params: { id: 0, pad: "x".repeat(6000) } }) });
  t.is(mid.status, 413);
  t.is(mid.body.code, -108);
  await stillServes(t, s);
});

test("invalid JSON, deep nesting, wrong params, unknown methods and paths: the device's errors", async (t) => {
  const s = await serve(t);
  const post = (path: string, body: string) => http(s.port, path, { method: "POST", body, headers: { "Content-Type": "application/json" } });

  const frameJunk = await post("/rpc", "{not json");
  t.is(frameJunk.status, 200, "POST /rpc answers 200 even for errors");
  t.is(frameJunk.body.id, null);
  t.is(frameJunk.body.error.code, -103);

  const restJunk = await post("/rpc/EM.GetStatus", "{not json");
  t.is(restJunk.status, 500);
  t.is(restJunk.body.code, -103);

  const deep = await post("/rpc", "[".repeat(2000) + "]".repeat(2000));
  t.is(deep.status, 200);
  t.is(deep.body.error.code, -103);
  t.regex(deep.body.error.message, /nested/);
  const deepRest = await post("/rpc/EM.GetStatus", `{"id":0,"x":${"{\"a\":".repeat(100)}1${"}".repeat(100)}}`);
  t.is(deepRest.status, 500);
  t.is(deepRest.body.code, -103);

  const notAFrame = await post("/rpc", "[1,2,3]");
  t.is(notAFrame.body.error.code, -103);
  const noMethod = await post("/rpc", '{"id":5,"src":"x"}');
  t.deepEqual(noMethod.body.error, { code: -103, message: "Missing required 'method'" });
  t.is(noMethod.body.id, 5);
  const badParams = await post("/rpc", '{"id":6,"method":"EM.GetStatus","params":[0]}');
  t.is(badParams.body.error.code, -103);

  const wrongType = await http(s.port, '/rpc/EM.GetStatus?id="zero"');
  t.is(wrongType.status, 500);
  t.is(wrongType.body.code, -103);
  const missing = await http(s.port, "/rpc/EM.GetStatus");
  t.deepEqual(missing.body, { code: -103, message: "Missing required 'id'" });
  const badId = await http(s.port, "/rpc/EM.GetStatus?id=7");
  t.is(badId.status, 500);
  t.deepEqual(badId.body, { code: -105, message: "Bad id=7" });
  const offsetType = await http(s.port, '/rpc/Shelly.GetComponents?offset="a"');
  t.is(offsetType.body.code, -103);

  const unknownMethod = await http(s.port, "/rpc/Foo.Bar");
  t.is(unknownMethod.status, 404);
  t.deepEqual(unknownMethod.body, { code: 404, message: "No handler for Foo.Bar" });
  const unknownFrame = await post("/rpc", '{"id":9,"src":"t","method":"Switch.Set","params":{"id":0,"on":true}}');
  t.deepEqual(unknownFrame.body.error, { code: 404, message: "No handler for Switch.Set" });
  for (const path of ["/nothing", "/rpc/", "/emeter/3", "/../../etc/passwd", "/%ff%fe", "/api/none"]) {
    const r = await http(s.port, path);
    t.is(r.status, 404, path);
  }
  const getRpc = await http(s.port, "/rpc");
  t.is(getRpc.status, 404);
  await stillServes(t, s);
});

test("pipelined keep-alive requests are answered in order; half-open connections are closed", async (t) => {
  const s = await serve(t);
  const three = "GET /rpc/EM.GetStatus?id=0 HTTP/1.1\r\nHost: x\r\n\r\n".repeat(2) + "GET /shelly HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  const piped = await rawHttp(s.port, three, 3000);
  t.is(piped.data.match(/HTTP\/1\.1 200 OK/g)?.length, 3);
  t.true(piped.closed);

  // Headers never finished, nothing sent at all, a body that never comes: all closed within
  // the header/request timeouts (5 s / 10 s) instead of holding a socket forever.
  const [partial, silent, noBody] = await Promise.all([
    rawHttp(s.port, "GET /shelly HTTP/1.1\r\nHost: x\r\n", 20_000),
    rawHttp(s.port, null, 20_000),
    rawHttp(s.port, "POST /rpc HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{", 20_000),
  ]);
  for (const [name, r] of [["partial", partial], ["silent", silent], ["noBody", noBody]] as const) {
    t.true(r.closed, `${name} closed`);
    t.true(r.ms < 15_000, `${name} closed after ${Math.round(r.ms)} ms`);
  }
  t.is(statusOf(partial.data), 408);
  await stillServes(t, s);
});

test("a flood of idle connections is bounded and drained; service resumes", async (t) => {
  const s = await serve(t);
  const all = await Promise.all(Array.from({ length: 160 }, () => rawHttp(s.port, null, 15_000)));
  const early = all.filter((r) => r.closed && r.ms < 3000).length;
  t.true(early >= 160 - 128, `${early} connections above the cap were closed at once`);
  t.true(all.every((r) => r.closed), "the rest time out");
  await stillServes(t, s);
});
