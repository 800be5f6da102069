// XS compute units of the SML transport CRC (sml/crc.ts, X-25) per real frame.
//   node bench/xs-crc.bench.js
// Also importable: run() returns { name, iterations, frames, bytes, unitsPerFrame,
// unitsPerByte, meter } where meter is meterInXs()'s full result (see bench/xs-meter.js).

import { pathToFileURL } from "node:url";
import { meterInXs } from "./xs-meter.js";

export async function run({ iterations = 10_000 } = {}) {
  const meter = await meterInXs({
    entry: "bench/xs-crc.entry.ts",
    setupCall: "bench.setup()",
    loopCall: "bench.crcFrame(i)",
    iterations,
  });
  const { lengths } = meter.setup.value;
  let bytes = 0; // bytes fed to the CRC over all iterations (each frame minus its 2 CRC bytes)
  for (let i = 0; i < iterations; i++) bytes += lengths[i % lengths.length] - 2;
  return {
    name: "xs-crc",
    iterations,
    frames: lengths.length,
    bytes,
    unitsPerFrame: meter.compute.perIteration,
    unitsPerByte: meter.compute.total / bytes,
    meter,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await run();
  const h = r.meter.heap;
  console.log(`${r.meter.engine}, meter ${r.meter.meterType}`);
  console.log(
    `CRC-16/X-25 over ${r.frames} capture frames, ${r.iterations} frames (${r.bytes} bytes): ` +
      `${r.unitsPerFrame.toFixed(1)} XS compute units/frame, ${r.unitsPerByte.toFixed(2)} units/byte ` +
      `(loop overhead ${r.meter.compute.loopOverheadPerIteration.toFixed(1)} units/iteration excluded)`,
  );
  console.log(
    `heap: ${h.allocatedSlotsPerIteration} slots allocated/frame, ${h.retainedSlots} slots retained over ` +
      `${r.iterations} frames (${h.slotBytes} B/slot here), OS reservation growth ${h.allocatedSpaceGrowthBytes} B`,
  );
}
