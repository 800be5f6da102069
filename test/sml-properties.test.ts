// Property tests (fast-check) for the frame assembler and the decoder:
// (a) any chunking of a stream gives the same frames and counters as feeding it whole;
// (b) corrupted streams never throw and never yield a frame whose transport CRC is wrong;
// (c) the decoder never throws on arbitrary bytes and only returns its typed reasons;
// (d) encoder → frame → assembler → decoder gives back what was encoded.

import test from "ava";
import fc from "fast-check";
import { crc16Kermit, crc16X25 } from "../sml/crc";
import { decodeCapture } from "../sml/decode-file";
import { SmlDecoder, scaledValue } from "../sml/decoder";
import { encodeFile, encodeFrame, OBIS, UNIT, type EntrySpec, type SmlValue } from "../sml/encoder";
import type { CrcFlavour } from "../sml/frame-assembler";
import { hex, int64Text } from "../sml/obis";
import { extractReadings } from "../sml/readings";
import { MeterModel } from "../modules/meter/meter-model";
import { emptyReadings } from "../modules/meter/readings";
import { SmlInput } from "../modules/meter/sml-input";
import { fixture, fixtureFiles } from "./support/fixtures";
import { collectFrames, collectFramesBytewise, collectedDifference, mulberry32 } from "./support/sml-checks";
import { concatBytes } from "./support/bytes";

const SEED = Number(process.env.FC_SEED ?? 20241127);
const params = (numRuns: number) => ({ seed: SEED, numRuns });

// ---- Streams: the real ones and synthetic ones from the encoder ----

function concat(parts: ArrayLike<number>[]): Uint8Array {
  return concatBytes(...parts);
}

/** A synthetic stream exercising everything the assembler handles, deterministic per seed. */
function syntheticStream(seed: number): Uint8Array {
  const random = mulberry32(seed);
  const parts: ArrayLike<number>[] = [];
  for (let i = 0; i < 12; i++) {
    const entries: EntrySpec[] = [
      { obis: OBIS.importEnergy, status: 0x182, unit: UNIT.Wh, scaler: -1, value: { uint: Math.floor(random() * 2 ** 40) } },
      { obis: OBIS.power, unit: UNIT.W, scaler: -2, value: { int: Math.floor(random() * 2 ** 20) - 2 ** 19 } },
    ];
    if (random() < 0.4) {
      // Payload 1b runs of every length up to 12, escaped by the encoder.
      entries.push({ obis: [1, 0, 96, 50, 1, 255], value: { octets: new Uint8Array(1 + Math.floor(random() * 12)).fill(0x1b) } });
    }
    const file = encodeFile({ serverId: Uint8Array.of(0x0a, 0x01, 0x45, 0x4d, 0x48, 0, 0, 0, 0, i), entries, messageCrc: random() < 0.2 ? "kermit" : "x25" });
    const crcKind = random();
    const frame = encodeFrame(file, { crc: crcKind < 0.15 ? "kermit-be" : crcKind < 0.2 ? "kermit-le" : "x25" });
    const garbage = Math.floor(random() * 40);
    for (let k = 0; k < garbage; k++) parts.push([Math.floor(random() * 256)]);
    const mode = random();
    if (mode < 0.1) parts.push(frame.subarray(0, Math.floor(random() * frame.length))); // cut off
    else if (mode < 0.15) {
      const broken = frame.slice();
      broken[8 + Math.floor(random() * (broken.length - 8))] ^= 1 << Math.floor(random() * 8);
      parts.push(broken); // CRC error (or a broken escape)
    } else parts.push(frame);
  }
  return concat(parts);
}

const realStreams = [...fixtureFiles("sml/streams"), "sml/modified/emh-unknown-1-junkprefix-badcrc-stream.bin"];
const streams: { name: string; bytes: Uint8Array }[] = [
  ...realStreams.map((name) => ({ name, bytes: fixture(name) })),
  ...[1, 2, 3, 4, 5].map((seed) => ({ name: `synthetic #${seed}`, bytes: syntheticStream(seed) })),
];

test("the streams used below contain frames of every kind", (t) => {
  let frames = 0;
  let kermit = 0;
  let errors = 0;
  for (const s of streams) {
    const c = collectFrames(s.bytes);
    frames += c.frames.length;
    kermit += c.counters.kermitFrames;
    errors += c.errors.length;
  }
  t.true(frames > 100, `${frames} frames`);
  t.true(kermit >= 5, `${kermit} KERMIT frames`);
  t.true(errors >= 15, `${errors} errors`);
});

