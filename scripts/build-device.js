#!/usr/bin/env node
// Builds the firmware with the Moddable SDK's mcconfig (it does not fetch or build the SDK):
//
//   node scripts/build-device.js esp32      ESP32 (classic)       mcconfig -m -p esp32
//   node scripts/build-device.js esp32c3    ESP32-C3              mcconfig -m -p esp32/esp32c3
//   node scripts/build-device.js esp32s3    ESP32-S3              mcconfig -m -p esp32/esp32s3
//   node scripts/build-device.js sim        Linux simulator       mcconfig -m -p lin
//
// Further arguments go to mcconfig, e.g. `-d` for a debug build with xsbug, `-i` for an
// instrumented release build, `ssid=… password=…` style config overrides.
// Needs $MODDABLE (the SDK, with its tools built) and, for ESP32 targets, ESP-IDF ($IDF_PATH).

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const TARGETS = {
  esp32: "esp32",
  esp32c3: "esp32/esp32c3",
  esp32s3: "esp32/esp32s3",
  sim: "lin",
};

function fail(sentence) {
  process.stderr.write(`build-device: ${sentence}\n`);
  process.exit(1);
}

const [target, ...extra] = process.argv.slice(2);
const platform = TARGETS[target];
if (platform === undefined) fail(`name a target: ${Object.keys(TARGETS).join(", ")} (got ${target === undefined ? "none" : JSON.stringify(target)}).`);

const host = process.platform === "darwin" ? "mac" : process.platform === "win32" ? "win" : "lin";
const moddable = process.env.MODDABLE;
if (!moddable) fail("$MODDABLE is not set: install the Moddable SDK (https://github.com/Moddable-OpenSource/moddable, documentation/Moddable SDK - Getting Started.md) and export MODDABLE=<its directory>.");
const toolDir = path.join(moddable, "build", "bin", host, "release");
const mcconfig = path.join(toolDir, host === "win" ? "mcconfig.exe" : "mcconfig");
if (!existsSync(mcconfig)) fail(`$MODDABLE is ${moddable}, but ${mcconfig} does not exist: build the SDK's tools first (cd $MODDABLE/build/makefiles/${host} && make).`);

if (platform.startsWith("esp32")) {
  const idf = process.env.IDF_PATH;
  if (!idf) fail("$IDF_PATH is not set: install ESP-IDF v6.0 as described in $MODDABLE/documentation/devices/esp32.md and source its export.sh.");
  if (!existsSync(path.join(idf, "tools", "idf.py"))) fail(`$IDF_PATH is ${idf}, but that is not an ESP-IDF checkout (no tools/idf.py).`);
}

if (host === "lin" && platform === "lin" && extra.includes("-d")) {
  // mcconfig -d -m on Linux kills every running mcsim and serial2xsbug and starts its own.
  process.stderr.write("build-device: note: a debug build for the simulator restarts mcsim (pkill mcsim).\n");
}

// mcconfig compiles TypeScript with the tsc it finds on PATH: ours first.
const env = { ...process.env, PATH: [path.join(root, "node_modules", ".bin"), toolDir, process.env.PATH].join(path.delimiter) };
const args = ["-m", "-p", platform, ...extra];
process.stdout.write(`mcconfig ${args.join(" ")}\n`);
const result = spawnSync(mcconfig, args, { cwd: root, env, stdio: "inherit" });
if (result.error) fail(`cannot run ${mcconfig}: ${result.error.message}`);
if (result.status !== 0) process.exit(result.status ?? 1);

if (platform === "lin") {
  const kind = extra.includes("-d") ? "debug" : extra.includes("-i") ? "instrument" : "release";
  const o = extra.indexOf("-o");
  const out = o >= 0 && o + 1 < extra.length ? path.resolve(extra[o + 1]) : path.join(moddable, "build");
  const lib = path.join(out, "bin", "lin", "mc", kind, "ir2shelly", "mc.so");
  process.stdout.write(`built ${lib}\nrun it: mcsim ${lib}   (headless: xvfb-run -a mcsim ${lib})\n`);
}
