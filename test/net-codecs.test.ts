// modules/net/utf8, sha1, base64 and the WebSocket accept key: published test vectors and
// agreement with Node's own implementations.

import { createHash } from "node:crypto";
import test from "ava";
import fc from "fast-check";
import { base64Encode } from "../modules/net/base64";
import { sha1, sha1Hex } from "../modules/net/sha1";
import { latin1Decode, utf8Bytes, utf8Decode, utf8DecodeStrict, utf8EncodeInto, utf8Length } from "../modules/net/utf8";
import { isValidWebSocketKey, websocketAccept } from "../modules/net/websocket";

const ascii = (text: string) => Uint8Array.from(Buffer.from(text, "latin1"));

test("SHA-1: RFC 3174 section 7.3 test vectors", (t) => {
  t.is(sha1Hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  t.is(sha1Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"), "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  t.is(sha1Hex("a".repeat(1_000_000)), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
  t.is(sha1Hex("01234567".repeat(80)), "dea356a2cddd90c7a7ecedc5ebb563934f460452");
  t.is(sha1Hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  t.is(sha1(new Uint8Array(0)).length, 20);
});

test("SHA-1: padding boundaries agree with node:crypto", (t) => {
  for (const n of [1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129]) {
    const bytes = new Uint8Array(n).map((_, i) => (i * 37 + 11) & 255);
    t.is(sha1Hex(bytes), createHash("sha1").update(bytes).digest("hex"), `${n} bytes`);
  }
});

test("property: SHA-1 equals node:crypto on random bytes and strings", (t) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => sha1Hex(bytes) === createHash("sha1").update(bytes).digest("hex")), { numRuns: 500 });
  fc.assert(fc.property(fc.string({ unit: "grapheme", maxLength: 50 }), (s) => sha1Hex(s) === createHash("sha1").update(s, "utf8").digest("hex")), { numRuns: 200 });
  t.pass();
});

test("base64: RFC 4648 section 10 test vectors", (t) => {
  const vectors: [string, string][] = [["", ""], ["f", "Zg=="], ["fo", "Zm8="], ["foo", "Zm9v"], ["foob", "Zm9vYg=="], ["fooba", "Zm9vYmE="], ["foobar", "Zm9vYmFy"]];
  for (const [plain, encoded] of vectors) t.is(base64Encode(ascii(plain)), encoded);
});

test("property: base64 equals Buffer's", (t) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => base64Encode(bytes) === Buffer.from(bytes).toString("base64")), { numRuns: 500 });
  t.pass();
});

test("WebSocket accept key: the RFC 6455 section 1.3 example", (t) => {
  t.is(websocketAccept("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  t.true(isValidWebSocketKey("dGhlIHNhbXBsZSBub25jZQ=="));
  t.false(isValidWebSocketKey("dGhlIHNhbXBsZSBub25jZQ="));
  t.false(isValidWebSocketKey("dGhlIHNhbXBsZSBub25jZQ==="));
  t.false(isValidWebSocketKey("dGhlIHNhbXBsZSBub25jZ!=="));
  t.false(isValidWebSocketKey(""));
});

test("property: the accept key equals node:crypto's SHA-1 + base64 for random keys", (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (nonce) => {
      const key = Buffer.from(nonce).toString("base64");
      const expected = createHash("sha1").update(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest("base64");
      return isValidWebSocketKey(key) && websocketAccept(key) === expected;
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test("UTF-8 decoding: vectors, BOM kept, maximal-subpart replacement like TextDecoder", (t) => {
  const bytes = (...b: number[]) => Uint8Array.from(b);
  t.is(utf8Decode(bytes(0x7a, 0xc3, 0xa4, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x94, 0x8c)), "zä€🔌");
  t.is(utf8Decode(bytes(0xef, 0xbb, 0xbf, 0x41)), "\ufeffA");
  t.is(utf8Decode(bytes(0xc0, 0x80)), "\ufffd\ufffd"); // overlong NUL
  t.is(utf8Decode(bytes(0xed, 0xa0, 0x80)), "\ufffd\ufffd\ufffd"); // a surrogate
  t.is(utf8Decode(bytes(0xf4, 0x90, 0x80, 0x80)), "\ufffd\ufffd\ufffd\ufffd"); // above U+10FFFF
  t.is(utf8Decode(bytes(0xe2, 0x82)), "\ufffd"); // truncated: one replacement
  t.is(utf8Decode(bytes(0xe2, 0x82, 0x41)), "\ufffdA");
  t.is(utf8Decode(bytes(0x41, 0x42, 0x43, 0x44), 1, 3), "BC");
  t.is(utf8DecodeStrict(bytes(0xe2, 0x82, 0xac)), "€");
  t.is(utf8DecodeStrict(bytes(0xe2, 0x82)), null);
  t.is(utf8DecodeStrict(bytes(0xff)), null);
  t.is(utf8DecodeStrict(new Uint8Array(0)), "");
  t.is(latin1Decode(bytes(0x41, 0xe4, 0xff)), "Aäÿ");
  // Long inputs cross the internal piece boundaries (64 units), also inside surrogate pairs.
  const long = "ä🔌x".repeat(500);
  t.is(utf8Decode(Uint8Array.from(Buffer.from(long))), long);
});

test("property: utf8Decode equals TextDecoder, strict decoding agrees with a fatal TextDecoder", (t) => {
  const lenient = new TextDecoder("utf-8", { ignoreBOM: true });
  const fatal = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  const strictOf = (b: Uint8Array) => {
    try {
      return fatal.decode(b);
    } catch {
      return null;
    }
  };
  // Mostly valid UTF-8 with random damage, and plain random bytes.
  const damaged = fc.tuple(fc.string({ unit: "grapheme", maxLength: 100 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 })).map(([s, edits]) => {
    const b = Uint8Array.from(Buffer.from(s, "utf8"));
    for (const [at, v] of edits) if (b.length > 0) b[at % b.length] = v;
    return b;
  });
  fc.assert(
    fc.property(fc.oneof(damaged, fc.uint8Array({ maxLength: 200 })), (b) => utf8Decode(b) === lenient.decode(b) && utf8DecodeStrict(b) === strictOf(b)),
    { numRuns: 2000 },
  );
  t.pass();
});

test("property: utf8EncodeInto and utf8Length equal TextEncoder, lone surrogates included", (t) => {
  const encoder = new TextEncoder();
  // Long enough to cross the encoder's 64-unit pieces, with surrogates (paired or not) anywhere.
  const unit = fc.oneof(fc.integer({ min: 0, max: 0x7f }), fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0xd800, max: 0xdfff }));
  fc.assert(
    fc.property(fc.array(unit, { maxLength: 300 }), fc.nat({ max: 5 }), (codes, offset) => {
      const s = String.fromCharCode(...codes);
      const expected = encoder.encode(s);
      const out = new Uint8Array(offset + utf8Length(s));
      const end = utf8EncodeInto(s, out, offset);
      return end === out.length && utf8Length(s) === expected.length && Buffer.from(out.subarray(offset)).equals(Buffer.from(expected)) &&
        Buffer.from(utf8Bytes(s)).equals(Buffer.from(expected));
    }),
    { numRuns: 1000 },
  );
  t.pass();
});
