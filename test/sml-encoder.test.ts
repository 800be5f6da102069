// Self-contained SML tests: frames built with our own encoder (sml/encoder.ts) exercise the
// frame assembler, the TL reader, the decoder, the readings and the meter model on exactly
// the cases that real captures show rarely or never (QUIRKS.md B and D).

import test from "ava";
import { crc16Kermit, crc16X25 } from "../sml/crc";
import { SmlDecoder, scaledValue, type SmlEntry } from "../sml/decoder";
import { encodeFile, encodeFrame, encodeMessage, encodeValue, listEntry, OBIS, UNIT, type EntrySpec, type FrameOptions, type SmlValue } from "../sml/encoder";
import { FrameAssembler } from "../sml/frame-assembler";
import { hex, int64Text, obisText } from "../sml/obis";
import { SmlReader, TYPE_LIST } from "../sml/reader";
import { extractReadings } from "../sml/readings";
import { MeterModel } from "../modules/meter/meter-model";
import { emptyReadings } from "../modules/meter/readings";
import { SmlInput } from "../modules/meter/sml-input";
import { PHASE_CASES, phaseCaseProblems, stalenessProblems } from "./support/meter-cases";
import { collectFrames, mulberry32 } from "./support/sml-checks";
import { concatBytes } from "./support/bytes";

const SERVER_ID = Uint8Array.of(0x0a, 0x01, 0x45, 0x4d, 0x48, 0x00, 0x00, 0x00, 0x00, 0x2a); // "EMH" serial 42
const START = [0x1b, 0x1b, 0x1b, 0x1b, 0x01, 0x01, 0x01, 0x01];

const obis = (n: number): number[] => [1, 0, 96, 50, n, 255]; // distinct codes for test entries

function fileOf(entries: EntrySpec[], serverId = SERVER_ID): Uint8Array {
  return encodeFile({ serverId, entries });
}

function frameOf(entries: EntrySpec[], options: FrameOptions = {}): Uint8Array {
  return encodeFrame(fileOf(entries), options);
}

/** Frames → the one payload they carry → a decoder holding it; fails loudly otherwise. */
function decodeFrame(frame: Uint8Array): SmlDecoder {
  const { frames, errors } = collectFrames(frame);
  if (frames.length !== 1 || errors.length !== 0) throw new Error(`expected one frame, got ${frames.length} (${errors.join()})`);
  const decoder = new SmlDecoder();
  const error = decoder.decode(frames[0].payload);
  if (error !== null) throw new Error(`decode: ${error}`);
  return decoder;
}

function entriesOf(decoder: SmlDecoder): SmlEntry[] {
  return decoder.entries.slice(0, decoder.entryCount);
}

function indexOf(haystack: Uint8Array, needle: ArrayLike<number>, from = 0): number {
  outer: for (let i = from; i + needle.length <= haystack.length; i++) {
    for (let k = 0; k < needle.length; k++) if (haystack[i + k] !== needle[k]) continue outer;
    return i;
  }
  return -1;
}

// ---- Integers ----

function integerCases(width: number, signed: boolean): bigint[] {
  const bits = BigInt(8 * width);
  if (signed) {
    const max = (1n << (bits - 1n)) - 1n;
    const min = -(1n << (bits - 1n));
    return [0n, 1n, -1n, 2n, -2n, max, max - 1n, min, min + 1n, 0x55n, -0x55n];
  }
  const max = (1n << bits) - 1n;
  return [0n, 1n, 2n, max, max - 1n, 1n << (bits - 1n), (1n << (bits - 1n)) - 1n, 0x55n];
}

for (const signed of [true, false]) {
  for (let width = 1; width <= 8; width++) {
    test(`${signed ? "signed" : "unsigned"} integers of ${width} byte${width > 1 ? "s" : ""}: boundaries, sign, exactness`, (t) => {
      const values = integerCases(width, signed);
      const entries = values.map((v, i): EntrySpec => ({
        obis: obis(i), unit: UNIT.W, scaler: -1, value: signed ? { int: v, width } : { uint: v, width },
      }));
      const decoder = decodeFrame(frameOf(entries));
      t.is(decoder.entryCount, values.length);
      values.forEach((v, i) => {
        const e = decoder.entries[i];
        const note = `${v} as ${width} bytes`;
        t.is(e.kind, "int", note);
        t.is(e.width, width, note);
        t.is(e.signed, signed, note);
        const safe = v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER);
        t.is(e.exact, safe, `${note}: exact`);
        t.is(e.raw, Number(v), `${note}: raw (rounded once when beyond 2^53)`);
        if (!safe) t.is(int64Text(e.rawHigh, e.rawLow), v.toString(), `${note}: printed exactly`);
        t.is(scaledValue(e), Number(v) / 10, `${note}: scaled`);
      });
    });
  }
}

