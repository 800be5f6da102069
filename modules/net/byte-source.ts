// A response body made on demand, a slice at a time, as the socket has room: the device sends
// its 27 KB script or 11 KB of gzip without ever holding the whole body in RAM (its XS heap
// is 96 KB). The text or base64 behind a source is a string constant of a preloaded module,
// which lives in flash.

import { SEXTETS } from "./base64";

// Property access on a string primitive (s.charCodeAt(i), s.slice()) makes XS allocate a
// String wrapper each time; the prototype's functions called with .call do not.
const charCodeAt = String.prototype.charCodeAt;
const sliceString = String.prototype.slice;

/** Bytes produced in order; `length` is known up front (it becomes Content-Length). */
export interface ByteSource {
  readonly length: number;
  /**
   * Writes the next bytes into `into` (at most into.length, which must be at least 4) and
   * returns how many; 0 once all `length` bytes were read.
   */
  read(into: Uint8Array): number;
}

/**
 * UTF-8 of `text`. `byteLength` must be its UTF-8 length (the web assets carry it from the
 * build); lone surrogates become U+FFFD like TextEncoder.
 */
export function textSource(text: string, byteLength: number): ByteSource {
  let at = 0; // next character
  return {
    length: byteLength,
    read(into: Uint8Array): number {
      const n = text.length;
      const room = into.length - 4; // a whole character always fits
      let o = 0;
      // XS keeps strings as UTF-8 and charCodeAt walks from the start: take short slices.
      while (at < n && o <= room) {
        const slice = sliceString.call(text, at, at + 64);
        const count = slice.length;
        let i = 0;
        for (; i < count && o <= room; i++) {
          let c = charCodeAt.call(slice, i);
          if (c < 0x80) {
            into[o++] = c;
          } else if (c < 0x800) {
            into[o++] = 0xc0 | (c >> 6);
            into[o++] = 0x80 | (c & 63);
          } else {
            if (c >= 0xd800 && c <= 0xdbff) {
              const next = i + 1 < count ? charCodeAt.call(slice, i + 1) : at + i + 1 < n ? charCodeAt.call(text, at + i + 1) : 0;
              if (next >= 0xdc00 && next <= 0xdfff) {
                const cp = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
                into[o++] = 0xf0 | (cp >> 18);
                into[o++] = 0x80 | ((cp >> 12) & 63);
                into[o++] = 0x80 | ((cp >> 6) & 63);
                into[o++] = 0x80 | (cp & 63);
                i++;
                continue;
              }
              c = 0xfffd;
            } else if (c >= 0xdc00 && c <= 0xdfff) {
              c = 0xfffd;
            }
            into[o++] = 0xe0 | (c >> 12);
            into[o++] = 0x80 | ((c >> 6) & 63);
            into[o++] = 0x80 | (c & 63);
          }
        }
        at += i;
      }
      return o;
    },
  };
}

/** The bytes of padded base64 text, `byteLength` of them (the build's count; the text is valid base64). */
export function base64Source(base64: string, byteLength: number): ByteSource {
  let at = 0; // next quantum's first character
  let produced = 0;
  return {
    length: byteLength,
    read(into: Uint8Array): number {
      const n = base64.length;
      let o = 0;
      while (at < n && produced < byteLength && o + 3 <= into.length) {
        const quanta = Math.min(16, ((into.length - o) / 3) | 0);
        const slice = sliceString.call(base64, at, at + quanta * 4);
        const count = slice.length;
        for (let j = 0; j + 3 < count; j += 4) {
          // '=' gives -1 & 63: its bits only reach bytes past byteLength, which are not written.
          const v =
            ((SEXTETS[charCodeAt.call(slice, j)] & 63) << 18) | ((SEXTETS[charCodeAt.call(slice, j + 1)] & 63) << 12) |
            ((SEXTETS[charCodeAt.call(slice, j + 2)] & 63) << 6) | (SEXTETS[charCodeAt.call(slice, j + 3)] & 63);
          into[o++] = v >> 16;
          if (++produced === byteLength) break;
          into[o++] = (v >> 8) & 0xff;
          if (++produced === byteLength) break;
          into[o++] = v & 0xff;
          if (++produced === byteLength) break;
        }
        at += count;
      }
      return o;
    },
  };
}

/** All of a source's bytes in one array (for shells that send whole bodies). */
export function readAll(source: ByteSource): Uint8Array {
  const out = new Uint8Array(source.length);
  const buffer = new Uint8Array(1024);
  let o = 0;
  for (;;) {
    const n = source.read(buffer);
    if (n === 0) break;
    if (o + n > out.length) throw new Error("byte source gave more than its length " + source.length);
    out.set(n === buffer.length ? buffer : buffer.subarray(0, n), o);
    o += n;
  }
  if (o !== out.length) throw new Error("byte source gave " + o + " of its length " + source.length);
  return out;
}