// ---- (a) chunking ----

test("(a) one-byte chunks give exactly the frames and counters of feeding each stream whole", (t) => {
  for (const s of streams) t.is(collectedDifference(collectFramesBytewise(s.bytes), collectFrames(s.bytes)), null, s.name);
});

test("(a) any chunking gives exactly the frames and counters of feeding the stream whole", (t) => {
  const whole = streams.map((s) => collectFrames(s.bytes));
  fc.assert(
    fc.property(
      fc.nat(streams.length - 1),
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 200 }),
      (index, fractions) => {
        const bytes = streams[index].bytes;
        const cuts = [...new Set(fractions.map((f) => Math.floor(f * bytes.length)))].filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b);
        const difference = collectedDifference(collectFrames(bytes, cuts), whole[index]);
        if (difference !== null) throw new Error(`${streams[index].name}, cuts ${cuts.join(",")}: ${difference}`);
      },
    ),
    params(400),
  );
  t.pass();
});

// ---- (b) corruption ----

type Mutation =
  | { kind: "flip"; at: number; bit: number }
  | { kind: "insert"; at: number; bytes: number[] }
  | { kind: "delete"; at: number; count: number }
  | { kind: "copy"; from: number; to: number; count: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.double({ min: 0, max: 1, noNaN: true }), bit: fc.nat(7) }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.double({ min: 0, max: 1, noNaN: true }), bytes: fc.array(fc.oneof(fc.nat(255), fc.constantFrom(0x1b, 0x01, 0x1a)), { minLength: 1, maxLength: 30 }) }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.double({ min: 0, max: 1, noNaN: true }), count: fc.integer({ min: 1, max: 20 }) }),
  // Copies of the stream's own bytes: start and end sequences in the wrong places.
  fc.record({ kind: fc.constant("copy" as const), from: fc.double({ min: 0, max: 1, noNaN: true }), to: fc.double({ min: 0, max: 1, noNaN: true }), count: fc.integer({ min: 1, max: 60 }) }),
) as fc.Arbitrary<Mutation>;

function mutate(bytes: Uint8Array, mutations: Mutation[]): Uint8Array {
  let out = Array.from(bytes);
  for (const m of mutations) {
    if (out.length === 0) break;
    if (m.kind === "flip") {
      const at = Math.min(out.length - 1, Math.floor(m.at * out.length));
      out[at] ^= 1 << m.bit;
    } else if (m.kind === "insert") {
      const at = Math.floor(m.at * out.length);
      out.splice(at, 0, ...m.bytes);
    } else if (m.kind === "delete") {
      out.splice(Math.floor(m.at * out.length), m.count);
    } else {
      const from = Math.floor(m.from * out.length);
      const piece = out.slice(from, from + m.count);
      const to = Math.floor(m.to * out.length);
      out = [...out.slice(0, to), ...piece, ...out.slice(to)];
    }
  }
  return Uint8Array.from(out);
}

/**
 * The transmitted bytes of a frame carrying `payload`, independent of sml/encoder: start,
 * payload with every 1b1b1b1b doubled, end, pad count, CRC in the given flavour. A payload
 * determines these bytes uniquely, so a frame the assembler accepted must occur in the
 * stream exactly like this, and then its checksum is right by construction.
 */
function transmitted(payload: Uint8Array, padding: number, crc: CrcFlavour): Uint8Array {
  const out = [0x1b, 0x1b, 0x1b, 0x1b, 1, 1, 1, 1];
  for (let i = 0; i < payload.length;) {
    if (i + 4 <= payload.length && payload[i] === 0x1b && payload[i + 1] === 0x1b && payload[i + 2] === 0x1b && payload[i + 3] === 0x1b) {
      out.push(0x1b, 0x1b, 0x1b, 0x1b, 0x1b, 0x1b, 0x1b, 0x1b);
      i += 4;
    } else out.push(payload[i++]);
  }
  out.push(0x1b, 0x1b, 0x1b, 0x1b, 0x1a, padding);
  const bytes = Uint8Array.from(out);
  const x25 = crc16X25(bytes);
  const kermit = crc16Kermit(bytes);
  if (crc === "x25") out.push(x25 & 0xff, x25 >> 8);
  else if (crc === "kermit-be") out.push(kermit >> 8, kermit & 0xff);
  else out.push(kermit & 0xff, kermit >> 8);
  return Uint8Array.from(out);
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  const first = needle[0];
  for (let i = haystack.indexOf(first); i >= 0 && i + needle.length <= haystack.length; i = haystack.indexOf(first, i + 1)) {
    let k = 1;
    while (k < needle.length && haystack[i + k] === needle[k]) k++;
    if (k === needle.length) return true;
  }
  return false;
}

