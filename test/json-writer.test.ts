// JsonWriter as UTF-8 bytes in one growing buffer: the text and the bytes equal what
// JSON.stringify and TextEncoder make, across buffer growth, string slices (32 units), multi-byte
// UTF-8 and surrogates; the device's converters (Moddable's String.fromArrayBuffer and
// ArrayBuffer.fromString) are stood in for to check that the writer uses them correctly.

import test from "ava";
import fc from "fast-check";
import { utf8Decode, utf8DecodeWellFormed, utf8Encode, utf8EncodeNative } from "../modules/net/utf8";
import { JsonWriter, formatFixed } from "../modules/shelly/json-writer";
import { referenceFixed } from "./support/reference-fixed";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

/** The writer's text and bytes, checked against each other. */
function written(w: JsonWriter): string {
  const text = w.toString();
  const bytes = w.toBytes();
  if (bytes.length !== w.byteLength) throw new Error(`toBytes() has ${bytes.length} bytes, byteLength says ${w.byteLength}`);
  if (decoder.decode(bytes) !== text) throw new Error("toBytes() and toString() differ");
  return text;
}

/** Strings of any UTF-16 units (lone surrogates included), some long enough for several slices. */
const anyString = fc.oneof(
  fc.string({ unit: "binary", maxLength: 80 }),
  fc.string({ unit: "grapheme", maxLength: 80 }),
  fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 100 }).map((codes) => String.fromCharCode(...codes)),
  fc.array(fc.constantFrom("a", "\u00e9", "\u20ac", "\ud83d\ude00", "\ud800", "\udc00", '"', "\\", "\n", "\u0001", "\u007f"), { maxLength: 120 }).map((parts) => parts.join("")),
);

test("value() writes exactly what JSON.stringify writes, as text and as UTF-8", (t) => {
  fc.assert(
    fc.property(fc.jsonValue(), (v) => {
      const w = new JsonWriter();
      w.value(v);
      const expected = JSON.stringify(v);
      return written(w) === expected && Buffer.from(w.toBytes()).equals(Buffer.from(encoder.encode(expected)));
    }),
    { numRuns: 3000 },
  );
  t.pass();
});

test("strings and keys: JSON.stringify's escapes, proper pairs as 4-byte UTF-8, lone surrogates as \\uXXXX", (t) => {
  fc.assert(
    fc.property(anyString, anyString, (k, s) => {
      const text = written(new JsonWriter(16).beginObject().key(k).string(s).endObject());
      return text === "{" + JSON.stringify(k) + ":" + JSON.stringify(s) + "}";
    }),
    { numRuns: 5000 },
  );
  t.is(written(new JsonWriter().string("\ud83d\ude00")), '"\ud83d\ude00"');
  t.deepEqual([...new JsonWriter().string("\ud83d\ude00").toBytes()], [0x22, 0xf0, 0x9f, 0x98, 0x80, 0x22]);
  t.deepEqual([...new JsonWriter().string("\u00e9\u20ac").toBytes()], [0x22, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0x22]);
  t.is(written(new JsonWriter().string("\udc00\ud800")), '"\\udc00\\ud800"');
  t.is(written(new JsonWriter().string("\u0000\u001f\u007f")), '"\\u0000\\u001f\u007f"');
  t.is(written(new JsonWriter().string("")), '""');
});

test("strings across slice boundaries: pairs and escapes at unit 31, 32, 33, 63, 64", (t) => {
  for (const at of [0, 1, 30, 31, 32, 33, 62, 63, 64, 65, 95, 96]) {
    for (const piece of ["\ud83d\ude00", "\ud800", "\udc00", '"', "\n", "\u20ac", "\u0001"]) {
      for (const tail of ["", "b", "x".repeat(40)]) {
        const s = "a".repeat(at) + piece + tail;
        t.is(written(new JsonWriter(16).string(s)), JSON.stringify(s), `${at} units, then ${JSON.stringify(piece)}`);
        t.is(written(new JsonWriter(16).beginObject().key(s).null().endObject()), "{" + JSON.stringify(s) + ":null}");
      }
    }
  }
  const exact = "y".repeat(64); // a length that is a whole number of slices
  t.is(written(new JsonWriter().string(exact)), JSON.stringify(exact));
  const long = "\u00e4bc\ud83d\ude00".repeat(2000) + "\"\\";
  t.is(written(new JsonWriter(16).string(long)), JSON.stringify(long));
});

