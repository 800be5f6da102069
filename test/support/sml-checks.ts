// Checks on real captures shared by the ava tests (Node) and the XS suites (test/xs/*.xs.ts).
// Pure: no node: imports, no I/O. Callers load the bytes and the index their own way
// (test/support/fixtures.ts on Node, test/xs/fixtures.ts inside xsnap).

import { SmlDecoder } from "../../sml/decoder";
import { FrameAssembler, type AssemblerCounters, type CrcFlavour } from "../../sml/frame-assembler";
import { asciiText, hex, int64Text, obisText, unitText } from "../../sml/obis";
import { extractReadings } from "../../sml/readings";
import { emptyReadings } from "../../modules/meter/readings";

/** An expectation from the index, parsed. */
export type Expectation =
  | { kind: "number"; value: number; unit: string; tolerance: number; approximate: boolean }
  | { kind: "text"; text: string }
  | { kind: "octets"; hex: string }
  | { kind: "raw"; raw: string; scaler: number }
  | { kind: "entries"; count: number };

/** Parses the index's free-form statements ("5430157.7 Wh", "\"DZG\"", "octets:0a01…", …). */
export function parseExpectation(key: string, statement: string): Expectation | null {
  if (key === "entries") {
    const m = /^(\d+) OBIS entries/.exec(statement);
    return m ? { kind: "entries", count: Number(m[1]) } : null;
  }
  if (key === "note") return null;
  if (statement.startsWith("\"")) return { kind: "text", text: statement.slice(1, statement.indexOf("\"", 1)) };
  if (statement.startsWith("octets:")) return { kind: "octets", hex: statement.slice(7) };
  let m = /^raw (\d+) \(scaler (-?\d+)\)/.exec(statement);
  if (m) return { kind: "raw", raw: m[1], scaler: Number(m[2]) };
  m = /^(~)?(-?\d+(?:\.(\d+))?)(?: ([A-Za-z]+))?(?: \(\+-([\d.]+)\))?/.exec(statement);
  if (!m) return null;
  const decimals = m[3]?.length ?? 0;
  let value = Number(m[2]);
  let unit = m[4] ?? "";
  let tolerance = m[5] !== undefined ? Number(m[5]) : 0.5 * 10 ** -decimals;
  if (unit === "kWh") {
    value *= 1000;
    tolerance *= 1000;
    unit = "Wh";
  }
  // "~" marks an approximate statement from an issue text: allow 1 %.
  if (m[1]) tolerance = Math.max(tolerance, Math.abs(value) * 0.01);
  return { kind: "number", value, unit, tolerance: tolerance + 1e-9, approximate: m[1] !== undefined };
}

/** The part of an index entry these checks use (both fixture loaders provide it). */
export interface StatedEntry {
  file: string;
  expected_stated_by_source?: Record<string, string> | null;
}

/** True when the index states at least one value we can check for this SML capture. */
export function hasCheckableStatements(entry: StatedEntry): boolean {
  return entry.file.startsWith("sml/") &&
    Object.entries(entry.expected_stated_by_source ?? {}).some(([k, v]) => parseExpectation(k, v) !== null);
}

// Captures whose server id was anonymised by their publisher: the message CRCs no longer
// match although the transport CRC was recomputed (QUIRKS.md A.5), or edited test vectors.
export const ANONYMISED: ReadonlySet<string> = new Set([
  "sml/ebz-unknown-1.bin", "sml/ebz-unknown-2.bin", "sml/messages-only/emh-unknown-msgs-1.bin",
]);

