// Bench section: the device's decode path on XS (xsnap metering, deterministic across machines).
// Every single-frame capture, cycled, as raw transport bytes into SmlInput → MeterModel; plus the
// stages on their own, so that a regression points at its module.

import { meterInXs } from "../xs-meter.js";

const ENTRY = "bench/xs-decode.entry.ts";
const FRAMES = 46; // single-frame captures; stage runs use whole passes over them

export default {
  id: "xs-decode",
  title: "XS decode path (SmlInput → MeterModel), per frame",
  /** @param {{ quick: boolean }} context */
  async run({ quick }) {
    const full = await meterInXs({
      entry: ENTRY,
      setupCall: "bench.setup()",
      loopCall: "bench.fullPath(i)",
      finishCall: "bench.counters()",
      iterations: quick ? 2000 : 10_000,
      warmup: FRAMES, // one pass: buffers and the entry table reach their final size
      allocationSample: FRAMES,
    });
    const counters = full.finish.value;
    if (counters.decodeErrors !== 0 || counters.crcErrors !== 0 || counters.framesOk < full.iterations) {
      throw new Error(`the measured loop did not decode every frame: ${JSON.stringify(counters)}`);
    }
    const stage = (loopCall) =>
      meterInXs({ entry: ENTRY, setupCall: "bench.setup()", loopCall, iterations: FRAMES * (quick ? 10 : 50), warmup: FRAMES, allocationSample: FRAMES });
    const assembler = await stage("bench.assembleOnly(i)");
    const decoder = await stage("bench.decodeOnly(i)");
    const decodeAndRead = await stage("bench.decodeAndRead(i)");
    const { bytes } = full.setup.value;
    const meanBytes = bytes.reduce((a, b) => a + b, 0) / bytes.length;
    const perFrame = full.compute.perIteration;
    const units = (key, label, value) => ({ key, label, value, unit: "units", better: "lower", digits: 0 });
    const slots = (key, label, value) => ({ key, label, value, unit: "slots", better: "lower", digits: 2 });
    return {
      metrics: [
        units("xs.units_per_frame", "compute / frame, whole path", perFrame),
        { key: "xs.units_per_byte", label: "compute / transport byte", value: perFrame / meanBytes, unit: "units", better: "lower", digits: 1 },
        units("xs.assembler_units_per_frame", "  FrameAssembler", assembler.compute.perIteration),
        units("xs.decoder_units_per_frame", "  SmlDecoder", decoder.compute.perIteration),
        units("xs.readings_units_per_frame", "  extractReadings", decodeAndRead.compute.perIteration - decoder.compute.perIteration),
        units("xs.input_model_units_per_frame", "  SmlInput copy + MeterModel", perFrame - assembler.compute.perIteration - decodeAndRead.compute.perIteration),
        slots("xs.allocated_slots_per_frame", "allocated / frame, whole path", full.heap.allocatedSlotsPerIteration),
        slots("xs.allocated_slots_per_frame_stages", "allocated / frame, stages", assembler.heap.allocatedSlotsPerIteration + decodeAndRead.heap.allocatedSlotsPerIteration),
        { key: "xs.retained_slots", label: `heap growth over ${full.iterations} frames`, value: full.heap.retainedSlots, unit: "slots", better: "lower", digits: 0 },
        { key: "xs.reserved_growth_bytes", label: `OS memory growth over ${full.iterations} frames`, value: full.heap.allocatedSpaceGrowthBytes, unit: "bytes", better: "lower", digits: 0 },
      ],
      notes: [
        `${full.engine}, meter ${full.meterType}; ${FRAMES} captures, mean ${meanBytes.toFixed(0)} bytes per transport frame; ` +
          `warm-up ${full.warmup} frames; loop overhead (${full.compute.loopOverheadPerIteration.toFixed(0)} units) excluded; 1 slot = ${full.heap.slotBytes} B here, 16 B on ESP32`,
      ],
      info: { engine: full.engine },
    };
  },
};
