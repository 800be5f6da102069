#!/usr/bin/env node
// Runs the core's XS test suites (test/xs/*.xs.ts) on Moddable's XS engine through xsnap.
//
//   node test/xs/run-xs.js [--verbose] [name-filter...]
//
// Each suite is bundled with esbuild (IIFE, ES2022, no Node built-ins) and loaded into a fresh
// xsnap worker; each test then runs in its own evaluate, so a runaway test hits the per-test
// compute limit (XS_METER_LIMIT, default 1e9 units) instead of hanging the run; the worker is
// then restarted for the remaining tests. Failures print one line each; the last line is
// always "N passed, N failed". Exit code 1 on any failure, bundling error or top-level throw.

import "@endo/init"; // xsnap needs harden(); this locks down this (dedicated) process
import { readdirSync } from "node:fs";
import path from "node:path";
import {
  bundleForXs,
  describeBuildError,
  engineProbe,
  evaluateJson,
  makeFixtureCommandHandler,
  repoRoot,
  requireFixturesDir,
  startXsWorker,
  xsnapVersion,
} from "./xs-support.js";

const args = process.argv.slice(2);
const verbose = args.includes("--verbose") || args.includes("-v");
const filters = args.filter((a) => !a.startsWith("-"));
const meteringLimit = Number(process.env.XS_METER_LIMIT ?? 1e9);

const suiteDir = path.join(repoRoot, "test", "xs");
let passed = 0;
let failed = 0;

const oneLine = (text) => String(text).replace(/\s*\n\s*/g, " | ");
function reportFailure(suite, name, message) {
  failed++;
  console.log(`FAIL ${suite} › ${name}: ${oneLine(message)}`);
}

async function runSuite(file, handleCommand) {
  const suite = path.basename(file);
  let code;
  try {
    code = await bundleForXs(file);
  } catch (error) {
    reportFailure(suite, "(bundle)", describeBuildError(error));
    return;
  }

  let worker;
  // Loads the bundle into a fresh worker; returns the test names, or undefined on failure.
  const load = async () => {
    worker = await startXsWorker({ name: `xs-${suite.replace(/[^\w.-]/g, "-")}`, handleCommand, meteringLimit });
    try {
      await worker.evaluate(code);
      const { value: names } = await evaluateJson(
        worker,
        "typeof __xsHarness === 'object' ? __xsHarness.names() : undefined",
      );
      if (!Array.isArray(names)) throw new Error("the suite registered no tests (does it import ./harness?)");
      return names;
    } catch (error) {
      reportFailure(suite, "(top level)", error.message);
      await worker.terminate();
      return undefined;
    }
  };

  const names = await load();
  if (!names) return;
  if (names.length === 0) reportFailure(suite, "(top level)", "the suite registered no tests");
  let suitePassed = 0;
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    try {
      const { value: outcome, meterUsage } = await evaluateJson(worker, `__xsHarness.run(${i})`);
      if (outcome === undefined) {
        reportFailure(suite, name, "did not settle: its promise was still pending when XS's job queue drained");
      } else if (outcome.ok) {
        passed++;
        suitePassed++;
        if (verbose) console.log(`ok   ${suite} › ${name} (${meterUsage.compute} XS compute units)`);
      } else {
        reportFailure(suite, name, outcome.message);
      }
    } catch (error) {
      // The worker died (compute limit, stack overflow, out of memory): restart it for the rest.
      reportFailure(suite, name, `xsnap worker died: ${error.message}`);
      await worker.terminate();
      if (i + 1 < names.length && !(await load())) return;
    }
  }
  await worker.close().catch(() => {});
  if (verbose) console.log(`${suite}: ${suitePassed} of ${names.length} passed`);
}

async function main() {
  requireFixturesDir();
  const suites = readdirSync(suiteDir)
    .filter((f) => f.endsWith(".xs.ts"))
    .filter((f) => filters.length === 0 || filters.some((p) => f.includes(p)))
    .sort()
    .map((f) => path.join(suiteDir, f));
  if (suites.length === 0) throw new Error(`no XS suites (test/xs/*.xs.ts) match ${filters.join(" ") || "*"}`);

  // Prove that this really runs on XS: the binary's own version, then an in-engine probe.
  const handleCommand = makeFixtureCommandHandler();
  const probeWorker = await startXsWorker({ name: "xs-probe", meteringLimit });
  const { value: probe } = await evaluateJson(probeWorker, engineProbe);
  await probeWorker.close().catch(() => {});
  if (!probe?.isXs) throw new Error(`engine probe says this is not XS: ${JSON.stringify(probe)}`);
  console.log(`engine: ${await xsnapVersion()}; in-engine check: trace/print/issueCommand present, process/require absent`);

  for (const file of suites) await runSuite(file, handleCommand);
}

try {
  await main();
} catch (error) {
  console.log(`FAIL run-xs: ${oneLine(error.message)}`);
  failed++;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