test("integers around 2^53 and 2^63: flagged inexact beyond 2^53, printed exactly by int64Text", (t) => {
  const values: [bigint, number, boolean][] = [
    [2n ** 53n - 1n, 8, true], [-(2n ** 53n - 1n), 8, true], [2n ** 53n + 1n, 8, false], [-(2n ** 53n + 1n), 8, false],
    [2n ** 63n - 1n, 8, false], [-(2n ** 63n), 8, false], [0x00ffffffffffffffn, 8, false], [2n ** 55n - 1n, 7, false], [46178257063n, 8, true],
    [29416461614n, 5, true], [-1n, 8, true], [-1n, 7, true], [-(2n ** 55n), 7, false],
  ];
  const decoder = decodeFrame(frameOf(values.map(([v, width], i) => ({ obis: obis(i), value: { int: v, width } }))));
  values.forEach(([v, width, exact], i) => {
    const e = decoder.entries[i];
    t.is(e.width, width);
    t.is(e.exact, exact, `${v} exact`);
    t.is(e.raw, Number(v), `${v} raw`);
    if (width >= 7) t.is(int64Text(e.rawHigh, e.rawLow), v.toString(), `${v} printed`);
  });
  const unsigned = decodeFrame(frameOf([
    { obis: obis(0), value: { uint: 2n ** 64n - 1n, width: 8 } },
    { obis: obis(1), value: { uint: 2n ** 56n - 1n, width: 7 } },
  ]));
  t.false(unsigned.entries[0].exact);
  t.false(unsigned.entries[0].signed);
  t.is(int64Text(unsigned.entries[0].rawHigh, unsigned.entries[0].rawLow), "18446744073709551615");
  t.is(int64Text(unsigned.entries[1].rawHigh, unsigned.entries[1].rawLow), "72057594037927935");
});

test("the encoder picks the smallest width, and a value's width survives the round trip", (t) => {
  const cases: [SmlValue, string][] = [
    [{ int: 127 }, "527f"], [{ int: 128 }, "530080"], [{ int: -129 }, "53ff7f"], [{ uint: 255 }, "62ff"],
    [{ uint: 256 }, "630100"], [{ uint: 0x10000 }, "64010000"], [{ int: -(2 ** 23) }, "54800000"],
    [{ uint: 2 ** 32 }, "660100000000"], [{ int: 2 ** 47 - 1 }, "577fffffffffff"], [{ int: 2 ** 47 }, "5800800000000000"], [{ uint: 2n ** 56n }, "690100000000000000"],
  ];
  for (const [value, expected] of cases) t.is(hex(Uint8Array.from(encodeValue(value))), expected, JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v)));
});

// ---- TL fields ----

