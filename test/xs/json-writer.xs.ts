// JsonWriter on XS: the bytes and the text equal what XS's own JSON.stringify and TextEncoder
// make, across buffer growth, string slices, multi-byte UTF-8 and surrogates; fixed decimals
// as a BigInt reference rounds them; the device's String.fromArrayBuffer and
// ArrayBuffer.fromString (absent in xsnap) stood in for. Random inputs come from a seeded
// generator, so every run is the same.

import { utf8Decode, utf8DecodeWellFormed, utf8Encode, utf8EncodeNative } from "../../modules/net/utf8";
import { JsonWriter, formatFixed, quoteJsonString } from "../../modules/shelly/json-writer";
import { deepEqual, equal, ok, test } from "./harness";
import { referenceFixed } from "../support/reference-fixed";

/** Park–Miller generator: deterministic "random" numbers. */
function random(seed: number): (n: number) => number {
  let s = seed;
  return (n: number) => {
    s = (s * 48271) % 2147483647;
    return s % n;
  };
}

const PIECES = ["a", "Z", "_", "0", " ", "\u00e9", "\u20ac", "\ud83d\ude00", "\ud800", "\udfff", '"', "\\", "\n", "\t", "\u0000", "\u001f", "\u007f", "\ufeff"];

function randomString(next: (n: number) => number, maxPieces: number): string {
  let s = "";
  const count = next(maxPieces + 1);
  for (let i = 0; i < count; i++) s += next(4) === 0 ? PIECES[next(PIECES.length)] : "abcdefghij"[next(10)];
  return s;
}

function randomValue(next: (n: number) => number, depth: number): unknown {
  switch (next(depth > 3 ? 5 : 7)) {
    case 0:
      return null;
    case 1:
      return next(2) === 0;
    case 2:
      return next(2000000) - 1000000;
    case 3:
      return (next(2000000) - 1000000) / [1, 3, 7, 1000, 1e9][next(5)];
    case 4:
      return randomString(next, 40);
    case 5: {
      const list: unknown[] = [];
      for (let i = next(6); i > 0; i--) list.push(randomValue(next, depth + 1));
      return list;
    }
    default: {
      const o: Record<string, unknown> = {};
      for (let i = next(6); i > 0; i--) o[randomString(next, 8)] = randomValue(next, depth + 1);
      return o;
    }
  }
}

function sameBytes(actual: Uint8Array, expected: Uint8Array, note: string): void {
  equal(actual.length, expected.length, note + ": length");
  for (let i = 0; i < actual.length; i++) if (actual[i] !== expected[i]) equal(actual[i], expected[i], note + ": byte " + i);
}

test("value(): the text of JSON.stringify, and its UTF-8 as toBytes()", () => {
  const next = random(20261127);
  const encoder = new TextEncoder();
  for (let run = 0; run < 300; run++) {
    const v = randomValue(next, 0);
    const w = new JsonWriter(16).value(v);
    const expected = JSON.stringify(v);
    equal(w.toString(), expected, "run " + run);
    sameBytes(w.toBytes(), encoder.encode(expected), "run " + run);
    equal(w.byteLength, w.toBytes().length);
  }
});

test("strings and keys across slice boundaries: pairs, lone surrogates, escapes", () => {
  for (const at of [0, 1, 31, 32, 33, 63, 64, 65]) {
    for (const piece of ["\ud83d\ude00", "\ud800", "\udc00", '"', "\n", "\u20ac", "\u0001"]) {
      const s = "a".repeat(at) + piece + "b".repeat(at % 3 === 0 ? 40 : 1);
      equal(new JsonWriter(16).string(s).toString(), JSON.stringify(s), at + " units, then " + quoteJsonString(piece));
      equal(new JsonWriter(16).beginObject().key(s).null().endObject().toString(), "{" + JSON.stringify(s) + ":null}");
    }
  }
  const long = "\u00e4bc\ud83d\ude00".repeat(500) + '"\\';
  equal(new JsonWriter().string(long).toString(), JSON.stringify(long));
  deepEqual(Array.from(new JsonWriter().string("\ud83d\ude00").toBytes()), [0x22, 0xf0, 0x9f, 0x98, 0x80, 0x22]);
  equal(quoteJsonString("a\ud800\"b"), JSON.stringify("a\ud800\"b"));
});

test("the buffer grows by doubling over thousands of appends", () => {
  const next = random(7);
  const values: unknown[] = [];
  const w = new JsonWriter(16).beginArray();
  for (let i = 0; i < 3000; i++) {
    const v = randomValue(next, 3);
    values.push(v);
    w.value(v);
  }
  w.endArray();
  equal(w.toString(), JSON.stringify(values));
});

