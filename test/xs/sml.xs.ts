// The SML core on XS: every real capture, the values their sources state, the meter quirks,
// the streams, chunking, and encoder round trips. The checks are shared with the ava tests
// (test/support/sml-checks.ts) so that both engines are held to the same expectations.

import { decodeCapture } from "../../sml/decode-file";
import { SmlDecoder, scaledValue } from "../../sml/decoder";
import { encodeFile, encodeFrame, OBIS, UNIT, type EntrySpec } from "../../sml/encoder";
import { hex, int64Text } from "../../sml/obis";
import { extractReadings } from "../../sml/readings";
import { emptyReadings } from "../../modules/meter/readings";
import {
  ANONYMISED, STREAM_EXPECTATIONS, collectFrames, collectFramesBytewise, collectedDifference, decodeFirst,
  hasCheckableStatements, mulberry32, randomCuts, statedValueProblems,
} from "../support/sml-checks";
import { deepEqual, equal, fixture, fixtureIndex, fixtureNames, ok, singleFrameFixtureNames, test } from "./harness";

test("every single-frame capture is one frame with its CRC flavour and message CRC state", () => {
  const names = singleFrameFixtureNames();
  equal(names.length, 46, "single-frame captures");
  for (const name of names) {
    const capture = decodeCapture(fixture(name));
    equal(capture.files.length, 1, name);
    const decoded = capture.files[0];
    if (!decoded.ok) throw new Error(`${name}: ${decoded.error}`);
    equal(decoded.crc, name.includes("kermit") ? "kermit-be" : "x25", name);
    deepEqual(decoded.messages.slice(0, 2), ["OpenResponse", "GetListResponse"], name);
    equal(decoded.badMessageCrcs > 0, ANONYMISED.has(name), `${name} message CRCs`);
  }
});

test("every value the sources state is decoded", () => {
  const entries = fixtureIndex().filter(hasCheckableStatements);
  ok(entries.length >= 40, `${entries.length} captures with statements`);
  let checked = 0;
  const problems: string[] = [];
  for (const entry of entries) {
    const result = statedValueProblems(entry, fixture(entry.file));
    ok(result.checked > 0, `${entry.file} states something checkable`);
    checked += result.checked;
    problems.push(...result.problems);
  }
  deepEqual(problems, []);
  ok(checked >= 190, `${checked} statements checked`);
});

test("meter quirks: DZG unsigned power, direction from the status word, kWh without PIN", () => {
  const read = (file: string) => {
    const r = emptyReadings();
    extractReadings(decodeFirst(fixture(file)), r);
    return r;
  };
  const dvs = read("sml/dzg-dvs7412-1.bin");
  equal(dvs.power, 356.24, "DVS-7412 in libsml's serial range: -299.12 is +356.24 W");
  equal(dvs.corrections, 1);
  equal(dvs.manufacturer, "DZG");
  equal(read("sml/dzg-dvs7420-1.bin").corrections, 0, "fixed firmware keeps its sign");
  equal(read("sml/dzg-dws7412-1.bin").phasePower[0], 507, "DWS-7412 without an export register");
  const ed300l = read("sml/emh-ed300l-1.bin");
  equal(ed300l.power, 137.1);
  equal(ed300l.powerSource, "15.7.0+direction");
  equal(read("sml/itron-unknown-1.bin").power, -2182, "Itron status 0xa2: export bit");
  equal(read("sml/iskra-mt175-1.bin").power, -4308, "Iskra: a real negative power");
  const noPin = read("sml/iskra-mt631-2.bin");
  equal(noPin.energyResolutionWh, 1000);
  ok(Number.isNaN(noPin.power), "no power without PIN");
  equal(read("sml/iskra-mt631-1.bin").energyResolutionWh, 0.1);
  equal(read("sml/emh-unknown-4.bin").powerSource, "1.7.0");
  equal(read("sml/emh-ehz-gw8e2a500ak2-1.bin").importWh, 14798112.9 + 2012.4, "tariffs summed");
  const kermit = new SmlDecoder();
  equal(kermit.decode(decodeFirst(fixture("sml/holley-unknown-2-kermit.bin")).bytes), null);
  equal(kermit.counters.messageCrcKermit, 3, "Holley: KERMIT message CRCs");
});

test("streams: frame counts, CRC errors and truncations as established", () => {
  const names = [...fixtureNames("sml/streams/"), "sml/modified/emh-unknown-1-junkprefix-badcrc-stream.bin"];
  ok(names.length >= 25, `${names.length} streams`);
  for (const name of names) {
    const capture = decodeCapture(fixture(name));
    const frames = capture.files.filter((f) => f.ok).length;
    ok(frames >= 1 || name.includes("dvs7420-3"), `${name} yields frames`);
    const want = STREAM_EXPECTATIONS[name];
    if (want === undefined) continue;
    equal(frames, want.ok, `${name} frames`);
    equal(capture.assembler?.crcErrors ?? 0, want.crc ?? 0, `${name} crc errors`);
    equal(capture.assembler?.truncated ?? 0, want.truncated ?? 0, `${name} truncated`);
  }
  const junk = decodeCapture(fixture("sml/modified/emh-unknown-1-junkprefix-badcrc-stream.bin"));
  equal(junk.assembler?.discardedBytes, 4, "the junk prefix is discarded");
});

