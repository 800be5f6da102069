// Deterministic cost of core code on XS, measured with xsnap's metering.
//
//   import { meterInXs } from "./xs-meter.js";
//   const r = await meterInXs({
//     entry: "bench/xs-crc.entry.ts",          // TS/JS module; its exports become the global `bench`
//     setupCall: "bench.setup()",              // optional expression, run once (fixtures, buffers…)
//     loopCall: "bench.crcFrame(i)",           // statement run per iteration; `i` = 0 … iterations-1
//     iterations: 10000,
//     finishCall: "bench.counters()",          // optional expression, run once after the measured loop
//   });
//   r.compute.perIteration  // XS compute units per iteration, e.g. per decoded frame
//
// The entry is bundled like the XS test suites (esbuild IIFE, ES2022, no Node built-ins) and
// loaded into a fresh xsnap worker. Fixtures are served on demand: the entry imports
// fixture()/fixtureNames() from test/xs/fixtures.ts (use them in setupCall, not in the loop).
//
// Units. XS "compute" is xsnap's meter: the number of XS bytecodes executed plus a charge
// proportional to the work of built-ins (array/typed-array/string/RegExp/BigInt operations),
// counted per evaluate. It is deterministic: same code and input give the same count on every
// machine and run, so it can be compared across CI runs; it is not time. Heap numbers are XS
// slots (sizeof(txSlot): 32 bytes in this 64-bit xsnap, 16 bytes on the 32-bit ESP32);
// chunk memory (typed-array buffers, strings) is not visible to xsnap except through
// `allocatedSpaceGrowthBytes` (heap space XS had to reserve from the OS).
//
// Return shape (all numbers are exact integers unless noted):
// {
//   engine: "xsnap 0.15.0 (XS 13.3.0)", meterType: "xs-meter-36",
//   entry, iterations, batchSize, warmup,
//   load:   { compute },              // evaluating the bundle (module top level)
//   setup:  { compute, value },       // setupCall once; value = its JSON-serialisable result
//   finish: { compute, value },       // finishCall once after the measured iterations (value null without it)
//   warmupRun: { compute },           // `warmup` iterations before measuring (first-call effects)
//   compute: {
//     total,                          // units for all iterations, loop overhead removed
//     perIteration,                   // total / iterations (float)
//     loopOverheadPerIteration,       // cost of the bare for-loop, already subtracted (float)
//   },
//   heap: {
//     slotBytes: 32,
//     liveSlotsBefore, liveSlotsAfter, // live slots after a full GC, before / after the iterations
//     retainedSlots,                  // growth of live slots over all iterations (empty-loop run subtracted)
//     retainedSlotsPerIteration,      // float
//     allocatedSlotsPerIteration,     // slots allocated per iteration, garbage included (float),
//     allocationSampleIterations,     //   measured over this many iterations with no GC in between
//     allocatedSpaceGrowthBytes,      // growth of xsnap's `allocate` (OS memory reserved by XS) over the iterations
//   },
// }
//
// meterInXs() runs the measurement in a child Node process, because xsnap needs @endo/init,
// which locks down (hardens) the process that loads it; the caller's process stays untouched.

import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const thisFile = fileURLToPath(import.meta.url);

/**
 * @param {{ entry: string, loopCall: string, iterations: number, setupCall?: string, finishCall?: string,
 *   batchSize?: number, warmup?: number, allocationSample?: number, meteringLimit?: number }} options
 *   entry: path (absolute, or relative to the repo root). batchSize: iterations per xsnap
 *   evaluate (default 1000; each evaluate must stay under meteringLimit, default 1e9 units).
 *   warmup: iterations run before measuring (default 1). allocationSample: at most this many
 *   iterations for the allocation count (default 100).
 * @returns {Promise<object>} see the shape at the top of this file
 */
export function meterInXs(options) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [thisFile, "--child"], { stdio: ["pipe", "pipe", "inherit"] });
    let out = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk) => (out += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      let message;
      try {
        message = JSON.parse(out.trim().split("\n").pop() ?? "");
      } catch {
        reject(new Error(`xs-meter child exited with ${code} and no result: ${out.slice(-500)}`));
        return;
      }
      if (message.error) reject(new Error(`xs-meter (${options.entry}): ${message.error}`));
      else resolve(message.result);
    });
    child.stdin.end(JSON.stringify(options));
  });
}

// ---- Child side: runs inside the dedicated process ----

