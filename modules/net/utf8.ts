// UTF-8 (and Latin-1) between strings and bytes, for the network protocols. XS offers no
// TextEncoder/TextDecoder in the core. Encoding writes into a caller's buffer, so that an HTTP
// response or a WebSocket frame is one allocation; utf8Encode allocates a fresh array.
//
// XS stores strings as UTF-8, so s.length and s.charCodeAt(i) walk the string from its start:
// a charCodeAt loop over a whole string is quadratic there (measured with xsnap: 16,000 chars
// 52 ms, 64,000 chars over 400 ms). The encoder therefore walks PIECE-sized slices; decoding
// builds the string from pieces of at most PIECE code units (String.fromCharCode with apply
// puts every unit on the XS stack, 512 slots on the ESP32), never char by char. Shells with a
// native encoder (Moddable's ArrayBuffer.fromString) can hand it to the connections instead
// (ConnectionIo.encodeText). utf8EncodeNative and utf8DecodeWellFormed pick the engine's
// own converter at run time (Moddable's ArrayBuffer.fromString / String.fromArrayBuffer, else a
// global TextEncoder / TextDecoder as in Node and xsnap, else the code here), for text that is
// known to be well formed, such as the JSON we write ourselves.

const PIECE = 64;
const REPLACEMENT = 0xfffd;

/** What Moddable's XS adds to String and ArrayBuffer (Moddable SDK, XS Differences). */
interface XsStringConstructor {
  fromArrayBuffer?: (buffer: ArrayBufferLike, byteOffset?: number, byteLength?: number) => string;
}
interface XsArrayBufferConstructor {
  fromString?: (text: string) => ArrayBuffer;
}
interface TextDecoderLike {
  decode(bytes: Uint8Array): string;
}
interface TextEncoderLike {
  encode(text: string): Uint8Array;
}
type TextCodecGlobals = {
  TextDecoder?: new (label: string, options: { ignoreBOM: boolean }) => TextDecoderLike;
  TextEncoder?: new () => TextEncoderLike;
};

// Stateless converters (no streaming), made once: they hold no data between calls. On the
// device neither global usually exists, and ArrayBuffer.fromString / String.fromArrayBuffer
// come first anyway. Marked pure so that bundles which never use them (the web page) drop them.
const textDecoder: TextDecoderLike | null = /* @__PURE__ */ makeTextDecoder();
const textEncoder: TextEncoderLike | null = /* @__PURE__ */ makeTextEncoder();

function makeTextDecoder(): TextDecoderLike | null {
  const codecs = globalThis as unknown as TextCodecGlobals;
  // ignoreBOM: a leading U+FEFF is text, not a marker, as in utf8Decode.
  return typeof codecs.TextDecoder === "function" ? new codecs.TextDecoder("utf-8", { ignoreBOM: true }) : null;
}

function makeTextEncoder(): TextEncoderLike | null {
  const codecs = globalThis as unknown as TextCodecGlobals;
  return typeof codecs.TextEncoder === "function" ? new codecs.TextEncoder() : null;
}

/** Number of UTF-8 bytes of s; an unpaired surrogate counts as U+FFFD (3 bytes). */
export function utf8Length(s: string): number {
  const n = s.length;
  let size = 0;
  let high = false; // the previous unit was a high surrogate (possibly in the previous piece)
  for (let start = 0; start < n; start += PIECE) {
    const piece = n <= PIECE ? s : s.slice(start, start + PIECE);
    const k = piece.length;
    for (let j = 0; j < k; j++) {
      const c = piece.charCodeAt(j);
      if (high) {
        high = false;
        if (c >= 0xdc00 && c <= 0xdfff) {
          size += 4;
          continue;
        }
        size += 3; // the high surrogate was alone
      }
      if (c < 0x80) size += 1;
      else if (c < 0x800) size += 2;
      else if (c >= 0xd800 && c <= 0xdbff) high = true;
      else size += 3;
    }
  }
  if (high) size += 3;
  return size;
}