test("multi-byte TL fields: octet strings of 15 bytes and more, server ids, lists of more than 15 entries", (t) => {
  // Wire format first: the length counts the TL bytes; continuation bytes carry only a nibble.
  const tlOf = (n: number) => hex(Uint8Array.from(encodeValue({ octets: new Uint8Array(n).fill(0xaa) }).slice(0, 3)));
  t.is(tlOf(14).slice(0, 2), "0f");
  t.is(tlOf(15).slice(0, 4), "8101"); // 15 + 2 TL bytes = 0x11
  t.is(tlOf(48).slice(0, 4), "8302"); // 48-byte public keys as EMH sends them (QUIRKS B.9)
  t.is(tlOf(253).slice(0, 4), "8f0f");
  t.is(tlOf(254), "818001"); // 254 + 3 = 0x101 needs three TL bytes
  t.is(hex(Uint8Array.from(encodeValue({ list: new Array<SmlValue>(20).fill(null) }).slice(0, 2))), "f104");

  const lengths = [1, 2, 13, 14, 15, 16, 17, 47, 48, 100, 252, 253, 254, 255, 600];
  const random = mulberry32(7);
  const strings = lengths.map((n) => Uint8Array.from({ length: n }, () => Math.floor(random() * 256)));
  const decoder = decodeFrame(frameOf(strings.map((octets, i) => ({ obis: obis(i), value: { octets } }))));
  t.is(decoder.entryCount, lengths.length, "a 15-entry list");
  strings.forEach((octets, i) => {
    const e = decoder.entries[i];
    t.is(e.kind, "bytes");
    t.is(hex(decoder.bytes, e.bytesStart, e.bytesEnd), hex(octets), `${octets.length} bytes`);
  });

  for (const count of [16, 20, 31, 255]) {
    const entries = Array.from({ length: count }, (_, i): EntrySpec => ({ obis: [1, 0, 96, 50, i & 0xff, 255], value: { uint: i } }));
    const decoded = decodeFrame(frameOf(entries));
    t.is(decoded.entryCount, count, `${count} entries`);
    t.is(decoded.entries[count - 1].raw, count - 1);
  }
  // 256 entries need a three-byte list TL (f1 80 00); too big for a 4 KB frame, so as a bare file.
  const big = fileOf(Array.from({ length: 256 }, (_, i): EntrySpec => ({ obis: [1, 0, 96, 50, i & 0xff, 255], value: { uint: i } })));
  t.true(indexOf(big, [0xf1, 0x80, 0x00]) > 0);
  const bigDecoder = new SmlDecoder();
  t.is(bigDecoder.decode(big, 0, big.length, { requireMessageCrc: true }), null);
  t.is(bigDecoder.entryCount, 256);

  const longId = Uint8Array.from({ length: 20 }, (_, i) => 0x40 + i);
  const withLongId = new SmlDecoder();
  t.is(withLongId.decode(fileOf([], longId)), null);
  t.is(hex(withLongId.bytes, withLongId.serverIdStart, withLongId.serverIdEnd), hex(longId));
});

test("TL continuation bytes: only the more bit and the low nibble count (Hager eHZ f1 76)", (t) => {
  const r = new SmlReader();
  r.reset(Uint8Array.of(0xf1, 0x76), 0, 2);
  t.true(r.readTl());
  t.is(r.type, TYPE_LIST);
  t.is(r.length, 0x16);
  // The same inside a whole file: a 22-entry list announced as f1 76 still decodes.
  const entries = Array.from({ length: 22 }, (_, i): EntrySpec => ({ obis: obis(i), value: { uint: i } }));
  const file = fileOf(entries);
  const at = indexOf(file, [0xf1, 0x06]);
  t.true(at > 0);
  file[at + 1] = 0x76;
  const decoder = new SmlDecoder();
  t.is(decoder.decode(file), null);
  t.is(decoder.entryCount, 22);
  t.is(decoder.badMessageCrcs, 1, "the patched message's CRC no longer matches");
});

test("the TL reader rejects malformed fields with typed reasons", (t) => {
  const read = (...bytes: number[]) => {
    const r = new SmlReader();
    r.reset(Uint8Array.from(bytes), 0, bytes.length);
    const ok = r.readTl();
    return ok ? "ok" : r.error;
  };
  t.is(read(0x01), "ok", "absent optional");
  t.is(read(0x00), "ok", "end of message");
  t.is(read(0x10), "bad_tl", "type 1 does not exist");
  t.is(read(0x22, 0), "bad_tl", "type 2 does not exist");
  t.is(read(0x33, 0, 0), "bad_tl", "type 3 does not exist");
  t.is(read(0x50), "bad_tl", "an integer of zero bytes");
  t.is(read(0x5a, 1, 2, 3, 4, 5, 6, 7, 8, 9), "bad_tl", "an integer of nine bytes");
  t.is(read(0x43, 1, 1), "bad_tl", "a boolean of two bytes");
  t.is(read(0x8f, 0x8f, 0x8f, 0x8f, 0x0f), "bad_tl", "five TL bytes");
  t.is(read(0x81), "truncated", "TL cut after its first byte");
  t.is(read(0x05, 1, 2), "truncated", "octet string longer than the data");
  t.is(read(0x63, 1), "truncated", "integer cut short");
  t.is(read(0x80, 0x01), "bad_tl", "a multi-byte length smaller than the TL itself");
  const r = new SmlReader();
  r.reset(Uint8Array.from([0x10, 0x01]), 0, 2);
  t.false(r.readTl());
  t.false(r.readTl(), "after an error every read fails");
});

// ---- Entry contents ----

