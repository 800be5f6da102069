// `ir2shelly decode` on real captures, and the CLI's answers to bad arguments.

import test from "ava";
import path from "node:path";
import { fixture, fixturesRoot } from "./support/fixtures";
import { runCli } from "./support/processes";

test("decode --json prints one object per frame with values and units", async (t) => {
  const result = await runCli(["decode", "--json", path.join(fixturesRoot, "sml/dzg-dvs7420-1.bin")]);
  t.is(result.code, 0, result.stderr);
  const lines = result.stdout.trim().split("\n");
  t.is(lines.length, 1);
  const frame = JSON.parse(lines[0]);
  t.true(frame.ok);
  t.is(frame.crc, "x25");
  t.is(frame.serverId, "0a01445a4700039e2054");
  t.deepEqual(frame.values["1-0:16.7.0*255"], { value: 215.99, unit: "W" });
  t.deepEqual(frame.values["1-0:1.8.0*255"], { value: 607447.1, unit: "Wh" });
  t.deepEqual(frame.values["1-0:96.50.1*1"], { text: "DZG" });
});

test("decode of a stream reports rejected frames with their reason", async (t) => {
  const result = await runCli(["decode", "--json", path.join(fixturesRoot, "sml/streams/easymeter-q3a-1-stream.bin")]);
  t.is(result.code, 0);
  const frames = result.stdout.trim().split("\n").map((l) => JSON.parse(l));
  t.is(frames.length, 7);
  t.deepEqual(frames.map((f) => f.ok ? "ok" : f.error), ["crc", "ok", "ok", "crc", "crc", "ok", "ok"]);
});

test("decode reads standard input and prints a summary line", async (t) => {
  const result = await runCli(["decode", "-"], fixture("sml/streams/ebz-dd3-1-stream.bin"));
  t.is(result.code, 0);
  t.regex(result.stdout, /^frame crc=x25 server=090145425a010002ec3b: /m);
  t.regex(result.stdout, /4 frame\(s\) decoded from 1143 bytes, 0 CRC errors, 0 truncated, 119 bytes outside frames/);
});

test("decode of bytes without any frame fails with one sentence", async (t) => {
  const result = await runCli(["decode", "-"], new TextEncoder().encode("hello, this is not a meter\n"));
  t.is(result.code, 1);
  t.regex(result.stdout.trim().split("\n")[0], /rejected: (truncated|bad_tl)/);
});

test("bad arguments get one clear sentence and a non-zero exit", async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [["decode"], /^ir2shelly: decode needs exactly one file/],
    [["decode", "/nonexistent/capture.bin"], /^ir2shelly: cannot read \/nonexistent\/capture.bin: no such file$/],
    [["frobnicate"], /^ir2shelly: unknown command "frobnicate"/],
    [["serve", "--http-port", "eighty"], /^ir2shelly: --http-port must be a whole number, not "eighty"$/],
    [["serve", "--stale-after", "1"], /^ir2shelly: --stale-after must be at least 2, not 1$/],
    [["serve", "--serial", "/dev/ttyDOESNOTEXIST", "--http-port", "0", "--settings", "/tmp/ir2shelly-test-bad-args.json"], /^ir2shelly: cannot open \/dev\/ttyDOESNOTEXIST: no such device$/],
    [["serve", "--serial", "/dev/null", "--replay", "x"], /^ir2shelly: choose one source/],
    [["serve", "--phase-mode", "b"], /^ir2shelly: --phase-mode must be one of a, split, not "b"$/],
    [["serve", "--mac", "xyz"], /^ir2shelly: Device MAC must be 12 hex digits/],
    [["serve", "--bogus"], /^ir2shelly: unknown option --bogus$/],
  ];
  for (const [args, pattern] of cases) {
    const result = await runCli(args);
    t.not(result.code, 0, args.join(" "));
    t.regex(result.stderr.trim(), pattern, args.join(" "));
    t.is(result.stderr.trim().split("\n").length, 1, `one line for ${args.join(" ")}: ${result.stderr}`);
  }
});