/**
 * Writes s as UTF-8 into out at offset and returns the offset after it. out must have room
 * for utf8Length(s) bytes. Unpaired surrogates become U+FFFD, as TextEncoder does.
 */
export function utf8EncodeInto(s: string, out: Uint8Array, offset: number): number {
  const n = s.length;
  let o = offset;
  let high = 0; // a pending high surrogate
  for (let start = 0; start < n; start += PIECE) {
    const piece = n <= PIECE ? s : s.slice(start, start + PIECE);
    const k = piece.length;
    for (let j = 0; j < k; j++) {
      let c = piece.charCodeAt(j);
      if (high !== 0) {
        if (c >= 0xdc00 && c <= 0xdfff) {
          c = 0x10000 + ((high - 0xd800) << 10) + (c - 0xdc00);
          high = 0;
          out[o++] = 0xf0 | (c >> 18);
          out[o++] = 0x80 | ((c >> 12) & 63);
          out[o++] = 0x80 | ((c >> 6) & 63);
          out[o++] = 0x80 | (c & 63);
          continue;
        }
        high = 0;
        out[o++] = 0xef; // U+FFFD for the lone high surrogate
        out[o++] = 0xbf;
        out[o++] = 0xbd;
      }
      if (c < 0x80) {
        out[o++] = c;
      } else if (c < 0x800) {
        out[o++] = 0xc0 | (c >> 6);
        out[o++] = 0x80 | (c & 63);
      } else if (c >= 0xd800 && c <= 0xdbff) {
        high = c;
      } else {
        if (c >= 0xdc00 && c <= 0xdfff) c = REPLACEMENT; // a lone low surrogate
        out[o++] = 0xe0 | (c >> 12);
        out[o++] = 0x80 | ((c >> 6) & 63);
        out[o++] = 0x80 | (c & 63);
      }
    }
  }
  if (high !== 0) {
    out[o++] = 0xef;
    out[o++] = 0xbf;
    out[o++] = 0xbd;
  }
  return o;
}

/** UTF-8 bytes of s in a new array; unpaired surrogates become U+FFFD, as TextEncoder does. */
export function utf8Encode(s: string): Uint8Array {
  const out = new Uint8Array(utf8Length(s));
  utf8EncodeInto(s, out, 0);
  return out;
}

/** UTF-8 bytes of s in a new array (with the shell's native encoder when one is given). */
export function utf8Bytes(s: string, encode?: (text: string) => Uint8Array): Uint8Array {
  return encode ? encode(s) : utf8Encode(s);
}

/**
 * Decodes bytes[start, end) as UTF-8. Invalid sequences become U+FFFD, one per maximal
 * subpart, exactly like TextDecoder (WHATWG); a leading BOM is kept as U+FEFF.
 */
export function utf8Decode(bytes: Uint8Array, start = 0, end = bytes.length): string {
  return decode(bytes, start, end, false) as string;
}

/** Decodes bytes[start, end) as UTF-8; null when they are not valid UTF-8 (WebSocket text). */
export function utf8DecodeStrict(bytes: Uint8Array, start = 0, end = bytes.length): string | null {
  return decode(bytes, start, end, true);
}

/** One char per byte (ISO-8859-1), for HTTP header bytes, which RFC 9110 treats as opaque. */
export function latin1Decode(bytes: Uint8Array, start = 0, end = bytes.length): string {
  const units: number[] = [];
  let parts: string[] | null = null;
  for (let i = start; i < end; i++) {
    units.push(bytes[i]);
    if (units.length === PIECE) parts = flush(units, parts);
  }
  return finish(units, parts);
}