async function measure(options) {
  const {
    bundleForXs,
    describeBuildError,
    evaluateJson,
    makeFixtureCommandHandler,
    repoRoot,
    requireFixturesDir,
    startXsWorker,
    xsnapVersion,
  } = await import("../test/xs/xs-support.js");
  const {
    entry,
    setupCall,
    finishCall,
    loopCall,
    iterations,
    batchSize = 1000,
    warmup = 1,
    allocationSample = 100,
    meteringLimit = 1e9,
  } = options;
  if (typeof entry !== "string" || typeof loopCall !== "string") throw new Error("entry and loopCall are required");
  if (!Number.isSafeInteger(iterations) || iterations < 1) throw new Error("iterations must be a positive integer");
  requireFixturesDir();

  let code;
  try {
    code = await bundleForXs(path.resolve(repoRoot, entry), { globalName: "bench" });
  } catch (error) {
    throw new Error(`cannot bundle ${entry}: ${describeBuildError(error)}`);
  }

  const worker = await startXsWorker({ name: "xs-meter", handleCommand: makeFixtureCommandHandler(), meteringLimit });
  try {
    const run = async (js) => (await worker.evaluate(js)).meterUsage;
    const gc = () => run("gc()");
    const batched = async (fn, count) => {
      let compute = 0;
      for (let start = 0; start < count; start += batchSize) {
        compute += (await run(`${fn}(${start}, ${Math.min(start + batchSize, count)})`)).compute;
      }
      return compute;
    };

    const load = await run(code);
    await run(
      `globalThis.__meterLoop = function (start, end) { for (let i = start; i < end; i++) { ${loopCall}; } };\n` +
        "globalThis.__meterEmpty = function (start, end) { for (let i = start; i < end; i++) { } };",
    );
    const call = async (expression) => {
      if (!expression) return { compute: 0, value: null };
      const { value, meterUsage } = await evaluateJson(
        worker,
        `(() => { const value = (${expression}); return new TextEncoder().encode(JSON.stringify(value === undefined ? null : value)).buffer; })()`,
      );
      return { compute: meterUsage.compute, value };
    };
    const setup = await call(setupCall);
    const warmupCompute = warmup > 0 ? await batched("__meterLoop", warmup) : 0;

    // Allocation per iteration: sample a run short enough that no GC can happen inside it.
    const allocatedOver = async (fn, count) => {
      const before = (await gc()).currentHeapCount;
      return (await run(`${fn}(0, ${count})`)).currentHeapCount - before;
    };
    const oneIteration = (await allocatedOver("__meterLoop", 1)) - (await allocatedOver("__meterEmpty", 1));
    const sample = Math.max(1, Math.min(allocationSample, iterations, Math.floor(100_000 / Math.max(1, oneIteration))));
    const allocated = (await allocatedOver("__meterLoop", sample)) - (await allocatedOver("__meterEmpty", sample));

    // The measured run, then the same with an empty loop body as the baseline.
    const before = await gc();
    const loopCompute = await batched("__meterLoop", iterations);
    const after = await gc();
    const finish = await call(finishCall);
    const emptyBefore = await gc();
    const emptyCompute = await batched("__meterEmpty", iterations);
    const emptyAfter = await gc();

    const retainedSlots =
      after.currentHeapCount - before.currentHeapCount - (emptyAfter.currentHeapCount - emptyBefore.currentHeapCount);
    return {
      engine: await xsnapVersion(),
      meterType: load.meterType,
      entry,
      iterations,
      batchSize,
      warmup,
      load: { compute: load.compute },
      setup,
      finish,
      warmupRun: { compute: warmupCompute },
      compute: {
        total: loopCompute - emptyCompute,
        perIteration: (loopCompute - emptyCompute) / iterations,
        loopOverheadPerIteration: emptyCompute / iterations,
      },
      heap: {
        slotBytes: 32,
        liveSlotsBefore: before.currentHeapCount,
        liveSlotsAfter: after.currentHeapCount,
        retainedSlots,
        retainedSlotsPerIteration: retainedSlots / iterations,
        allocatedSlotsPerIteration: allocated / sample,
        allocationSampleIterations: sample,
        allocatedSpaceGrowthBytes: after.allocate - before.allocate,
      },
    };
  } finally {
    await worker.close().catch(() => {});
  }
}

if (process.argv[2] === "--child" && process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  let input = "";
  process.stdin.setEncoding("utf8");
  for await (const chunk of process.stdin) input += chunk;
  let message;
  try {
    message = { result: await measure(JSON.parse(input)) };
  } catch (error) {
    let text = error && error.message ? error.message : String(error);
    if (/too much computation/.test(text)) text += " (one evaluate exceeded meteringLimit: lower batchSize or raise meteringLimit)";
    message = { error: text };
  }
  process.stdout.write(`${JSON.stringify(message)}\n`);
  process.exit(message.error ? 1 : 0);
}
