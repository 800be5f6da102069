// XS bench entry (bench/sections/10-xs-decode.js): the device's per-frame decode path on every
// single-frame capture, one frame per iteration, cycling through the captures. Exports become
// the global `bench` inside xsnap.
//
//   fullPath(i)      raw transport bytes → SmlInput (assembler, decoder, extractReadings) → MeterModel
//   assembleOnly(i)  raw transport bytes → FrameAssembler with an empty sink
//   decodeOnly(i)    the frame's payload → SmlDecoder
//   decodeAndRead(i) the frame's payload → SmlDecoder → extractReadings

import { SmlDecoder } from "../sml/decoder";
import { FrameAssembler } from "../sml/frame-assembler";
import { extractReadings } from "../sml/readings";
import { MeterModel } from "../modules/meter/meter-model";
import { emptyReadings } from "../modules/meter/readings";
import { SmlInput } from "../modules/meter/sml-input";
import { fixture, singleFrameFixtureNames } from "../test/xs/fixtures";

// Set up once per xsnap worker by setup(); module-level state is fine in a bench entry.
let frames: Uint8Array[] = [];
let payloads: Uint8Array[] = [];
let model = new MeterModel();
let input = new SmlInput(model);
const assembler = new FrameAssembler({ frame() {} });
const decoder = new SmlDecoder();
const readings = emptyReadings();

/** Loads the captures and their payloads (outside the measured loop). */
export function setup(): { names: string[]; bytes: number[]; payloadBytes: number[] } {
  const names = singleFrameFixtureNames();
  frames = names.map((name) => fixture(name));
  payloads = [];
  const collect = new FrameAssembler({ frame: (f) => void payloads.push(f.payload.slice(0, f.length)) });
  for (const frame of frames) collect.push(frame);
  if (payloads.length !== frames.length) throw new Error(`${payloads.length} payloads from ${frames.length} frames`);
  model = new MeterModel();
  input = new SmlInput(model);
  return { names, bytes: frames.map((f) => f.length), payloadBytes: payloads.map((p) => p.length) };
}

/** The whole device path for frame i, one second after the previous one. */
export function fullPath(i: number): void {
  input.push(frames[i % frames.length], i * 1000);
}

export function assembleOnly(i: number): void {
  assembler.push(frames[i % frames.length]);
}

export function decodeOnly(i: number): void {
  const payload = payloads[i % payloads.length];
  decoder.decode(payload, 0, payload.length);
}

export function decodeAndRead(i: number): void {
  const payload = payloads[i % payloads.length];
  if (decoder.decode(payload, 0, payload.length) === null) extractReadings(decoder, readings);
}

/** Proves that the measured loop really decoded every frame. */
export function counters(): { framesOk: number; decodeErrors: number; crcErrors: number; assembled: number; decodeFailures: number } {
  const c = input.counters();
  return { framesOk: c.framesOk, decodeErrors: c.decodeErrors, crcErrors: c.crcErrors, assembled: assembler.counters.frames, decodeFailures: decoder.counters.errors };
}