test("(b) the CRC oracle: every frame of the untouched streams occurs in them as transmitted", (t) => {
  for (const s of streams) {
    for (const f of collectFrames(s.bytes).frames) t.true(contains(s.bytes, transmitted(f.payload, f.padding, f.crc)), s.name);
  }
});

test("(b) corrupted streams never throw and never yield a frame without a correct transport CRC", (t) => {
  let framesChecked = 0;
  let corruptedRuns = 0;
  fc.assert(
    fc.property(fc.nat(streams.length - 1), fc.array(mutation, { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 300 }), (index, mutations, chunk) => {
      const bytes = mutate(streams[index].bytes, mutations);
      const cuts: number[] = [];
      for (let at = chunk; at < bytes.length; at += chunk) cuts.push(at);
      const collected = collectFrames(bytes, cuts);
      const c = collected.counters;
      if (c.bytes !== bytes.length || c.frames !== collected.frames.length) throw new Error("counters disagree with what was seen");
      if (c.crcErrors + c.truncated + c.badEscapes + c.overflows !== collected.errors.length) throw new Error("error counters disagree with the reported errors");
      for (const f of collected.frames) {
        framesChecked++;
        if (!contains(bytes, transmitted(f.payload, f.padding, f.crc))) {
          throw new Error(`${streams[index].name}: a frame (${f.crc}, pad ${f.padding}) that is not in the stream with a valid CRC: ${hex(f.payload)}`);
        }
        // Whatever the frame holds, decoding and reading it must not throw either.
        const decoder = new SmlDecoder();
        if (decoder.decode(f.payload) === null) extractReadings(decoder, emptyReadings());
      }
      // The whole device path too, in the same chunks.
      const input = new SmlInput(new MeterModel());
      let start = 0;
      for (const cut of [...cuts, bytes.length]) {
        input.push(bytes.subarray(start, cut), cut);
        start = cut;
      }
      corruptedRuns++;
    }),
    params(600),
  );
  t.true(framesChecked > 1000, `${framesChecked} frames checked in ${corruptedRuns} runs`);
});

test("(b) garbage without 0x1b between frames loses no frame and is counted exactly", (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 1000 }), fc.array(fc.uint8Array({ maxLength: 50 }), { minLength: 1, maxLength: 10 }), (seed, gaps) => {
      const random = mulberry32(seed);
      const parts: Uint8Array[] = [];
      const payloads: string[] = [];
      let garbage = 0;
      for (const gap of gaps) {
        const cleaned = gap.map((b) => (b === 0x1b ? 0x1c : b));
        garbage += cleaned.length;
        const frame = encodeFrame(encodeFile({ serverId: Uint8Array.of(1, 2, 3), entries: [{ obis: OBIS.power, value: { int: Math.floor(random() * 1e6) } }] }));
        payloads.push(hex(collectFrames(frame).frames[0].payload));
        parts.push(cleaned, frame);
      }
      const collected = collectFrames(concat(parts));
      if (collected.frames.map((f) => hex(f.payload)).join() !== payloads.join()) throw new Error("frames lost or changed");
      if (collected.counters.discardedBytes !== garbage) throw new Error(`discarded ${collected.counters.discardedBytes}, garbage ${garbage}`);
    }),
    params(200),
  );
  t.pass();
});

// ---- (c) the decoder on arbitrary bytes ----

const DECODE_RESULTS = new Set([null, "truncated", "bad_tl", "bad_structure", "message_crc"]);

function checkDecoder(bytes: Uint8Array): void {
  const decoder = new SmlDecoder();
  for (const requireMessageCrc of [false, true]) {
    const result = decoder.decode(bytes, 0, bytes.length, { requireMessageCrc });
    if (!DECODE_RESULTS.has(result)) throw new Error(`unknown result ${String(result)}`);
    if (result === "message_crc" && !requireMessageCrc) throw new Error("message_crc without requireMessageCrc");
    if (result === null) {
      if (decoder.entryCount > decoder.entries.length) throw new Error("entryCount beyond the table");
      for (let i = 0; i < decoder.entryCount; i++) {
        const e = decoder.entries[i];
        if (e.kind === "bytes" && (e.bytesStart < 0 || e.bytesEnd > bytes.length || e.bytesStart > e.bytesEnd)) throw new Error("octets outside the input");
      }
      if (decoder.serverIdStart >= 0 && decoder.serverIdEnd > bytes.length) throw new Error("server id outside the input");
      extractReadings(decoder, emptyReadings());
    }
  }
}

