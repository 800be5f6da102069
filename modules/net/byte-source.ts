// A response body made on demand, a slice at a time, as the socket has room: the device sends
// its 27 KB script or 11 KB of gzip without ever holding the whole body in RAM (its XS heap
// is 96 KB). The text or base64 behind a source is a string constant of a preloaded module,
// which lives in flash.

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
        const slice = text.slice(at, at + 64);
        let i = 0;
        for (; i < slice.length && o <= room; i++) {
          let c = slice.charCodeAt(i);
          if (c < 0x80) {
            into[o++] = c;
          } else if (c < 0x800) {
            into[o++] = 0xc0 | (c >> 6);
            into[o++] = 0x80 | (c & 63);
          } else {
            if (c >= 0xd800 && c <= 0xdbff) {
              const next = i + 1 < slice.length ? slice.charCodeAt(i + 1) : at + i + 1 < n ? text.charCodeAt(at + i + 1) : 0;
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

function sextet(c: number): number {
  if (c >= 65 && c <= 90) return c - 65;
  if (c >= 97 && c <= 122) return c - 71;
  if (c >= 48 && c <= 57) return c + 4;
  if (c === 43) return 62;
  if (c === 47) return 63;
  return 0; // '=' and anything else: the build wrote valid base64
}

/** The bytes of padded base64 text, `byteLength` of them (the build's count). */
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
        const slice = base64.slice(at, at + quanta * 4);
        for (let j = 0; j + 3 < slice.length; j += 4) {
          const v =
            (sextet(slice.charCodeAt(j)) << 18) | (sextet(slice.charCodeAt(j + 1)) << 12) |
            (sextet(slice.charCodeAt(j + 2)) << 6) | sextet(slice.charCodeAt(j + 3));
          into[o++] = v >> 16;
          if (++produced === byteLength) break;
          into[o++] = (v >> 8) & 0xff;
          if (++produced === byteLength) break;
          into[o++] = v & 0xff;
          if (++produced === byteLength) break;
        }
        at += slice.length;
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