test("the buffer grows by doubling across many appends, from 16 bytes", (t) => {
  const values: unknown[] = [];
  const w = new JsonWriter(16);
  w.beginArray();
  for (let i = 0; i < 5000; i++) {
    const v = i % 5 === 0 ? "item " + i + " \u00fc\ud83d\ude00" : i % 5 === 1 ? i * 1.5 : i % 5 === 2 ? { k: [i, null, true] } : i % 5 === 3 ? -i : false;
    values.push(v);
    w.value(v);
  }
  w.endArray();
  const expected = JSON.stringify(values);
  t.is(written(w), expected);
  t.is(w.byteLength, encoder.encode(expected).length);
});

test("numbers: integers digit by digit up to 2^53, others as String(x), like JSON.stringify", (t) => {
  const cases = [0, -0, 1, -1, 9, 10, 99, 100, 101, 2147483647, 2147483648, -2147483649, 4294967296, 1795000000, 9007199254740991, -9007199254740991, 9007199254740992, 1e21, 1e-7, 0.1, -1.5, 123456789.125, Number.MAX_VALUE, Number.MIN_VALUE];
  for (const x of cases) t.is(written(new JsonWriter().number(x)), JSON.stringify(x), String(x));
  for (const x of [NaN, Infinity, -Infinity, null, undefined]) t.is(written(new JsonWriter().number(x)), "null");
  fc.assert(
    fc.property(fc.oneof(fc.double(), fc.integer(), fc.maxSafeInteger(), fc.integer({ min: -1e6, max: 1e6 })), (x) => {
      const text = written(new JsonWriter().number(x));
      return text === (Number.isFinite(x) ? JSON.stringify(x) : "null");
    }),
    { numRuns: 5000 },
  );
});

test("fixed(): the scaled integer's digits with the point, as the reference rounds them", (t) => {
  const decimals = fc.integer({ min: 0, max: 9 });
  const check = (x: number, d: number) => written(new JsonWriter().beginArray().fixed(x, d).fixed(x, d).endArray()) === `[${referenceFixed(x, d)},${referenceFixed(x, d)}]`;
  fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), decimals, check), { numRuns: 5000 });
  fc.assert(fc.property(fc.double({ min: -1e10, max: 1e10, noNaN: true }), decimals, check), { numRuns: 5000 });
  fc.assert(fc.property(fc.integer({ min: -(2 ** 33), max: 2 ** 33 }), decimals, (k, d) => check(k / 10 ** d, d)), { numRuns: 5000 });
  for (const [x, d, text] of [
    [50, 1, "50.0"],
    [0.5, 2, "0.50"],
    [0.05, 2, "0.05"],
    [0.005, 2, "0.01"],
    [480.924, 3, "480.924"],
    [-170.8, 1, "-170.8"],
    [-0.004, 2, "0.00"],
    [2589773.39, 2, "2589773.39"],
    [79999999.99, 2, "79999999.99"], // scaled just below FAST_LIMIT, above 2^31
    [21474836.48, 2, "21474836.48"], // scaled exactly 2^31
    [12, 0, "12"],
    [1.5, 25, "1.50000000000000000000"], // clamped to 20 decimals
    [1.5, -3, "2"], // clamped to 0
  ] as const) {
    t.is(written(new JsonWriter().fixed(x, d)), text, `${x} with ${d}`);
  }
  for (const x of [NaN, Infinity, -Infinity, null, undefined]) t.is(written(new JsonWriter().fixed(x, 2)), "null");
  t.is(formatFixed(1.005, 2), "1.01", "formatFixed goes through the writer");
});

