// Node bench entry (bench/sections/20-node-decode.js bundles it with esbuild): our decode path
// as the host runs it, raw transport bytes → SmlInput → MeterModel.

import { MeterModel } from "../modules/meter/meter-model";
import { SmlInput } from "../modules/meter/sml-input";

export interface OurDecoder {
  /** Feeds frames[i % n] for i in [start, end); returns a value that depends on the results. */
  run(frames: readonly Uint8Array[], start: number, end: number): number;
  framesOk(): number;
  errors(): number;
}

export function createOurDecoder(): OurDecoder {
  const model = new MeterModel();
  const input = new SmlInput(model);
  return {
    run(frames, start, end) {
      let sink = 0;
      for (let i = start; i < end; i++) {
        input.push(frames[i % frames.length], i);
        sink += model.latest.power || 0;
      }
      return sink;
    },
    framesOk: () => model.framesAccepted,
    errors: () => {
      const c = input.counters();
      return c.crcErrors + c.decodeErrors + c.truncated + c.badEscapes + c.overflows;
    },
  };
}
