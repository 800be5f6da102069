// `ir2shelly serve` refuses what it cannot do with one sentence and a non-zero exit: an HTTP
// port that is taken, a serial port that another program holds.

import test from "ava";
import net from "node:net";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { openPtyPair, runCli, startServe } from "./support/processes";

const tmp = mkdtempSync(path.join(os.tmpdir(), "ir2shelly-serve-errors-"));

test("an HTTP port in use", async (t) => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
  t.teardown(() => blocker.close());
  const port = (blocker.address() as net.AddressInfo).port;
  const result = await runCli(["serve", "--http-port", String(port), "--bind", "127.0.0.1", "--udp-ports", "", "--settings", path.join(tmp, "a.json")]);
  t.is(result.code, 2);
  t.is(result.stderr.trim(), `ir2shelly: cannot listen on 127.0.0.1:${port}: the port is in use`);
});

test("a serial port that another ir2shelly already holds", async (t) => {
  const pty = await openPtyPair();
  const first = await startServe(["--no-mdns", "--serial", pty.readerEnd, "--udp-ports", "", "--settings", path.join(tmp, "b.json")]);
  t.teardown(async () => {
    await first.stop();
    await pty.close();
  });
  const second = await runCli(["serve", "--no-mdns", "--serial", pty.readerEnd, "--http-port", "0", "--udp-ports", "", "--settings", path.join(tmp, "c.json")]);
  t.is(second.code, 2);
  t.is(second.stderr.trim(), `ir2shelly: cannot open ${pty.readerEnd}: the port is busy (another program has it open)`);
});
