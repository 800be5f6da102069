import { createHash } from "node:crypto";
import test from "ava";
import fc from "fast-check";
import { sha256Hex } from "../modules/shelly/sha256";
import { utf8Encode } from "../modules/net/utf8";

// FIPS 180-2 appendix B / RFC 6234 test vectors.
test("SHA-256 test vectors", (t) => {
  t.is(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  t.is(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  t.is(
    sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
  );
  t.is(
    sha256Hex(
      "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
    ),
    "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
  );
  t.is(sha256Hex("a".repeat(1_000_000)), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
});

test("padding boundaries 55, 56, 63, 64, 65 bytes agree with node:crypto", (t) => {
  for (const n of [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128]) {
    const bytes = new Uint8Array(n).map((_, i) => (i * 31 + 7) & 255);
    t.is(sha256Hex(bytes), createHash("sha256").update(bytes).digest("hex"), `${n} bytes`);
  }
});

test("property: equals node:crypto on random bytes", (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => sha256Hex(bytes) === createHash("sha256").update(bytes).digest("hex")),
    { numRuns: 500 },
  );
  t.pass();
});

test("property: UTF-8 encoding equals Node's, lone surrogates included", (t) => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 30 }), (codes) => {
      const s = String.fromCharCode(...codes);
      return Buffer.from(utf8Encode(s)).equals(Buffer.from(s, "utf8"));
    }),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(fc.string({ unit: "grapheme" }), (s) => sha256Hex(s) === createHash("sha256").update(s, "utf8").digest("hex")),
    { numRuns: 500 },
  );
  t.pass();
});