test("booleans, absent optionals, list-valued entries (skipped but counted), valTime variants", (t) => {
  const entries: EntrySpec[] = [
    { obis: obis(1), value: { bool: true } },
    { obis: obis(2), value: { bool: false } },
    { obis: obis(3), value: null },
    { obis: obis(4), value: { uint: 5 } }, // no status, unit or scaler
    { obis: obis(5), status: 0x1c2904, unit: UNIT.Wh, scaler: -1, value: { list: [{ uint: 1 }, { list: [{ int: -1 }, null] }] } },
    { obis: OBIS.power, unit: UNIT.W, scaler: 0, value: { int: -417 } },
  ];
  const decoder = decodeFrame(frameOf(entries));
  const [yes, no, none, bare, list, power] = entriesOf(decoder);
  t.is(decoder.entryCount, 6, "the list-valued entry is counted");
  t.like(yes, { kind: "bool", raw: 1 });
  t.like(no, { kind: "bool", raw: 0 });
  t.like(none, { kind: "none" });
  t.like(bare, { kind: "int", raw: 5, hasStatus: false, unit: 0, scaler: 0 });
  t.like(list, { kind: "list", hasStatus: true, status: 0x1c2904, unit: UNIT.Wh, scaler: -1 });
  t.like(power, { kind: "int", raw: -417, signed: true });
  t.is(obisText(power), "1-0:16.7.0*255");
  const readings = emptyReadings();
  extractReadings(decoder, readings);
  t.is(readings.power, -417, "entries after a list-valued one are read normally");

  // valTime: not set, an SML_Time choice, or (Holley DTZ541) a bare Unsigned32 (QUIRKS B.7).
  const valTimes: SmlValue[] = [null, { list: [{ uint: 1, width: 1 }, { uint: 123456, width: 4 }] }, { uint: 0x01020304, width: 4 }];
  const custom = valTimes.map((valTime, i): SmlValue => ({
    list: [{ octets: Uint8Array.from(OBIS.power) }, null, valTime, { uint: UNIT.W }, { int: 0 }, { int: 100 + i }, null],
  }));
  const file = concatBytes(
    encodeMessage(Uint8Array.of(1), 0x0101, { list: [null, null, { octets: "f" }, { octets: SERVER_ID }, null, null] }),
    encodeMessage(Uint8Array.of(2), 0x0701, { list: [null, { octets: SERVER_ID }, null, null, { list: custom }, null, null] }),
    encodeMessage(Uint8Array.of(3), 0x0201, { list: [null] }),
  );
  const d = new SmlDecoder();
  t.is(d.decode(file, 0, file.length, { requireMessageCrc: true }), null);
  t.deepEqual(entriesOf(d).map((e) => e.raw), [100, 101, 102]);
});

test("escaped 1b1b1b1b inside the payload: octet strings with 4, 5, 8 and 12 0x1b, and with escape look-alikes", (t) => {
  const esc = (n: number) => new Array<number>(n).fill(0x1b);
  const strings = [
    esc(4), esc(8), esc(5), esc(3), esc(12), [0x01, ...esc(4), 0x02],
    [...esc(4), 0x1a, 0x00, 0x12, 0x34], // would be an end sequence if it were not escaped
    [...esc(4), 0x01, 0x01, 0x01, 0x01], // would be a start sequence
    [...esc(7), 0x01],
  ].map((a) => Uint8Array.from(a));
  const file = fileOf(strings.map((octets, i) => ({ obis: obis(i), value: { octets } })));
  const frame = encodeFrame(file);
  t.true(indexOf(frame, esc(8)) > 0, "the encoder doubled a literal 1b1b1b1b");
  const { frames, errors } = collectFrames(frame);
  t.deepEqual(errors, []);
  t.is(frames.length, 1);
  t.is(hex(frames[0].payload.subarray(0, file.length)), hex(file), "the payload is the file, unescaped");
  t.true(frames[0].payload.subarray(file.length).every((b) => b === 0), "then only fill bytes");
  const decoder = new SmlDecoder();
  t.is(decoder.decode(frames[0].payload), null);
  strings.forEach((octets, i) => {
    const e = decoder.entries[i];
    t.is(hex(decoder.bytes, e.bytesStart, e.bytesEnd), hex(octets));
  });
  t.is(decoder.counters.messageCrcOk, 3);
  // Byte by byte gives the same.
  const cuts = Array.from({ length: frame.length - 1 }, (_, i) => i + 1);
  t.is(hex(collectFrames(frame, cuts).frames[0].payload), hex(frames[0].payload));
});

