// Hoymiles MS-A2 / HiBattery (consumers.md §4): WebSocket /rpc with its serial as src;
// pairing probes Shelly.GetDeviceInfo, Shelly.GetStatus, Sys.GetStatus, EM.GetConfig
// (Json missing answer aborts pairing), then EM.GetStatus every ~500 ms, fired without
// waiting for the previous answer.

import test from "ava";
import { DZG_POWER_W, WsClient, serve, sleep } from "./support/consumers";
import type { Json } from "./support/consumers";

const PROBES = ["Shelly.GetDeviceInfo", "Shelly.GetStatus", "Sys.GetStatus", "EM.GetConfig"];

async function pair(client: WsClient, serial: string, firstId: number): Promise<Json[]> {
  const answers = [];
  for (let i = 0; i < PROBES.length; i++) {
    const id = firstId + i;
    client.send({ id, src: serial, method: PROBES[i], params: PROBES[i] === "EM.GetConfig" ? { id: 0 } : undefined });
    answers.push(await client.next((f) => f.id === id, 3000));
  }
  return answers;
}

test("pairing probes all answered; EM.GetStatus every 500 ms and in bursts, in id order, dst = serial", async (t) => {
  const s = await serve(t);
  const hm = await WsClient.open(s.port);
  t.teardown(() => hm.close());
  const serial = "280024310133";
  const answers = await pair(hm, serial, 48090);
  for (const a of answers) {
    t.truthy(a.result, JSON.stringify(a));
    t.is(a.dst, serial);
  }
  t.is(answers[1].result["em:0"].total_act_power, DZG_POWER_W);
  t.is(typeof answers[2].result.uptime, "number");
  t.is(answers[3].result.id, 0);

  // Every 500 ms, never waiting.
  let id = 48099;
  const sent: number[] = [];
  for (let i = 0; i < 6; i++) {
    hm.send({ id, src: serial, method: "EM.GetStatus", params: { id: 0 } });
    sent.push(id++);
    await sleep(500);
  }
  // A burst of 20 back to back (a reconnecting battery catching up).
  for (let i = 0; i < 20; i++) {
    hm.send({ id, src: serial, method: "EM.GetStatus", params: { id: 0 } });
    sent.push(id++);
  }
  await hm.next((f) => f.id === sent[sent.length - 1], 5000);
  const replies = hm.frames.filter((f) => typeof f.id === "number" && f.id >= 48099);
  t.deepEqual(replies.map((f) => f.id), sent, "every request answered once, in order");
  for (const r of replies) {
    t.is(r.dst, serial);
    t.is(r.result.total_act_power, DZG_POWER_W);
  }
});

test("two batteries on two sockets: each gets only its own replies", async (t) => {
  const s = await serve(t);
  const a = await WsClient.open(s.port);
  const b = await WsClient.open(s.port);
  t.teardown(async () => {
    await a.close();
    await b.close();
  });
  await Promise.all([pair(a, "280024310001", 1), pair(b, "280024310002", 101)]);
  for (let i = 0; i < 10; i++) {
    a.send({ id: 10 + i, src: "280024310001", method: "EM.GetStatus", params: { id: 0 } });
    b.send({ id: 110 + i, src: "280024310002", method: "EM.GetStatus", params: { id: 0 } });
  }
  await a.next((f) => f.id === 19);
  await b.next((f) => f.id === 119);
  await sleep(200);
  const idsA = a.frames.filter((f) => f.id !== undefined).map((f) => f.id);
  const idsB = b.frames.filter((f) => f.id !== undefined).map((f) => f.id);
  t.true(idsA.every((id) => id < 100), `a got ${idsA}`);
  t.true(idsB.every((id) => id >= 100), `b got ${idsB}`);
  t.true(a.frames.every((f) => f.dst === "280024310001"));
  t.true(b.frames.every((f) => f.dst === "280024310002"));
});