test("(c) the decoder never throws on arbitrary bytes and returns null or a known reason", (t) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 800 }), (bytes) => checkDecoder(bytes)), params(3000));
  // Biased towards SML's structure: TL-looking bytes, deep lists, long multi-byte lengths.
  const smlish = fc.array(fc.oneof(fc.constantFrom(0x00, 0x01, 0x62, 0x63, 0x52, 0x59, 0x69, 0x42, 0x72, 0x76, 0x77, 0x7f, 0xf1, 0x8f, 0x83, 0x02, 0x07, 0x01), fc.nat(255)), { maxLength: 600 });
  fc.assert(fc.property(smlish, (bytes) => checkDecoder(Uint8Array.from(bytes))), params(3000));
  t.pass();
});

test("(c) the decoder never throws on mutated real payloads, and decodeCapture never throws on mutated captures", (t) => {
  const payloads: Uint8Array[] = [];
  for (const name of fixtureFiles("sml")) for (const f of collectFrames(fixture(name)).frames) payloads.push(f.payload);
  t.true(payloads.length >= 45);
  fc.assert(
    fc.property(fc.nat(payloads.length - 1), fc.array(mutation, { minLength: 1, maxLength: 5 }), (index, mutations) => {
      const bytes = mutate(payloads[index], mutations);
      checkDecoder(bytes);
      decodeCapture(bytes);
    }),
    params(2000),
  );
});

// ---- (d) round trip ----

const integerValue: fc.Arbitrary<{ value: SmlValue; big: bigint; width: number; signed: boolean }> = fc
  .record({ width: fc.integer({ min: 1, max: 8 }), signed: fc.boolean() })
  .chain(({ width, signed }) => {
    const bits = BigInt(8 * width);
    const min = signed ? -(1n << (bits - 1n)) : 0n;
    const max = signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
    return fc.oneof(fc.bigInt({ min, max }), fc.constantFrom(min, max, 0n, signed ? -1n : 1n)).map((big) => ({
      value: signed ? { int: big, width } : { uint: big, width },
      big,
      width,
      signed,
    }));
  });

const nested: fc.Arbitrary<SmlValue> = fc.letrec<{ value: SmlValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(null),
    fc.integer().map((int): SmlValue => ({ int })),
    fc.uint8Array({ minLength: 1, maxLength: 20 }).map((octets): SmlValue => ({ octets })),
    fc.array(tie("value"), { maxLength: 4 }).map((list): SmlValue => ({ list })),
  ),
})).value;

type ValueModel =
  | { kind: "int"; value: SmlValue; big: bigint; width: number; signed: boolean }
  | { kind: "bool"; value: SmlValue; bool: boolean }
  | { kind: "bytes"; value: SmlValue; octets: Uint8Array }
  | { kind: "none"; value: SmlValue }
  | { kind: "list"; value: SmlValue };

const entryValue: fc.Arbitrary<ValueModel> = fc.oneof(
  { arbitrary: integerValue.map((v): ValueModel => ({ kind: "int", ...v })), weight: 5 },
  fc.boolean().map((bool): ValueModel => ({ kind: "bool", value: { bool }, bool })),
  // A zero-length octet string is written as 01, i.e. "not set": start at one byte.
  fc.uint8Array({ minLength: 1, maxLength: 300 }).map((octets): ValueModel => ({ kind: "bytes", value: { octets }, octets })),
  fc.constant<ValueModel>({ kind: "none", value: null }),
  fc.array(nested, { maxLength: 5 }).map((list): ValueModel => ({ kind: "list", value: { list } })),
);

const entrySpec = fc.record({
  obis: fc.oneof({ arbitrary: fc.uint8Array({ minLength: 6, maxLength: 6 }), weight: 5 }, fc.uint8Array({ minLength: 1, maxLength: 9 })),
  status: fc.option(fc.nat(0xffffffff), { nil: undefined }),
  unit: fc.option(fc.nat(255), { nil: undefined }),
  scaler: fc.option(fc.integer({ min: -128, max: 127 }), { nil: undefined }),
  value: entryValue,
});

