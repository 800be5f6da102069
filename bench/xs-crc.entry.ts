// XS bench entry for bench/xs-crc.bench.js: the transport CRC of every single-frame
// capture, one frame per iteration. Exports become the global `bench` inside xsnap.

import { crc16X25 } from "../sml/crc";
import { fixture, singleFrameFixtureNames } from "../test/xs/fixtures";

let frames: Uint8Array[] = [];

/** Loads the frames (outside the measured loop); returns their names and lengths. */
export function setup(): { names: string[]; lengths: number[] } {
  const names = singleFrameFixtureNames();
  frames = names.map((name) => fixture(name));
  return { names, lengths: frames.map((f) => f.length) };
}

/** CRC of frame i (cycling through the captures) over all bytes before the two CRC bytes. */
export function crcFrame(i: number): number {
  const frame = frames[i % frames.length];
  return crc16X25(frame, 0, frame.length - 2);
}