test("pad counts 0 to 3 (and the 4 one DZG meter sends) are accepted and reported", (t) => {
  const seen = new Set<number>();
  for (let extra = 1; extra <= 4; extra++) {
    const file = fileOf([{ obis: OBIS.power, value: { int: 1 } }, { obis: obis(1), value: { octets: new Uint8Array(extra) } }]);
    const frame = encodeFrame(file);
    t.is(frame.length % 4, 0, "aligned to 4 bytes");
    const { frames } = collectFrames(frame);
    t.is(frames.length, 1);
    t.is(frames[0].padding, frame[frame.length - 3]);
    seen.add(frames[0].padding);
    t.is(new SmlDecoder().decode(frames[0].payload), null);
  }
  t.deepEqual([...seen].sort(), [0, 1, 2, 3]);
  for (const padding of [0, 4, 7]) {
    const { frames } = collectFrames(frameOf([{ obis: OBIS.power, value: { int: 1 } }], { padding }));
    t.is(frames.length, 1, `pad ${padding}`);
    t.is(frames[0].padding, padding);
    t.is(new SmlDecoder().decode(frames[0].payload), null, `fill bytes after the messages are skipped (pad ${padding})`);
  }
});

test("KERMIT frames (Holley DTZ541): both byte orders on the transport CRC, KERMIT message CRCs", (t) => {
  const file = encodeFile({ serverId: SERVER_ID, entries: [{ obis: OBIS.power, unit: UNIT.W, scaler: 0, value: { int: 188 } }], messageCrc: "kermit" });
  for (const crc of ["kermit-be", "kermit-le", "x25"] as const) {
    const frame = encodeFrame(file, { crc });
    const { frames, counters } = collectFrames(frame);
    t.is(frames.length, 1, crc);
    t.is(frames[0].crc, crc);
    t.is(counters.kermitFrames, crc === "x25" ? 0 : 1);
    const decoder = new SmlDecoder();
    t.is(decoder.decode(frames[0].payload), null);
    t.is(decoder.counters.messageCrcKermit, 3);
    t.is(decoder.counters.messageCrcOk, 0);
  }
  // Independent check of what the encoder wrote: KERMIT high byte first.
  const frame = encodeFrame(file, { crc: "kermit-be" });
  const n = frame.length;
  t.is((frame[n - 2] << 8) | frame[n - 1], crc16Kermit(frame, 0, n - 2));
  t.not(frame[n - 2] | (frame[n - 1] << 8), crc16X25(frame, 0, n - 2));
  // A wrong checksum in any flavour is a CRC error.
  frame[n - 1] ^= 0x40;
  const broken = collectFrames(frame);
  t.is(broken.frames.length, 0);
  t.deepEqual(broken.errors, ["crc"]);
});

test("unknown message types are skipped by their TL structure", (t) => {
  const entries = [{ obis: OBIS.power, unit: UNIT.W, scaler: -1, value: { int: 12345 } }];
  const file = concatBytes(
    encodeMessage(Uint8Array.of(1), 0x0101, { list: [null, null, { octets: "f" }, { octets: SERVER_ID }, null, null] }),
    encodeMessage(Uint8Array.of(2), 0x0901, { list: [{ octets: "?" }, { list: [{ uint: 7 }, { list: [{ bool: true }, null] }] }, { int: -5 }] }),
    encodeMessage(Uint8Array.of(3), 0x0401, { list: [null, { octets: SERVER_ID }, { list: [{ list: [{ uint: 1 }, { octets: new Uint8Array(40) }] }] }] }),
    encodeMessage(Uint8Array.of(4), 0x0701, { list: [null, { octets: SERVER_ID }, null, null, { list: entries.map(listEntry) }, null, null] }),
    encodeMessage(Uint8Array.of(5), 0x0201, { list: [null] }),
  );
  const { frames } = collectFrames(encodeFrame(file));
  const decoder = new SmlDecoder();
  t.is(decoder.decode(frames[0].payload), null);
  t.deepEqual(decoder.messageTags, [0x0101, 0x0901, 0x0401, 0x0701, 0x0201]);
  t.is(decoder.counters.otherMessages, 2);
  t.is(decoder.counters.messageCrcOk, 5);
  t.is(decoder.entryCount, 1);
  t.is(scaledValue(decoder.entries[0]), 1234.5);
});