/** What each stream capture yields, established by inspection (QUIRKS.md D.25). */
export const STREAM_EXPECTATIONS: Readonly<Record<string, { ok: number; crc?: number; truncated?: number }>> = {
  "sml/streams/dzg-dvs7420-2-stream.bin": { ok: 4 },
  // "mtr1_error": eight frames, none with an end sequence; the eighth is still open.
  "sml/streams/dzg-dvs7420-3-stream.bin": { ok: 0, truncated: 7 },
  // Three of seven frames lost bytes.
  "sml/streams/easymeter-q3a-1-stream.bin": { ok: 4, crc: 3 },
  "sml/streams/ebz-dd3-1-stream.bin": { ok: 4 },
  "sml/streams/emh-ed300l-1-stream.bin": { ok: 1 },
  "sml/streams/emh-ehz-gw8e2a500ak2-1-stream.bin": { ok: 16 },
  "sml/streams/holley-dtz541-zdba-1-stream.bin": { ok: 7 },
  "sml/streams/iskra-mt175-2-stream.bin": { ok: 10 },
  "sml/streams/itron-openway3hz-2-stream.bin": { ok: 5 },
  // Second frame's transport CRC was altered by the publisher of this test vector.
  "sml/modified/emh-unknown-1-junkprefix-badcrc-stream.bin": { ok: 1, crc: 1 },
};

/** Decodes the first valid frame of a capture with the streaming parts (or bare messages). */
export function decodeFirst(bytes: Uint8Array): SmlDecoder {
  const decoder = new SmlDecoder();
  let found = false;
  const assembler = new FrameAssembler({
    frame(frame) {
      if (found) return;
      // Copy: the assembler reuses its buffer.
      found = decoder.decode(frame.payload.slice(0, frame.length)) === null;
    },
  });
  assembler.push(bytes);
  if (!found && decoder.decode(bytes) !== null) throw new Error("no decodable frame");
  return decoder;
}

/**
 * Compares what we decode from a capture with what its source states. Power statements are
 * about what the meter measured, so they are compared after the quirk handling.
 */
export function statedValueProblems(entry: StatedEntry, bytes: Uint8Array): { checked: number; problems: string[] } {
  const decoder = decodeFirst(bytes);
  const readings = emptyReadings();
  extractReadings(decoder, readings);
  const problems: string[] = [];
  let checked = 0;
  for (const [key, statement] of Object.entries(entry.expected_stated_by_source ?? {})) {
    const expected = parseExpectation(key, statement);
    if (expected === null) continue;
    checked++;
    const where = `${entry.file} ${key}`;
    if (expected.kind === "entries") {
      if (decoder.entryCount !== expected.count) problems.push(`${where}: ${decoder.entryCount} entries, stated ${expected.count}`);
      continue;
    }
    let found = null;
    for (let i = 0; i < decoder.entryCount && found === null; i++) if (obisText(decoder.entries[i]) === key) found = decoder.entries[i];
    if (found === null) {
      problems.push(`${where}: not decoded`);
      continue;
    }
    const b = decoder.bytes;
    switch (expected.kind) {
      case "text": {
        const text = asciiText(b, found.bytesStart, found.bytesEnd);
        if (text !== expected.text) problems.push(`${where}: text ${JSON.stringify(text)}, stated ${JSON.stringify(expected.text)}`);
        break;
      }
      case "octets": {
        const octets = found.kind === "none" ? "" : hex(b, found.bytesStart, found.bytesEnd);
        if (octets !== expected.hex) problems.push(`${where}: octets ${octets}, stated ${expected.hex}`);
        break;
      }
      case "raw": {
        if (found.exact) problems.push(`${where}: a value beyond 2^53 must be flagged inexact`);
        const raw = int64Text(found.rawHigh, found.rawLow);
        if (raw !== expected.raw) problems.push(`${where}: raw ${raw}, stated ${expected.raw}`);
        if (found.scaler !== expected.scaler) problems.push(`${where}: scaler ${found.scaler}, stated ${expected.scaler}`);
        break;
      }
      case "number": {
        if (found.kind !== "int") {
          problems.push(`${where}: kind ${found.kind}, stated a number`);
          break;
        }
        if (expected.unit && unitText(found.unit) !== expected.unit) problems.push(`${where}: unit ${unitText(found.unit)}, stated ${expected.unit}`);
        let value = found.scaler >= 0 ? found.raw * 10 ** found.scaler : found.raw / 10 ** -found.scaler;
        if (key === "1-0:16.7.0*255") value = readings.power;
        if (key === "1-0:36.7.0*255") value = readings.phasePower[0];
        if (key === "1-0:56.7.0*255") value = readings.phasePower[1];
        if (key === "1-0:76.7.0*255") value = readings.phasePower[2];
        if (!(Math.abs(value - expected.value) <= expected.tolerance)) problems.push(`${where}: decoded ${value}, stated ${statement}`);
        break;
      }
    }
  }
  return { checked, problems };
}