function decode(bytes: Uint8Array, start: number, end: number, strict: boolean): string | null {
  if (start < 0) start = 0;
  if (end > bytes.length) end = bytes.length;
  const units: number[] = [];
  let parts: string[] | null = null;
  let i = start;
  while (i < end) {
    const b = bytes[i];
    if (b < 0x80) {
      units.push(b);
      i++;
    } else {
      // Lead byte: number of continuation bytes and the allowed range of the first one
      // (excludes overlong forms, surrogates and code points above U+10FFFF).
      let need = 0;
      let cp = 0;
      let lower = 0x80;
      let upper = 0xbf;
      if (b >= 0xc2 && b <= 0xdf) {
        need = 1;
        cp = b & 0x1f;
      } else if (b >= 0xe0 && b <= 0xef) {
        need = 2;
        cp = b & 0x0f;
        if (b === 0xe0) lower = 0xa0;
        else if (b === 0xed) upper = 0x9f;
      } else if (b >= 0xf0 && b <= 0xf4) {
        need = 3;
        cp = b & 0x07;
        if (b === 0xf0) lower = 0x90;
        else if (b === 0xf4) upper = 0x8f;
      }
      let j = i + 1;
      let valid = need > 0;
      for (let k = 0; valid && k < need; k++) {
        const c = j < end ? bytes[j] : -1;
        if (c < lower || c > upper) {
          valid = false;
          break;
        }
        cp = (cp << 6) | (c & 0x3f);
        lower = 0x80;
        upper = 0xbf;
        j++;
      }
      if (!valid) {
        if (strict) return null;
        units.push(REPLACEMENT);
        i = j; // the lead byte plus the continuation bytes that were still acceptable
      } else {
        if (cp >= 0x10000) {
          cp -= 0x10000;
          units.push(0xd800 + (cp >> 10));
          units.push(0xdc00 + (cp & 0x3ff));
        } else {
          units.push(cp);
        }
        i = j;
      }
    }
    if (units.length >= PIECE) parts = flush(units, parts);
  }
  return finish(units, parts);
}

function flush(units: number[], parts: string[] | null): string[] {
  const piece = String.fromCharCode.apply(null, units);
  units.length = 0;
  if (parts === null) return [piece];
  parts.push(piece);
  return parts;
}

function finish(units: number[], parts: string[] | null): string {
  const tail = units.length > 0 ? String.fromCharCode.apply(null, units) : "";
  if (parts === null) return tail;
  if (tail.length > 0) parts.push(tail);
  return parts.length === 1 ? parts[0] : parts.join("");
}

/**
 * Decodes bytes[start, end) with the fastest decoder the engine has: Moddable's
 * String.fromArrayBuffer (XS keeps strings as UTF-8, so this is one copy), else a global
 * TextDecoder (Node, xsnap), else utf8Decode. For text known to be well formed: the bytes must
 * be valid UTF-8 without a NUL byte (String.fromArrayBuffer throws on invalid UTF-8 and stops
 * at a NUL). JSON text qualifies: it has U+0000 only as the escape \u0000.
 */
export function utf8DecodeWellFormed(bytes: Uint8Array, start = 0, end = bytes.length): string {
  if (start < 0) start = 0;
  if (end > bytes.length) end = bytes.length;
  if (end <= start) return "";
  const xsString = String as unknown as XsStringConstructor;
  if (typeof xsString.fromArrayBuffer === "function") {
    return xsString.fromArrayBuffer(bytes.buffer, bytes.byteOffset + start, end - start);
  }
  if (textDecoder !== null) {
    return textDecoder.decode(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end));
  }
  return utf8Decode(bytes, start, end);
}

/**
 * UTF-8 bytes of s in a new array, made by the engine's own encoder: Moddable's
 * ArrayBuffer.fromString (one copy of XS's UTF-8), else a global TextEncoder (Node, xsnap),
 * else utf8Encode. For well-formed text: engines disagree on unpaired surrogates (TextEncoder
 * and utf8Encode write U+FFFD, XS copies its internal bytes), so text that may hold them
 * belongs to utf8Encode.
 */
export function utf8EncodeNative(s: string): Uint8Array {
  const xsArrayBuffer = ArrayBuffer as unknown as XsArrayBufferConstructor;
  if (typeof xsArrayBuffer.fromString === "function") return new Uint8Array(xsArrayBuffer.fromString(s));
  if (textEncoder !== null) return textEncoder.encode(s);
  return utf8Encode(s);
}