test("a truncated file is 'truncated' at every cut inside a message; whole messages decode", (t) => {
  const file = fileOf([
    { obis: OBIS.importEnergy, status: 0x182, unit: UNIT.Wh, scaler: -1, value: { uint: 2n ** 60n } },
    { obis: OBIS.power, unit: UNIT.W, scaler: 0, value: { int: -5 } },
    { obis: obis(1), value: { octets: new Uint8Array(30).fill(7) } },
  ]);
  // Message ends: the 00 after each message's CRC field.
  const boundaries = new Set<number>();
  for (let i = 0; i < file.length; i++) if (file[i] === 0x00 && file[i - 3] === 0x63) boundaries.add(i + 1);
  t.is(boundaries.size, 3);
  t.true(boundaries.has(file.length));
  const decoder = new SmlDecoder();
  t.is(decoder.decode(file, 0, 0), "truncated", "empty");
  t.is(decoder.decode(Uint8Array.of(0, 0, 0, 0)), "truncated", "fill bytes only");
  for (let cut = 1; cut < file.length; cut++) {
    const result = decoder.decode(file, 0, cut);
    t.is(result, boundaries.has(cut) ? null : "truncated", `cut at ${cut} of ${file.length}`);
  }
});

test("malformed structure: bad TLs and a missing end of message are typed errors", (t) => {
  const file = fileOf([{ obis: OBIS.power, value: { int: 1 } }]);
  const decoder = new SmlDecoder();
  const patched = (at: number, byte: number) => {
    const copy = file.slice();
    copy[at] = byte;
    return decoder.decode(copy);
  };
  t.is(patched(0, 0x16), "bad_tl", "message list with TL type 1");
  t.is(patched(0, 0x75), "bad_tl", "a message of five elements");
  t.is(patched(file.length - 1, 0x01), "bad_structure", "no end-of-message byte");
  // Nesting beyond any real file (13 levels) inside an unknown message body.
  let deep: SmlValue = { uint: 1 };
  for (let i = 0; i < 13; i++) deep = { list: [deep] };
  const nested = Uint8Array.from(encodeMessage(Uint8Array.of(1), 0x0999, deep));
  t.is(decoder.decode(nested), "bad_tl");
  let ok: SmlValue = { uint: 1 };
  for (let i = 0; i < 10; i++) ok = { list: [ok] };
  t.is(decoder.decode(Uint8Array.from(encodeMessage(Uint8Array.of(1), 0x0999, ok))), null);
  t.is(decoder.counters.errors, 4);
});

// ---- Transport robustness ----

test("a frame cut off by a new start sequence: counted as truncated, the next frame is found", (t) => {
  const a = frameOf([{ obis: OBIS.power, value: { int: 1111 } }]);
  const b = frameOf([{ obis: OBIS.power, value: { int: 2222 } }]);
  const expected = collectFrames(b).frames[0];
  const endEscape = a.length - 8; // 1b1b1b1b 1a pad crc crc
  for (let cut = 1; cut < a.length; cut++) {
    // Cut right after the four 1b of the end escape, the next start's 1b1b1b1b makes eight:
    // by the escaping rule a literal 1b1b1b1b, so that frame is lost. Inherent, not a bug.
    if (cut === endEscape + 4) continue;
    const { frames, errors, counters } = collectFrames(concatBytes(a.subarray(0, cut), b));
    t.is(frames.length, 1, `cut at ${cut}`);
    t.is(hex(frames[0].payload), hex(expected.payload), `cut at ${cut}`);
    if (cut >= 8 && cut < endEscape) {
      t.deepEqual(errors, ["truncated"], `cut at ${cut}`);
      t.is(counters.truncated, 1);
      t.is(counters.resyncs, 1);
    }
    if (cut > endEscape + 4) t.deepEqual(errors, ["crc"], `cut at ${cut}: the end sequence was there, its checksum is not`);
  }
  const together = collectFrames(concatBytes(a.subarray(0, 40), b.subarray(0, 50), a, b));
  t.is(together.frames.length, 2);
  t.is(together.counters.truncated, 2);
});