// ---- Streams, chunking, randomness ----

/** mulberry32: a small deterministic PRNG, identical on Node and XS. Returns [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random chunk boundaries: sorted cut positions in (0, length), chunks of 1..maxChunk bytes. */
export function randomCuts(length: number, random: () => number, maxChunk = 64): number[] {
  const cuts: number[] = [];
  let at = 0;
  for (;;) {
    at += 1 + Math.floor(random() * maxChunk);
    if (at >= length) return cuts;
    cuts.push(at);
  }
}

/** A frame as the assembler delivered it, copied out of its reused buffer. */
export interface CollectedFrame {
  payload: Uint8Array;
  padding: number;
  crc: CrcFlavour;
}

export interface Collected {
  frames: CollectedFrame[];
  /** Error reasons in the order the assembler reported them. */
  errors: string[];
  counters: AssemblerCounters;
}

/**
 * Feeds `bytes` to a fresh FrameAssembler in the chunks given by `cuts` (positions where a
 * new chunk starts; none = one chunk) and collects what comes out.
 */
export function collectFrames(bytes: Uint8Array, cuts: readonly number[] = [], maxFrameBytes?: number): Collected {
  const frames: CollectedFrame[] = [];
  const errors: string[] = [];
  const assembler = new FrameAssembler({
    frame(frame) {
      frames.push({ payload: frame.payload.slice(0, frame.length), padding: frame.padding, crc: frame.crc });
    },
    error(reason) {
      errors.push(reason);
    },
  }, maxFrameBytes === undefined ? {} : { maxFrameBytes });
  let start = 0;
  for (const cut of cuts) {
    assembler.push(bytes, start, cut);
    start = cut;
  }
  assembler.push(bytes, start, bytes.length);
  return { frames, errors, counters: { ...assembler.counters } };
}

/** Feeds `bytes` one byte per push() call, each as its own one-byte array. */
export function collectFramesBytewise(bytes: Uint8Array): Collected {
  const cuts: number[] = [];
  for (let i = 1; i < bytes.length; i++) cuts.push(i);
  return collectFrames(bytes, cuts);
}

/** Null when both runs produced the same frames, errors and counters; else the first difference. */
export function collectedDifference(actual: Collected, expected: Collected): string | null {
  if (actual.frames.length !== expected.frames.length) return `${actual.frames.length} frames instead of ${expected.frames.length}`;
  for (let i = 0; i < expected.frames.length; i++) {
    const a = actual.frames[i];
    const e = expected.frames[i];
    if (a.crc !== e.crc || a.padding !== e.padding) return `frame ${i}: ${a.crc}/${a.padding} instead of ${e.crc}/${e.padding}`;
    if (hex(a.payload) !== hex(e.payload)) return `frame ${i}: payload differs`;
  }
  if (actual.errors.join() !== expected.errors.join()) return `errors ${actual.errors.join()} instead of ${expected.errors.join()}`;
  for (const key of Object.keys(expected.counters) as (keyof AssemblerCounters)[]) {
    if (actual.counters[key] !== expected.counters[key]) return `counter ${key}: ${actual.counters[key]} instead of ${expected.counters[key]}`;
  }
  return null;
}
