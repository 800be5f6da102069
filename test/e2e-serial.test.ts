// End to end on real bytes: a pseudo-terminal pair (socat) carries a meter capture at
// 9600 baud into `ir2shelly serve --serial`, and an HTTP client on 127.0.0.1 reads what a
// MaxxiCharge CCU reads. When the bytes stop, the data goes stale; new bytes recover it.

import test from "ava";
import { closeSync, openSync, writeSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fixture } from "./support/fixtures";
import { openPtyPair, startServe, writePaced } from "./support/processes";

const tmp = mkdtempSync(path.join(os.tmpdir(), "ir2shelly-e2e-"));

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers are checked field by field
async function getJson(port: number, pathname: string): Promise<{ status: number; body: Record<string, any>; text: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${pathname}`);
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text), text };
}

async function until<T>(what: () => Promise<T>, ok: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await what();
  while (!ok(last) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    last = await what();
  }
  return last;
}

test("serial capture at 9600 baud → total_act_power; stale → -114/503; recovery", async (t) => {
  const pty = await openPtyPair();
  const serve = await startServe(["--no-mdns", "--serial", pty.readerEnd, "--baud", "9600", "--stale-after", "3", "--settings", path.join(tmp, "s1.json"), "--mac", "AABBCC112233"]);
  const fd = openSync(pty.meterEnd, "w");
  t.teardown(async () => {
    closeSync(fd);
    await serve.stop();
    await pty.close();
  });

  // Before any frame: no data, an error rather than zeros.
  const before = await getJson(serve.port, "/rpc/EM.GetStatus?id=0");
  t.is(before.status, 503);
  t.is(before.body.code, -114);

  // DZG DVS-7420: 16.7.0 = 215.99 W.
  await writePaced(fd, fixture("sml/dzg-dvs7420-1.bin"), 9600, writeSync);
  const fresh = await until(() => getJson(serve.port, "/rpc/Shelly.GetStatus"), (r) => r.status === 200, 3000);
  t.is(fresh.status, 200, fresh.text);
  t.is(fresh.body["em:0"].total_act_power, 215.99);
  t.regex(fresh.text, /"total_act_power":215\.990/);
  t.is(fresh.body["emdata:0"].total_act, 607447.1);
  const em = await getJson(serve.port, "/rpc/EM.GetStatus?id=0");
  t.is(em.body.total_act_power, 215.99);
  const shelly = await getJson(serve.port, "/shelly");
  t.is(shelly.body.id, "shellypro3em-aabbcc112233");
  t.is(shelly.body.gen, 2);

  // The bytes stop: after 3 s the meter data is unavailable.
  const stale = await until(() => getJson(serve.port, "/rpc/EM.GetStatus?id=0"), (r) => r.status === 503, 6000);
  t.is(stale.status, 503);
  t.is(stale.body.code, -114);
  const staleStatus = await getJson(serve.port, "/rpc/Shelly.GetStatus");
  t.is(staleStatus.status, 503);

  // New bytes from another meter: Iskra MT175 feeding in, -4308 W.
  await writePaced(fd, fixture("sml/iskra-mt175-1.bin"), 9600, writeSync);
  const recovered = await until(() => getJson(serve.port, "/rpc/EM.GetStatus?id=0"), (r) => r.status === 200, 3000);
  t.is(recovered.body.total_act_power, -4308);
  // The phases (-1392, -1432, -1482 W) miss the total by 2 W; the rest is spread evenly, so
  // the printed phases (one decimal each) add up to the total within their rounding.
  const sum = recovered.body.a_act_power + recovered.body.b_act_power + recovered.body.c_act_power;
  t.true(Math.abs(sum - -4308) <= 0.15, `phases add up to ${sum}`);
});

test("garbage and a broken frame on the line are counted and skipped", async (t) => {
  const pty = await openPtyPair();
  const serve = await startServe(["--no-mdns", "--serial", pty.readerEnd, "--settings", path.join(tmp, "s2.json")]);
  const fd = openSync(pty.meterEnd, "w");
  t.teardown(async () => {
    closeSync(fd);
    await serve.stop();
    await pty.close();
  });
  // EasyMeter Q3A stream: 3 of 7 frames lost bytes; the good ones carry 16.7.0.
  await writePaced(fd, fixture("sml/streams/easymeter-q3a-1-stream.bin"), 9600, writeSync);
  const status = await until(() => getJson(serve.port, "/rpc/EM.GetStatus?id=0"), (r) => r.status === 200, 3000);
  t.is(status.status, 200);
  t.true(typeof status.body.total_act_power === "number");
});