test("bounded buffer: a frame that never ends overflows once, memory stays bounded, the next frame is found", (t) => {
  const random = mulberry32(3);
  const endless = new Uint8Array(1_000_000);
  for (let i = 0; i < endless.length; i++) {
    const b = Math.floor(random() * 256);
    endless[i] = b === 0x1b ? 0x1c : b;
  }
  const good = frameOf([{ obis: OBIS.power, value: { int: 42 } }]);
  const payloads = new Set<Uint8Array>();
  const errors: string[] = [];
  let frames = 0;
  const assembler = new FrameAssembler({
    frame(frame) {
      frames++;
      payloads.add(frame.payload);
      t.is(frame.length, collectFrames(good).frames[0].payload.length);
    },
    error(reason) {
      errors.push(reason);
    },
  });
  assembler.push(good);
  assembler.push(Uint8Array.from(START));
  for (let at = 0; at < endless.length; at += 4096) assembler.push(endless, at, Math.min(at + 4096, endless.length));
  assembler.push(good);
  t.is(frames, 2);
  t.deepEqual(errors, ["overflow"]);
  t.is(assembler.counters.overflows, 1);
  // 4096 bytes fill the buffer, the next one overflows it; all after that is garbage.
  t.is(assembler.counters.discardedBytes, endless.length - 4096 - 1, "the rest of the endless frame is discarded");
  t.is(payloads.size, 1, "one buffer, allocated up front, is reused");
  t.is([...payloads][0].length, 4096);

  // A smaller bound, and an endless run of 0x1b (escape pairs: four literal bytes each).
  const small = collectFrames(concatBytes(frameOf([{ obis: obis(1), value: { octets: new Uint8Array(100) } }]), good), [], 128);
  t.is(small.frames.length, 1);
  t.deepEqual(small.errors, ["overflow"]);
  const escapes = collectFrames(concatBytes(START, new Uint8Array(100_000).fill(0x1b), [0x00], good));
  t.is(escapes.frames.length, 1);
  t.is(escapes.counters.overflows, 1);
});

test("garbage between frames is discarded and counted; every frame is found", (t) => {
  const random = mulberry32(11);
  const parts: Uint8Array[] = [];
  const expected: string[] = [];
  let garbageBytes = 0;
  let gaps = 0;
  for (let i = 0; i < 20; i++) {
    const garbage: number[] = [];
    const n = i % 4 === 0 ? 0 : Math.floor(random() * 300);
    for (let k = 0; k < n; k++) {
      const b = Math.floor(random() * 256);
      garbage.push(b === 0x1b ? 0x00 : b);
    }
    // Start-sequence look-alikes that are not one.
    if (i % 3 === 1) garbage.push(0x1b, 0x1b, 0x1b, 0x1b, 0x01, 0x01, 0x01, 0x02);
    if (i % 5 === 2) garbage.push(0x1b, 0x1b, 0x1b, 0x01, 0x01, 0x01, 0x01);
    if (i % 7 === 3) garbage.push(0x1b); // directly before the start: five 1b in a row
    garbageBytes += garbage.length;
    if (garbage.length > 0) gaps++;
    const file = fileOf([{ obis: OBIS.power, value: { int: i * 10 } }]);
    const frame = encodeFrame(file, { crc: i % 6 === 5 ? "kermit-be" : "x25" });
    parts.push(Uint8Array.from(garbage), frame);
    expected.push(hex(collectFrames(frame).frames[0].payload));
  }
  const stream = concatBytes(...parts);
  const { frames, errors, counters } = collectFrames(stream);
  t.deepEqual(frames.map((f) => hex(f.payload)), expected);
  t.deepEqual(errors, []);
  t.is(counters.discardedBytes, garbageBytes);
  t.is(counters.resyncs, gaps);
  t.is(counters.kermitFrames, 3);
  t.is(counters.bytes, stream.length);
});

test("bytes that only look like a start or end sequence outside a frame are garbage", (t) => {
  const good = frameOf([{ obis: OBIS.power, value: { int: 42 } }]);
  const { frames, errors } = collectFrames(concatBytes([0x1b, 0x1b, 0x1b, 0x1b, 0x1a, 0x00, 0x12, 0x34], good, [0x1b, 0x1b, 0x1b, 0x1b, 0x02, 0x02, 0x02, 0x02], good));
  t.is(frames.length, 2);
  t.deepEqual(errors, []);
  const badEscape = collectFrames(concatBytes(good.subarray(0, 30), [0x1b, 0x1b, 0x1b, 0x1b, 0x07], good));
  t.is(badEscape.frames.length, 1);
  t.deepEqual(badEscape.errors, ["bad_escape"]);
});

// ---- Meter model ----

for (const c of PHASE_CASES) {
  test(`phases: ${c.name}`, (t) => {
    t.deepEqual(phaseCaseProblems(c), []);
  });
}