test("raw() and rawBytes() insert serialised JSON as one value, with commas", (t) => {
  const inner = new JsonWriter().beginObject().key("t\u00e4").string("\u20ac\ud83d\ude00").endObject();
  const long = JSON.stringify({ list: Array.from({ length: 50 }, (_, i) => "v\u00f6" + i) });
  const w = new JsonWriter(16)
    .beginArray()
    .raw("[]")
    .raw('"\u00e4"')
    .raw(long)
    .rawBytes(inner.toBytes())
    .null()
    .endArray();
  t.is(written(w), '[[],"\u00e4",' + long + ',{"t\u00e4":"\u20ac\ud83d\ude00"},null]');
  t.is(written(new JsonWriter().beginObject().key("a").raw("12345678901234567").key("b").raw("1234567890123456").endObject()), '{"a":12345678901234567,"b":1234567890123456}');
});

test("toBytes() is an exact copy the writer does not touch again; reset() starts over", (t) => {
  const w = new JsonWriter(16);
  w.beginObject().key("a").number(1).endObject();
  const first = w.toBytes();
  t.is(first.length, 7);
  t.is(first.buffer.byteLength, 7);
  w.reset().beginArray().string("longer than the first text, to grow the buffer").endArray();
  t.is(decoder.decode(first), '{"a":1}');
  t.is(written(w), '["longer than the first text, to grow the buffer"]');
  t.is(w.reset().byteLength, 0);
  t.is(written(w), "");
  t.is(written(w.bool(true)), "true", "no comma after reset");
});

test("the device's converters: String.fromArrayBuffer and ArrayBuffer.fromString are used when present", (t) => {
  // Stand-ins with Moddable's behaviour: fromArrayBuffer(buffer, byteOffset, byteLength) throws on
  // invalid UTF-8 and stops at a NUL; fromString gives a new ArrayBuffer.
  const xsString = String as unknown as { fromArrayBuffer?: (b: ArrayBufferLike, offset?: number, length?: number) => string };
  const xsArrayBuffer = ArrayBuffer as unknown as { fromString?: (s: string) => ArrayBuffer };
  const calls: string[] = [];
  xsString.fromArrayBuffer = (b, offset = 0, length = b.byteLength - offset) => {
    calls.push(`fromArrayBuffer ${offset} ${length}`);
    const bytes = new Uint8Array(b, offset, length);
    const nul = bytes.indexOf(0);
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(nul >= 0 ? bytes.subarray(0, nul) : bytes);
  };
  xsArrayBuffer.fromString = (s) => {
    calls.push("fromString");
    return encoder.encode(s).buffer as ArrayBuffer;
  };
  try {
    const long = JSON.stringify("x\u00e9".repeat(30));
    const w = new JsonWriter(16).beginArray().string("\ufeff\u00e4").raw(long).number(-12.5).endArray();
    t.is(w.toString(), '["\ufeff\u00e4",' + long + ",-12.5]");
    t.deepEqual(calls, ["fromString", `fromArrayBuffer 0 ${w.byteLength}`]);
    const bytes = encoder.encode("abc\u20acdef");
    t.is(utf8DecodeWellFormed(bytes, 3, 6), "\u20ac");
    t.is(utf8DecodeWellFormed(bytes.subarray(3), 0, 3), "\u20ac", "a view's byteOffset counts");
  } finally {
    delete xsString.fromArrayBuffer;
    delete xsArrayBuffer.fromString;
  }
});

test("utf8DecodeWellFormed and utf8EncodeNative agree with the pure codecs on well-formed text", (t) => {
  fc.assert(
    fc.property(fc.string({ unit: "grapheme" }), fc.nat(40), fc.nat(40), (s, a, b) => {
      const bytes = utf8Encode(s);
      if (!Buffer.from(utf8EncodeNative(s)).equals(Buffer.from(bytes))) return false;
      const start = Math.min(a, bytes.length);
      const end = Math.max(start, bytes.length - b);
      return utf8DecodeWellFormed(bytes, start, end) === utf8Decode(bytes, start, end) && utf8DecodeWellFormed(bytes) === s;
    }),
    { numRuns: 2000 },
  );
  t.is(utf8DecodeWellFormed(utf8Encode("\ufeffa")), "\ufeffa", "a leading BOM is text");
  t.is(utf8DecodeWellFormed(new Uint8Array([0x61, 0x62]), 1, 99), "b");
  t.is(utf8DecodeWellFormed(new Uint8Array([0x61, 0x62]), 2, 1), "");
});
