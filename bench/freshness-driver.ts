// Freshness: milliseconds from a frame's last byte written to the meter's pty to the new
// value in an HTTP answer of `ir2shelly serve --serial`. Prints one JSON line of samples.
//
//   node --import=tsx bench/freshness-driver.ts <frames>

import { closeSync, mkdtempSync, openSync, writeSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { encodeFile, encodeFrame, OBIS, UNIT } from "../sml/encoder";
import { openPtyPair, startServe, writePaced } from "../test/support/processes";

const frames = Number(process.argv[2] ?? 40);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function power(port: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    http.get({ host: "127.0.0.1", port, path: "/rpc/EM.GetStatus?id=0", agent }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => { body += c.toString(); });
      res.on("end", () => resolve(res.statusCode === 200 ? (JSON.parse(body) as { total_act_power: number }).total_act_power : null));
    }).on("error", reject);
  });
}

const pty = await openPtyPair();
const serve = await startServe(["--no-mdns", "--serial", pty.readerEnd, "--settings", path.join(mkdtempSync(path.join(os.tmpdir(), "ir2shelly-fresh-")), "s.json"), "--udp-ports", "", "--quiet"]);
const fd = openSync(pty.meterEnd, "w");
const samples: number[] = [];
try {
  for (let i = 0; i < frames; i++) {
    const watts = 1000 + i + 0.5;
    const frame = encodeFrame(encodeFile({
      serverId: Uint8Array.of(0x0a, 1, 0x49, 0x52, 0x32, 0, 0, 0, 0, 2),
      sequence: i + 1,
      entries: [
        { obis: OBIS.importEnergy, unit: UNIT.Wh, scaler: -1, status: 0x182, value: { uint: 123456 + i } },
        { obis: OBIS.power, unit: UNIT.W, scaler: -1, value: { int: Math.round(watts * 10) } },
      ],
    }));
    // All but the last byte at the meter's pace, then the last byte: the clock starts.
    await writePaced(fd, frame.subarray(0, frame.length - 1), 9600, writeSync);
    writeSync(fd, frame.subarray(frame.length - 1));
    const start = performance.now();
    for (;;) {
      if ((await power(serve.port)) === watts) break;
      if (performance.now() - start > 2000) throw new Error(`value ${watts} did not appear within 2 s`);
    }
    samples.push(performance.now() - start);
    await new Promise((r) => setTimeout(r, 50));
  }
} finally {
  closeSync(fd);
  agent.destroy();
  await serve.stop();
  await pty.close();
}
process.stdout.write(JSON.stringify({ samples }) + "\n");