test("numbers: integers to 2^53 digit by digit, the rest as String(x)", () => {
  for (const x of [0, -0, 7, -10, 99, 100, 2147483647, 2147483648, -4294967296, 1795000000, 9007199254740991, 9007199254740992, 1e21, 1.5e-7, -0.1, Number.MAX_VALUE]) {
    equal(new JsonWriter().number(x).toString(), JSON.stringify(x), String(x));
  }
  equal(new JsonWriter().beginArray().number(NaN).number(Infinity).number(null).endArray().toString(), "[null,null,null]");
});


test("fixed(): digits and point as the BigInt reference rounds the shortest decimal", () => {
  const next = random(424242);
  for (let run = 0; run < 3000; run++) {
    const d = next(7);
    const magnitude = [1, 100, 1e4, 1e7, 1e10][next(5)];
    const x = ((next(2000001) - 1000000) / 1000000) * magnitude;
    const k = (next(2000001) - 1000000) / 10 ** next(4); // ties and short decimals
    equal(new JsonWriter().fixed(x, d).toString(), referenceFixed(x, d), x + " with " + d);
    equal(new JsonWriter().fixed(k, d).toString(), referenceFixed(k, d), k + " with " + d);
  }
  equal(formatFixed(1.005, 2), "1.01");
  equal(formatFixed(2.675, 2), "2.68");
  equal(formatFixed(-0.004, 2), "0.00");
  equal(formatFixed(79999999.99, 2), "79999999.99");
  equal(formatFixed(1e21, 2), "1000000000000000000000.00");
  equal(new JsonWriter().beginArray().fixed(50, 1).fixed(null, 2).fixed(-Infinity, 1).endArray().toString(), "[50.0,null,null]");
});

test("raw() and rawBytes(): one value each, commas placed", () => {
  const inner = new JsonWriter().beginObject().key("\u00e4").string("\u20ac").endObject();
  const long = JSON.stringify(["v\u00f6", "x".repeat(40)]);
  const w = new JsonWriter(16).beginArray().raw("[]").raw('"\u00e4"').raw(long).rawBytes(inner.toBytes()).endArray();
  equal(w.toString(), '[[],"\u00e4",' + long + ',{"\u00e4":"\u20ac"}]');
  equal(w.reset().bool(false).toString(), "false", "reset: no comma, same buffer");
});

test("toString() decodes with xsnap's TextDecoder; a leading U+FEFF stays text", () => {
  ok(typeof (String as unknown as { fromArrayBuffer?: unknown }).fromArrayBuffer === "undefined", "xsnap has no String.fromArrayBuffer");
  equal(new JsonWriter().raw('"\ufeff"').toString(), '"\ufeff"');
  equal(utf8DecodeWellFormed(utf8Encode("\ufeffx\u20ac")), "\ufeffx\u20ac");
  const bytes = utf8Encode("ab\u00e9\ud83d\ude00c");
  equal(utf8DecodeWellFormed(bytes, 2, 8), utf8Decode(bytes, 2, 8));
  sameBytes(utf8EncodeNative("ab\u00e9\ud83d\ude00c"), bytes, "utf8EncodeNative");
});

test("with the device's String.fromArrayBuffer and ArrayBuffer.fromString, the writer uses them", () => {
  const xsString = String as unknown as { fromArrayBuffer?: (b: ArrayBuffer, offset?: number, length?: number) => string };
  const xsArrayBuffer = ArrayBuffer as unknown as { fromString?: (s: string) => ArrayBuffer };
  const calls: string[] = [];
  const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  xsString.fromArrayBuffer = (b, offset = 0, length = b.byteLength - offset) => {
    calls.push("fromArrayBuffer " + offset + " " + length);
    return decoder.decode(new Uint8Array(b, offset, length));
  };
  xsArrayBuffer.fromString = (s) => {
    calls.push("fromString");
    return new TextEncoder().encode(s).buffer as ArrayBuffer;
  };
  try {
    const long = JSON.stringify("x\u00e9".repeat(30));
    const w = new JsonWriter(16).beginArray().string("\u00e4").raw(long).endArray();
    equal(w.toString(), '["\u00e4",' + long + "]");
    deepEqual(calls, ["fromString", "fromArrayBuffer 0 " + w.byteLength]);
  } finally {
    delete xsString.fromArrayBuffer;
    delete xsArrayBuffer.fromString;
  }
});