test("staleness: served up to staleAfterMs (10 s) after a frame, then null with reason 'stale'; recovers on the next frame", (t) => {
  t.deepEqual(stalenessProblems(), []);
});

test("SmlInput → MeterModel end to end: values, measured flags, no_power without PIN, stale, recovery", (t) => {
  const model = new MeterModel({ phaseMode: "split" });
  const input = new SmlInput(model);
  const withPin = frameOf([
    { obis: OBIS.importEnergy, status: 0x182, unit: UNIT.Wh, scaler: -1, value: { uint: 123456789 } },
    { obis: OBIS.exportEnergy, unit: UNIT.Wh, scaler: -1, value: { uint: 5000 } },
    { obis: OBIS.power, unit: UNIT.W, scaler: -2, value: { int: 123456 } },
    { obis: OBIS.powerL1, unit: UNIT.W, scaler: -2, value: { int: 50000 } },
    { obis: OBIS.voltageL1, unit: UNIT.V, scaler: -1, value: { uint: 2345 } },
    { obis: OBIS.currentL1, unit: UNIT.A, scaler: -2, value: { int: 213 } },
    { obis: OBIS.frequency, unit: UNIT.Hz, scaler: -1, value: { uint: 500 } },
  ]);
  input.push(withPin, 1000);
  const view = model.gridView(1200);
  t.truthy(view);
  if (!view) return;
  t.is(view.totalActPower, 1234.56);
  t.is(view.phases[0].actPower, 500);
  t.is(view.phases[1].actPower, (1234.56 - 500) / 2);
  t.is(view.phases[0].voltage, 234.5);
  t.is(view.phases[1].voltage, 230, "nominal where the meter sends none");
  t.is(view.phases[0].current, 2.13);
  t.is(view.phases[0].freq, 50);
  t.is(view.totalImportWh, 12345678.9);
  t.is(view.totalExportWh, 500);
  t.like(view.measured, { phasePower: true, voltage: true, current: true, frequency: true, energy: true });
  t.is(view.ageMs, 200);
  t.is(model.latest.manufacturer, "EMH");
  t.is(input.counters().framesOk, 1);
  t.is(hex(input.lastFrame.subarray(0, 4)), "76064952", "the last frame's payload is kept");

  // Without PIN: whole kWh, no power → no_power, but the energy is still taken.
  const noPin = frameOf([{ obis: OBIS.importEnergy, status: 0x182, unit: UNIT.Wh, scaler: 3, value: { uint: 12346 } }]);
  input.push(noPin, 2000);
  t.is(model.gridView(2000), null);
  t.deepEqual(model.unavailable(2000), { reason: "no_power", ageMs: 0 });
  t.is(model.latest.importWh, 12346000);
  t.is(model.latest.energyResolutionWh, 1000);

  // Silence: stale after 10 s; the next frame with power recovers.
  t.deepEqual(model.unavailable(12_001), { reason: "stale", ageMs: 10_001 });
  input.push(withPin, 30_000);
  t.is(model.gridView(30_000)?.totalActPower, 1234.56);
  t.is(input.counters().framesOk, 3);
  t.is(input.lastFrame.length, collectFrames(withPin).frames[0].payload.length);

  // Broken bytes are counted, never thrown, and leave the model alone.
  const broken = withPin.slice();
  broken[40] ^= 0xff;
  input.push(broken, 31_000);
  t.is(input.counters().crcErrors, 1);
  t.is(input.lastError, "crc");
  t.is(model.lastFrameAt, 30_000);
});

test("SmlInput applies the power sign option and counts quirk corrections", (t) => {
  const model = new MeterModel();
  const input = new SmlInput(model, { powerSign: "unsigned" });
  // DZG-style: 356.24 W sent as a signed 16-bit -299.12 (QUIRKS C.19).
  input.push(frameOf([{ obis: OBIS.power, unit: UNIT.W, scaler: -2, value: { int: -29912, width: 2 } }]), 0);
  t.is(model.latest.power, 356.24);
  t.is(input.counters().quirkCorrections, 1);
  const signed = new MeterModel();
  new SmlInput(signed, { powerSign: "signed" }).push(frameOf([{ obis: OBIS.power, unit: UNIT.W, scaler: -2, value: { int: -29912, width: 2 } }]), 0);
  t.is(signed.latest.power, -299.12);
});
