// SHA-1 (RFC 3174) in plain ECMAScript, for the WebSocket handshake (RFC 6455 4.2.2), where
// the accept key is base64(SHA-1(key + GUID)). Not for anything that needs collision
// resistance.

import { toHex } from "../shelly/sha256";
import { utf8Encode } from "./utf8";

/** SHA-1 of bytes, or of a string taken as UTF-8: 20 bytes. */
export function sha1(data: Uint8Array | string): Uint8Array {
  const bytes = typeof data === "string" ? utf8Encode(data) : data;
  const n = bytes.length;
  // Message, 0x80, zero padding, 64-bit big-endian bit length: a multiple of 64 bytes.
  const padded = Math.ceil((n + 9) / 64) * 64;
  const bitsHigh = Math.floor(n / 0x20000000); // (n * 8) / 2^32
  const bitsLow = (n * 8) >>> 0;
  const w = new Int32Array(80);
  let h0 = 0x67452301;
  let h1 = 0xefcdab89 | 0;
  let h2 = 0x98badcfe | 0;
  let h3 = 0x10325476;
  let h4 = 0xc3d2e1f0 | 0;

  for (let block = 0; block < padded; block += 64) {
    if (block + 64 <= n) {
      for (let t = 0, p = block; t < 16; t++, p += 4) {
        w[t] = (bytes[p] << 24) | (bytes[p + 1] << 16) | (bytes[p + 2] << 8) | bytes[p + 3];
      }
    } else {
      for (let t = 0, p = block; t < 16; t++, p += 4) {
        w[t] = (byteAt(bytes, n, padded, bitsHigh, bitsLow, p) << 24) |
          (byteAt(bytes, n, padded, bitsHigh, bitsLow, p + 1) << 16) |
          (byteAt(bytes, n, padded, bitsHigh, bitsLow, p + 2) << 8) |
          byteAt(bytes, n, padded, bitsHigh, bitsLow, p + 3);
      }
    }
    for (let t = 16; t < 80; t++) {
      const x = w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16];
      w[t] = (x << 1) | (x >>> 31);
    }
    let a = h0;
    let b = h1;
    let c = h2;
    let d = h3;
    let e = h4;
    for (let t = 0; t < 80; t++) {
      let f: number;
      let k: number;
      if (t < 20) {
        f = (b & c) | (~b & d);
        k = 0x5a827999;
      } else if (t < 40) {
        f = b ^ c ^ d;
        k = 0x6ed9eba1;
      } else if (t < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = 0x8f1bbcdc | 0;
      } else {
        f = b ^ c ^ d;
        k = 0xca62c1d6 | 0;
      }
      const temp = (((a << 5) | (a >>> 27)) + f + e + k + w[t]) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = temp;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
  }

  const out = new Uint8Array(20);
  putWord(out, 0, h0);
  putWord(out, 4, h1);
  putWord(out, 8, h2);
  putWord(out, 12, h3);
  putWord(out, 16, h4);
  return out;
}

/** SHA-1 as 40 lower-case hex digits. */
export function sha1Hex(data: Uint8Array | string): string {
  return toHex(sha1(data));
}

// Byte p of the padded message (used only for the last one or two blocks).
function byteAt(bytes: Uint8Array, n: number, padded: number, bitsHigh: number, bitsLow: number, p: number): number {
  if (p < n) return bytes[p];
  if (p === n) return 0x80;
  const fromEnd = padded - p; // 8..1 over the length field
  if (fromEnd > 8) return 0;
  return fromEnd > 4 ? (bitsHigh >>> ((fromEnd - 5) * 8)) & 0xff : (bitsLow >>> ((fromEnd - 1) * 8)) & 0xff;
}

function putWord(out: Uint8Array, at: number, word: number): void {
  out[at] = word >>> 24;
  out[at + 1] = (word >>> 16) & 0xff;
  out[at + 2] = (word >>> 8) & 0xff;
  out[at + 3] = word & 0xff;
}
