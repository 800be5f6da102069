// Bodies made on demand (modules/net/byte-source): every piece size gives exactly the bytes
// Node's own encoders give, and readAll refuses a source that breaks its length.

import test from "ava";
import fc from "fast-check";
import { gunzipSync } from "node:zlib";
import { base64Source, readAll, textSource, type ByteSource } from "../modules/net/byte-source";
import { WEB_ASSETS } from "../modules/web/assets.generated";

/** Reads a source in pieces of the given sizes (cycled), as a socket with varying room would. */
function pull(source: ByteSource, sizes: number[]): Uint8Array {
  const out: number[] = [];
  for (let k = 0; ; k++) {
    const into = new Uint8Array(sizes[k % sizes.length]);
    const n = source.read(into);
    if (n === 0) break;
    for (let i = 0; i < n; i++) out.push(into[i]);
  }
  return Uint8Array.from(out);
}

test("textSource: UTF-8 of any text (lone surrogates → U+FFFD) for any piece size, pairs across slice ends", (t) => {
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 300 }), fc.array(fc.integer({ min: 4, max: 200 }), { minLength: 1, maxLength: 5 }), (text, sizes) => {
      const expected = Buffer.from(text, "utf8");
      const got = pull(textSource(text, expected.length), sizes);
      t.deepEqual(Buffer.from(got), expected);
    }),
    { numRuns: 400 },
  );
  // A pair split by the 64-character slicing, and by a full piece.
  const text = "a".repeat(63) + "🔌" + "b".repeat(60) + "é⚡";
  const bytes = Buffer.from(text, "utf8");
  for (const size of [4, 5, 6, 7, 64, 66, 67, 1460]) t.deepEqual(Buffer.from(pull(textSource(text, bytes.length), [size])), bytes, `piece ${size}`);
});

test("base64Source: the decoded bytes for any piece size, padding of 0, 1 and 2", (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 400 }), fc.array(fc.integer({ min: 4, max: 100 }), { minLength: 1, maxLength: 5 }), (bytes, sizes) => {
      const b64 = Buffer.from(bytes).toString("base64");
      t.deepEqual(Buffer.from(pull(base64Source(b64, bytes.length), sizes)), Buffer.from(bytes));
    }),
    { numRuns: 400 },
  );
});

test("readAll checks the length a source announced", (t) => {
  t.deepEqual(Buffer.from(readAll(textSource("Zähler", 7))), Buffer.from("Zähler"));
  t.throws(() => readAll(textSource("Zähler", 6)), { message: /more than its length 6/ });
  t.throws(() => readAll(textSource("Zähler", 9)), { message: /gave 7 of its length 9/ });
});

test("every web asset: its lengths are right and both sources give the page", (t) => {
  for (const a of WEB_ASSETS) {
    t.is(a.textBytes, Buffer.byteLength(a.text, "utf8"), a.path);
    const gz = pull(base64Source(a.gzip, a.gzipBytes), [1460]);
    t.is(gz.length, a.gzipBytes, a.path);
    t.is(gunzipSync(gz).toString("utf8"), a.text, a.path);
    t.is(Buffer.from(pull(textSource(a.text, a.textBytes), [1460, 536])).toString("utf8"), a.text, a.path);
  }
});