test("(d) encoder → frame → assembler → decoder round trip for random entry lists", (t) => {
  fc.assert(
    fc.property(
      fc.array(entrySpec, { maxLength: 40 }),
      fc.uint8Array({ minLength: 1, maxLength: 24 }),
      fc.constantFrom("x25", "kermit"),
      fc.constantFrom("x25", "kermit-be", "kermit-le"),
      (specs, serverId, messageCrc, crc) => {
        const entries: EntrySpec[] = specs.map((s) => ({ obis: Array.from(s.obis), status: s.status, unit: s.unit, scaler: s.scaler, value: s.value.value }));
        const file = encodeFile({ serverId, entries, messageCrc: messageCrc as "x25" | "kermit" });
        const encoded = encodeFrame(file, { crc: crc as CrcFlavour });
        const collected = collectFrames(encoded, [], 16384);
        if (collected.frames.length !== 1) throw new Error(`frames: ${collected.frames.length} (${collected.errors.join()})`);
        const frame = collected.frames[0];
        // The flavour is the one sent, unless the two CRC bytes read the same in another
        // flavour too (a KERMIT value with equal bytes is both -be and -le).
        if (frame.crc !== crc && hex(encodeFrame(file, { crc: frame.crc })) !== hex(encoded)) throw new Error(`crc flavour ${frame.crc}, sent ${crc}`);
        if (hex(frame.payload.subarray(0, file.length)) !== hex(file)) throw new Error("payload is not the file");
        const decoder = new SmlDecoder();
        const result = decoder.decode(frame.payload, 0, frame.payload.length, { requireMessageCrc: true });
        if (result !== null) throw new Error(`decode: ${result}`);
        if (decoder.entryCount !== specs.length) throw new Error(`entries: ${decoder.entryCount} of ${specs.length}`);
        if (hex(decoder.bytes, decoder.serverIdStart, decoder.serverIdEnd) !== hex(serverId)) throw new Error("server id");
        specs.forEach((s, i) => {
          const e = decoder.entries[i];
          const fail = (what: string) => {
            throw new Error(`entry ${i}: ${what}`);
          };
          const obisLength = Math.min(s.obis.length, 6);
          if (e.obisLength !== obisLength || hex(e.obis, 0, obisLength) !== hex(s.obis, 0, obisLength)) fail("obis");
          if (e.hasStatus !== (s.status !== undefined) || (s.status !== undefined && e.status !== s.status)) fail("status");
          if (e.unit !== (s.unit ?? 0)) fail("unit");
          if (e.scaler !== (s.scaler ?? 0)) fail("scaler");
          const v = s.value;
          if (e.kind !== v.kind) fail(`kind ${e.kind}, expected ${v.kind}`);
          if (v.kind === "int") {
            if (e.width !== v.width || e.signed !== v.signed) fail("width/sign");
            if (e.raw !== Number(v.big)) fail(`raw ${e.raw}, expected ${v.big}`);
            const safe = v.big <= BigInt(Number.MAX_SAFE_INTEGER) && v.big >= -BigInt(Number.MAX_SAFE_INTEGER);
            if (e.exact !== safe) fail("exact");
            if (v.width >= 7 && int64Text(e.rawHigh, e.rawLow) !== v.big.toString()) fail(`int64Text ${int64Text(e.rawHigh, e.rawLow)}, expected ${v.big}`);
            const scaled = scaledValue(e);
            const expected = (s.scaler ?? 0) >= 0 ? Number(v.big) * 10 ** (s.scaler ?? 0) : Number(v.big) / 10 ** -(s.scaler ?? 0);
            if (!Object.is(scaled, expected)) fail(`scaled ${scaled}, expected ${expected}`);
          } else if (v.kind === "bool") {
            if (e.raw !== (v.bool ? 1 : 0)) fail("bool");
          } else if (v.kind === "bytes") {
            if (hex(decoder.bytes, e.bytesStart, e.bytesEnd) !== hex(v.octets)) fail("octets");
          }
        });
        const matched = messageCrc === "x25" ? decoder.counters.messageCrcOk : decoder.counters.messageCrcKermit;
        if (matched !== 3) throw new Error(`${matched} of 3 message CRCs matched in the ${messageCrc} flavour`);
      },
    ),
    params(500),
  );
  t.pass();
});