test("bare message dumps decode with their message CRCs enforced", () => {
  for (const name of fixtureNames("sml/messages-only/")) {
    const decoded = decodeCapture(fixture(name)).files[0];
    if (ANONYMISED.has(name)) deepEqual(decoded, { ok: false, error: "message_crc" }, name);
    else ok(decoded.ok, name);
  }
});

test("chunking: random chunks (deterministic PRNG) and one-byte chunks give the same frames and counters", () => {
  const random = mulberry32(42);
  const names = [
    "sml/streams/easymeter-q3a-1-stream.bin", "sml/streams/dzg-dvs7420-3-stream.bin", "sml/streams/holley-dtz541-zdba-1-stream.bin",
    "sml/streams/emh-ed300l-1-stream.bin", "sml/modified/emh-unknown-1-junkprefix-badcrc-stream.bin",
  ];
  for (const name of names) {
    const bytes = fixture(name);
    const whole = collectFrames(bytes);
    for (let round = 0; round < 6; round++) {
      const cuts = randomCuts(bytes.length, random, round < 3 ? 8 : 200);
      equal(collectedDifference(collectFrames(bytes, cuts), whole), null, `${name}, round ${round}`);
    }
  }
  for (const name of ["sml/streams/dzg-dvs7420-2-stream.bin", "sml/streams/iskra-mt631-1-stream.bin"]) {
    const bytes = fixture(name);
    equal(collectedDifference(collectFramesBytewise(bytes), collectFrames(bytes)), null, `${name}, byte by byte`);
  }
});

const SERVER_ID = Uint8Array.of(0x0a, 0x01, 0x44, 0x5a, 0x47, 0x00, 0x02, 0x82, 0x22, 0x5e);

function roundTrip(entries: EntrySpec[], crc: "x25" | "kermit-be" = "x25"): SmlDecoder {
  const { frames, errors } = collectFrames(encodeFrame(encodeFile({ serverId: SERVER_ID, entries }), { crc }));
  equal(frames.length, 1, `one frame (${errors.join()})`);
  equal(frames[0].crc, crc);
  const decoder = new SmlDecoder();
  equal(decoder.decode(frames[0].payload, 0, frames[0].payload.length, { requireMessageCrc: true }), null);
  return decoder;
}

test("encoder round trip: integers of every width, signed and unsigned, up to 64 bits", () => {
  const values: { v: bigint; width: number; signed: boolean }[] = [];
  for (let width = 1; width <= 8; width++) {
    const bits = BigInt(8 * width);
    for (const v of [0n, 1n, -1n, -(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n]) values.push({ v, width, signed: true });
    for (const v of [0n, 1n, (1n << bits) - 1n, 1n << (bits - 1n)]) values.push({ v, width, signed: false });
  }
  const decoder = roundTrip(values.map(({ v, width, signed }, i) => ({
    obis: [1, 0, 96, 50, i, 255], scaler: -1, value: signed ? { int: v, width } : { uint: v, width },
  })));
  equal(decoder.entryCount, values.length);
  values.forEach(({ v, width, signed }, i) => {
    const e = decoder.entries[i];
    const note = `${v} in ${width} bytes, ${signed ? "signed" : "unsigned"}`;
    equal(e.width, width, note);
    equal(e.signed, signed, note);
    equal(e.raw, Number(v), note);
    const safe = v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER);
    equal(e.exact, safe, `${note}: exact`);
    if (width >= 7) equal(int64Text(e.rawHigh, e.rawLow), v.toString(), `${note}: printed`);
    equal(scaledValue(e), Number(v) / 10, `${note}: scaled`);
  });
});

test("encoder round trip: escapes, multi-byte TLs, long lists, KERMIT, values into readings", () => {
  const esc = (n: number) => new Uint8Array(n).fill(0x1b);
  const strings = [esc(4), esc(5), esc(8), esc(12), Uint8Array.of(0x1b, 0x1b, 0x1b, 0x1b, 0x1a, 0, 1, 2), new Uint8Array(15).fill(7), new Uint8Array(300).fill(9)];
  const entries: EntrySpec[] = strings.map((octets, i) => ({ obis: [1, 0, 96, 50, i, 255], value: { octets } }));
  for (let i = 0; i < 20; i++) entries.push({ obis: [1, 0, 96, 51, i, 255], value: { uint: i } });
  entries.push({ obis: OBIS.power, unit: UNIT.W, scaler: -2, value: { int: -29912, width: 2 } });
  entries.push({ obis: OBIS.importEnergy, status: 0x182, unit: UNIT.Wh, scaler: -1, value: { uint: 54301577 } });
  for (const crc of ["x25", "kermit-be"] as const) {
    const decoder = roundTrip(entries, crc);
    equal(decoder.entryCount, entries.length);
    strings.forEach((octets, i) => equal(hex(decoder.bytes, decoder.entries[i].bytesStart, decoder.entries[i].bytesEnd), hex(octets), `octets ${i}`));
    const readings = emptyReadings();
    extractReadings(decoder, readings);
    equal(readings.manufacturer, "DZG");
    equal(readings.power, 356.24, "DZG serial in the buggy range: unsigned power");
    equal(readings.importWh, 5430157.7);
  }
});
