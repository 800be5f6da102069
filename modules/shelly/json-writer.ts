// JSON text built piece by piece, with numbers printed the way a Shelly prints them:
// a fixed count of decimals ("50.0", "0.50", "480.924"), which JSON.stringify cannot do.
//
// Rounding rule (formatFixed): the number is first taken in its shortest round-trip
// decimal form (what String(x) prints), and that decimal is rounded half away from zero.
// So 1.005 → "1.01", 2.675 → "2.68", -0.125 → "-0.13" with two decimals: the digits a
// person reading the value sees decide, never the binary expansion (toFixed would give
// "1.00" for 1.005) and never the engine's toFixed implementation.
// A result that rounds to zero is printed without a minus sign; NaN and ±Infinity print
// as null. JsonWriter.fixed is where the rule is implemented; formatFixed goes through it.
//
// XS costs shaped the code: every property access on a string primitive (s.length,
// s.charCodeAt(i), s.slice()) allocates a String wrapper (2 slots); charCodeAt.call(s, i)
// does not. A function call costs about as much as writing two bytes, and buf[p + 1] = b
// less than buf[p++] = b, so the hot paths are inlined and write at computed indices.

import { utf8DecodeWellFormed, utf8EncodeNative } from "../net/utf8";

const charCodeAt = String.prototype.charCodeAt;
const sliceString = String.prototype.slice;

// Tables are frozen: on the device a frozen table of a preloaded module stays in flash.
const POW10: readonly number[] = Object.freeze([1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9]);

/** Fast-path bound: below it, `x * 10^d` is accurate to far better than TIE_MARGIN. */
const FAST_LIMIT = 8e9;
/** A scaled value this close to .5 goes the exact (string) way. */
const TIE_MARGIN = 1e-5;
const TIE_LOW = 0.5 - TIE_MARGIN;
const TIE_HIGH = 0.5 + TIE_MARGIN;
const POW10_COUNT = POW10.length;
/** Below it, x | 0 is Math.floor(x) for x ≥ 0, and XS keeps the result an integer. */
const INT32_LIMIT = 2147483648;

/** Largest count of decimals formatFixed accepts; more is clamped. */
export const MAX_DECIMALS = 20;

/**
 * Formats `x` with exactly `decimals` digits after the point (none and no point for 0).
 * Returns the JSON literal `null` for non-finite input.
 */
export function formatFixed(x: number, decimals: number): string {
  return new JsonWriter(32).fixed(x, decimals).toString();
}

function clampDecimals(decimals: number): number {
  const d = decimals | 0;
  return d < 0 ? 0 : d > MAX_DECIMALS ? MAX_DECIMALS : d;
}

/** Rounds the shortest decimal form of `magnitude` by string arithmetic. */
function formatFixedExact(negative: boolean, magnitude: number, d: number): string {
  const text = String(magnitude); // "123.45", "1e+21", "1.5e-7"
  let mantissa = text;
  let exponent = 0;
  const e = text.indexOf("e");
  if (e >= 0) {
    mantissa = text.slice(0, e);
    exponent = parseInt(text.slice(e + 1), 10);
  }
  let digits: string;
  let point: number; // count of digits before the decimal point
  const dot = mantissa.indexOf(".");
  if (dot >= 0) {
    digits = mantissa.slice(0, dot) + mantissa.slice(dot + 1);
    point = dot;
  } else {
    digits = mantissa;
    point = mantissa.length;
  }
  point += exponent;
  // The scaled integer is made of the first `keep` digits; the digit after decides.
  const keep = point + d;
  let scaled: string;
  let roundUp: boolean;
  if (keep <= 0) {
    scaled = "0";
    roundUp = keep === 0 && digits.charCodeAt(0) >= 53; // '5'
  } else if (keep >= digits.length) {
    scaled = digits + "0".repeat(keep - digits.length);
    roundUp = false;
  } else {
    scaled = digits.slice(0, keep);
    roundUp = digits.charCodeAt(keep) >= 53;
  }
  if (roundUp) scaled = incrementDigits(scaled);
  let start = 0;
  while (start < scaled.length - 1 && scaled.charCodeAt(start) === 48) start++;
  if (start > 0) scaled = scaled.slice(start);
  return placePoint(negative && scaled !== "0", scaled, d);
}

/** Adds one to a string of decimal digits. */
function incrementDigits(s: string): string {
  let i = s.length - 1;
  while (i >= 0 && s.charCodeAt(i) === 57) i--; // trailing '9's become '0's
  if (i < 0) return "1" + "0".repeat(s.length);
  return s.slice(0, i) + String.fromCharCode(s.charCodeAt(i) + 1) + "0".repeat(s.length - 1 - i);
}

/** Turns the scaled integer's digits into "int.frac" with `d` fraction digits. */
function placePoint(negative: boolean, digits: string, d: number): string {
  const sign = negative ? "-" : "";
  if (d === 0) return sign + digits;
  const padded = digits.length <= d ? "0".repeat(d + 1 - digits.length) + digits : digits;
  const cut = padded.length - d;
  return sign + padded.slice(0, cut) + "." + padded.slice(cut);
}

/** A number in JSON's shortest form; non-finite → null, -0 → 0. */
export function formatNumber(x: number): string {
  if (x !== x || x === Infinity || x === -Infinity) return "null";
  return String(x); // String(-0) is "0"; exponent forms are valid JSON
}

const HEX = "0123456789abcdef";

/** `s` as a JSON string literal, quotes included. Lone surrogates are escaped (well-formed JSON). */
export function quoteJsonString(s: string): string {
  const n = s.length;
  let i = 0;
  for (; i < n; i++) {
    const c = charCodeAt.call(s, i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) break;
  }
  if (i === n) return '"' + s + '"';
  let out = '"' + sliceString.call(s, 0, i);
  let run = i;
  for (; i < n; i++) {
    const c = charCodeAt.call(s, i);
    let esc: string | null = null;
    if (c === 0x22) esc = '\\"';
    else if (c === 0x5c) esc = "\\\\";
    else if (c < 0x20) {
      if (c === 0x0a) esc = "\\n";
      else if (c === 0x0d) esc = "\\r";
      else if (c === 0x09) esc = "\\t";
      else if (c === 0x08) esc = "\\b";
      else if (c === 0x0c) esc = "\\f";
      else esc = "\\u00" + HEX[c >> 4] + HEX[c & 15];
    } else if (c >= 0xd800 && c <= 0xdbff) {
      const next = i + 1 < n ? charCodeAt.call(s, i + 1) : 0;
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++; // a proper pair stays as it is
        continue;
      }
      esc = unicodeEscape(c);
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      esc = unicodeEscape(c);
    }
    if (esc !== null) {
      out += sliceString.call(s, run, i) + esc;
      run = i + 1;
    }
  }
  return out + sliceString.call(s, run) + '"';
}

function unicodeEscape(c: number): string {
  return "\\u" + HEX[(c >> 12) & 15] + HEX[(c >> 8) & 15] + HEX[(c >> 4) & 15] + HEX[c & 15];
}

// ---- JsonWriter --------------------------------------------------------------------------
//
// The text is written as UTF-8 straight into one Uint8Array that doubles when full. An array
// of parts needs, on XS, one contiguous chunk of 16 bytes per item on the ESP32 (28 KB for
// Shelly.GetComponents), and each part was a string of its own. Here an answer is one buffer
// of about its own size; numbers are written digit by digit without strings.

/** EM.GetStatus, the answer batteries poll every second or faster (440 bytes), fits without growing. */
const INITIAL_CAPACITY = 512;
/**
 * Strings are read in slices of at most this many UTF-16 units: XS stores strings as UTF-8,
 * so charCodeAt(i) walks from the start, which is quadratic over a long string. Room is made
 * once per slice for its plain units (one byte each), and again before each escape or
 * multi-byte sequence (ESCAPE_ROOM), not per unit.
 */
const PIECE = 32;
/** Room for a comma, a slice of plain units, two quotes and a colon. */
const PIECE_ROOM = PIECE + 4;
/** Room for the longest sequence of one unit (\u001f) and then a PIECE_ROOM. */
const ESCAPE_ROOM = 6 + PIECE_ROOM;
/** Raw ASCII JSON up to this length is copied by a loop; longer text goes to the engine's encoder. */
const SHORT_RAW = 16;
/** Integers below this print every digit exactly (String(x) does the same). */
const SAFE_LIMIT = 9007199254740992; // 2^53

/** 1 (truthy) for the units a JSON string holds as they are (printable ASCII but " and \); 0 or undefined for the rest. */
const PLAIN: readonly number[] = Object.freeze(makePlainTable());
/** The bytes of "00" … "99", two per number: digits are written two at a time. */
const DIGIT_PAIRS: readonly number[] = Object.freeze(makeDigitPairs());

function makePlainTable(): number[] {
  const table: number[] = [];
  for (let c = 0; c < 0x80; c++) table.push(c >= 0x20 && c !== 0x22 && c !== 0x5c ? 1 : 0);
  return table;
}

function makeDigitPairs(): number[] {
  const pairs: number[] = [];
  for (let i = 0; i < 100; i++) pairs.push(48 + ((i / 10) | 0), 48 + (i % 10));
  return pairs;
}

/** A lower-case hex digit's byte. */
function hexByte(v: number): number {
  return v < 10 ? 48 + v : 87 + v;
}

/**
 * Builds one JSON text. Commas are placed automatically: after a value or a closing
 * bracket the next item needs one; after an opening bracket or a key it does not.
 */
export class JsonWriter {
  private buf: Uint8Array;
  private end = 0;
  private needComma = false;

  /** initialCapacity: bytes to start with (the buffer doubles as needed). */
  constructor(initialCapacity = INITIAL_CAPACITY) {
    this.buf = new Uint8Array(initialCapacity > 16 ? initialCapacity : 16);
  }

  /** Bytes written so far. */
  get byteLength(): number {
    return this.end;
  }

  /** Empties the writer and keeps its buffer, for the next text. */
  reset(): this {
    this.end = 0;
    this.needComma = false;
    return this;
  }

  beginObject(): this {
    let p = this.end;
    const buf = p + 2 > this.buf.length ? this.grow(p + 2) : this.buf;
    if (this.needComma) {
      buf[p] = 44; // ,
      p++;
    }
    buf[p] = 123; // {
    this.end = p + 1;
    this.needComma = false;
    return this;
  }

  endObject(): this {
    const p = this.end;
    const buf = p + 1 > this.buf.length ? this.grow(p + 1) : this.buf;
    buf[p] = 125; // }
    this.end = p + 1;
    this.needComma = true;
    return this;
  }

  beginArray(): this {
    let p = this.end;
    const buf = p + 2 > this.buf.length ? this.grow(p + 2) : this.buf;
    if (this.needComma) {
      buf[p] = 44; // ,
      p++;
    }
    buf[p] = 91; // [
    this.end = p + 1;
    this.needComma = false;
    return this;
  }

  endArray(): this {
    const p = this.end;
    const buf = p + 1 > this.buf.length ? this.grow(p + 1) : this.buf;
    buf[p] = 93; // ]
    this.end = p + 1;
    this.needComma = true;
    return this;
  }

  /** An object key; the next call writes its value. */
  key(name: string): this {
    this.quoted(name, true);
    this.needComma = false;
    return this;
  }

  /** A number with fixed decimals; null/undefined/non-finite → null. */
  fixed(x: number | null | undefined, decimals: number): this {
    if (x == null || x - x !== 0) return this.null(); // x - x is NaN for NaN and ±Infinity
    let d = decimals | 0;
    if (d < 0 || d > MAX_DECIMALS) d = clampDecimals(d);
    const negative = x < 0;
    const magnitude = negative ? -x : x;
    // Fast path: below FAST_LIMIT, x × 10^d in doubles is accurate far beyond TIE_MARGIN, so
    // it rounds like the shortest decimal form unless it is within TIE_MARGIN of a tie.
    if (d < POW10_COUNT) {
      const scaled = magnitude * POW10[d];
      if (scaled < FAST_LIMIT) {
        const floor = scaled < INT32_LIMIT ? scaled | 0 : Math.floor(scaled);
        const frac = scaled - floor;
        if (frac < TIE_LOW || frac > TIE_HIGH) {
          const rounded = frac > 0.5 ? floor + 1 : floor;
          return this.digits(negative && rounded !== 0, rounded, d);
        }
      }
    }
    return this.ascii(formatFixedExact(negative, magnitude, d));
  }

  /** A number in shortest form (integers print without a point). */
  number(x: number | null | undefined): this {
    if (x == null || x - x !== 0) return this.null();
    if (x >= 0 && x < 10 && x % 1 === 0) {
      // One digit (ids, revisions, counters): the common case, without digits().
      let p = this.end;
      const buf = p + 2 > this.buf.length ? this.grow(p + 2) : this.buf;
      if (this.needComma) {
        buf[p] = 44; // ,
        p++;
      }
      buf[p] = 48 + x; // -0 too: "0"
      this.end = p + 1;
      this.needComma = true;
      return this;
    }
    if (x < 0) {
      if (x > -SAFE_LIMIT && x % 1 === 0) return this.digits(true, -x, 0);
    } else if (x < SAFE_LIMIT && x % 1 === 0) {
      return this.digits(false, x, 0); // -0 too: "0"
    }
    return this.ascii(String(x));
  }

  string(s: string | null | undefined): this {
    if (s == null) return this.null();
    this.quoted(s, false);
    this.needComma = true;
    return this;
  }

  bool(b: boolean | null | undefined): this {
    if (b == null) return this.null();
    let p = this.end;
    const buf = p + 6 > this.buf.length ? this.grow(p + 6) : this.buf;
    if (this.needComma) {
      buf[p] = 44; // ,
      p++;
    }
    // Indexed stores: on XS, buf[p + 1] costs less than buf[p++].
    if (b) {
      buf[p] = 116; // true
      buf[p + 1] = 114;
      buf[p + 2] = 117;
      buf[p + 3] = 101;
      this.end = p + 4;
    } else {
      buf[p] = 102; // false
      buf[p + 1] = 97;
      buf[p + 2] = 108;
      buf[p + 3] = 115;
      buf[p + 4] = 101;
      this.end = p + 5;
    }
    this.needComma = true;
    return this;
  }

  null(): this {
    let p = this.end;
    const buf = p + 5 > this.buf.length ? this.grow(p + 5) : this.buf;
    if (this.needComma) {
      buf[p] = 44; // ,
      p++;
    }
    buf[p] = 110; // null
    buf[p + 1] = 117;
    buf[p + 2] = 108;
    buf[p + 3] = 108;
    this.end = p + 4;
    this.needComma = true;
    return this;
  }

  /**
   * Already-serialised JSON text, inserted as one value. It is written as UTF-8, so it must
   * be well formed: no unpaired surrogates (JSON.stringify and this writer escape them).
   */
  raw(json: string): this {
    // Short ASCII text (a "[]", a number) is copied here; anything else goes to the engine's
    // encoder, which also gives the exact size.
    if (charCodeAt.call(json, SHORT_RAW) >= 0) return this.rawBytes(utf8EncodeNative(json));
    let p = this.end;
    const buf = p + SHORT_RAW + 1 > this.buf.length ? this.grow(p + SHORT_RAW + 1) : this.buf;
    if (this.needComma) {
      buf[p] = 44; // ,
      p++;
    }
    let i = 0;
    let c = charCodeAt.call(json, 0);
    for (; c < 0x80; c = charCodeAt.call(json, ++i)) buf[p + i] = c;
    if (c === c) return this.rawBytes(utf8EncodeNative(json)); // stopped before the end (NaN): not ASCII
    this.end = p + i;
    this.needComma = true;
    return this;
  }

  /** Already-serialised JSON as UTF-8 bytes (e.g. another writer's toBytes()), inserted as one value. */
  rawBytes(bytes: Uint8Array): this {
    const n = bytes.length;
    let p = this.end;
    const buf = p + n + 1 > this.buf.length ? this.grow(p + n + 1) : this.buf;
    if (this.needComma) {
      buf[p] = 44; // ,
      p++;
    }
    buf.set(bytes, p);
    this.end = p + n;
    this.needComma = true;
    return this;
  }

  /** Any JSON-like value: numbers in shortest form, objects in insertion order. */
  value(v: unknown): this {
    if (v === null || v === undefined) return this.null();
    switch (typeof v) {
      case "number":
        return this.number(v);
      case "string":
        return this.string(v);
      case "boolean":
        return this.bool(v);
      case "object":
        if (Array.isArray(v)) {
          this.beginArray();
          for (let i = 0; i < v.length; i++) this.value(v[i]);
          return this.endArray();
        } else {
          this.beginObject();
          const o = v as Record<string, unknown>;
          for (const k of Object.keys(o)) {
            if (o[k] === undefined) continue;
            this.key(k).value(o[k]);
          }
          return this.endObject();
        }
      default:
        return this.null();
    }
  }

  /** The JSON text. */
  toString(): string {
    return utf8DecodeWellFormed(this.buf, 0, this.end);
  }

  /** The JSON text as UTF-8, in a new array of exactly its length (the writer keeps its own). */
  toBytes(): Uint8Array {
    return this.buf.slice(0, this.end);
  }

  /** The buffer, replaced by one of at least `size` bytes (doubling) with the same content. */
  private grow(size: number): Uint8Array {
    const old = this.buf;
    let capacity = old.length * 2;
    while (capacity < size) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(old);
    this.buf = grown;
    return grown;
  }

  /**
   * The integer `value` (below 2^53) as digits, with a point before the last `d` of them and
   * at least one digit before the point: "123.45", "0.05", "-7". Written from the right, two
   * digits at a time.
   */
  private digits(negative: boolean, value: number, d: number): this {
    let whole = value;
    let fraction = 0;
    if (d > 0) {
      const scale = POW10[d]; // d < 10: only the fast path of fixed() comes here
      fraction = value % scale;
      whole = (value - fraction) / scale;
    }
    let count = whole < 10000 ? (whole < 100 ? (whole < 10 ? 1 : 2) : whole < 1000 ? 3 : 4) : 5; // digits of whole
    if (count === 5) for (let bound = 100000; whole >= bound; bound *= 10) count++;
    let p = this.end;
    const size = count + d + 3; // comma, sign, point
    const buf = p + size > this.buf.length ? this.grow(p + size) : this.buf;
    if (this.needComma) {
      buf[p] = 44; // ,
      p++;
    }
    if (negative) {
      buf[p] = 45; // -
      p++;
    }
    p += count;
    const end = d > 0 ? p + 1 + d : p;
    if (d > 0) {
      buf[p] = 46; // .
      let q = end;
      let left = d;
      for (; left >= 2; left -= 2) {
        const rest = (fraction / 100) | 0; // fraction < 10^9
        const pair = (fraction - rest * 100) << 1;
        q -= 2;
        buf[q] = DIGIT_PAIRS[pair];
        buf[q + 1] = DIGIT_PAIRS[pair + 1];
        fraction = rest;
      }
      if (left > 0) buf[q - 1] = 48 + fraction;
    }
    let q = p;
    while (whole >= 100) {
      let rest: number;
      let pair: number;
      if (whole < INT32_LIMIT) {
        rest = (whole / 100) | 0;
        pair = whole - rest * 100;
      } else {
        pair = whole % 100;
        rest = (whole - pair) / 100;
      }
      pair <<= 1;
      q -= 2;
      buf[q] = DIGIT_PAIRS[pair];
      buf[q + 1] = DIGIT_PAIRS[pair + 1];
      whole = rest;
    }
    if (whole >= 10) {
      buf[q - 2] = DIGIT_PAIRS[2 * whole];
      buf[q - 1] = DIGIT_PAIRS[2 * whole + 1];
    } else {
      buf[q - 1] = 48 + whole;
    }
    this.end = end;
    this.needComma = true;
    return this;
  }

  /** A value whose text is ASCII (a number's), copied unit by unit. */
  private ascii(text: string): this {
    let p = this.end;
    let buf = p + 1 > this.buf.length ? this.grow(p + 1) : this.buf;
    if (this.needComma) {
      buf[p] = 44; // ,
      p++;
    }
    for (let i = 0; ; i++) {
      const c = charCodeAt.call(text, i);
      if (c !== c) break; // NaN: past the end
      if (p >= buf.length) buf = this.grow(p + 1);
      buf[p++] = c;
    }
    this.end = p;
    this.needComma = true;
    return this;
  }

  /**
   * Writes the comma when due, then `s` as a JSON string literal (and a colon when `colon`).
   * Escapes exactly as JSON.stringify: ", \, control characters, and unpaired surrogates as
   * \uXXXX; a proper pair becomes one 4-byte UTF-8 sequence.
   */
  private quoted(s: string, colon: boolean): void {
    let p = this.end;
    let buf = p + PIECE_ROOM > this.buf.length ? this.grow(p + PIECE_ROOM) : this.buf;
    if (this.needComma) {
      buf[p] = 44; // ,
      p++;
    }
    buf[p] = 34; // "
    p++;
    // charCodeAt past the end is NaN: a unit at index PIECE means s needs slicing.
    const long = charCodeAt.call(s, PIECE) >= 0;
    let piece = long ? sliceString.call(s, 0, PIECE) : s;
    let start = 0; // index in s of piece's first unit
    let j = 0;
    for (;;) {
      let c = charCodeAt.call(piece, j);
      // p and j advance together over plain units: one index to increment, not two.
      const base = p - j;
      while (PLAIN[c]) {
        buf[base + j] = c;
        c = charCodeAt.call(piece, ++j);
      }
      p = base + j;
      if (c !== c) {
        // NaN: the piece is done; j > PIECE when its last unit began a pair
        if (!long || j === 0) break;
        start += j;
        piece = sliceString.call(s, start, start + PIECE);
        j = 0;
        if (p + PIECE_ROOM > buf.length) buf = this.grow(p + PIECE_ROOM);
        continue;
      }
      j++;
      if (p + ESCAPE_ROOM > buf.length) buf = this.grow(p + ESCAPE_ROOM);
      if (c < 0x80) {
        buf[p++] = 0x5c; // \
        if (c === 0x22 || c === 0x5c) buf[p++] = c;
        else if (c === 0x0a) buf[p++] = 0x6e; // n
        else if (c === 0x0d) buf[p++] = 0x72; // r
        else if (c === 0x09) buf[p++] = 0x74; // t
        else if (c === 0x08) buf[p++] = 0x62; // b
        else if (c === 0x0c) buf[p++] = 0x66; // f
        else {
          buf[p++] = 0x75; // u00XX
          buf[p++] = 48;
          buf[p++] = 48;
          buf[p++] = hexByte(c >> 4);
          buf[p++] = hexByte(c & 15);
        }
      } else if (c < 0x800) {
        buf[p++] = 0xc0 | (c >> 6);
        buf[p++] = 0x80 | (c & 63);
      } else if (c < 0xd800 || c > 0xdfff) {
        buf[p++] = 0xe0 | (c >> 12);
        buf[p++] = 0x80 | ((c >> 6) & 63);
        buf[p++] = 0x80 | (c & 63);
      } else {
        // A surrogate: a high one followed by a low one (which may open the next piece) is
        // a pair; anything else is escaped.
        let next = c <= 0xdbff ? charCodeAt.call(piece, j) : 0;
        if (next !== next && long) next = charCodeAt.call(s, start + j);
        if (next >= 0xdc00 && next <= 0xdfff) {
          j++;
          const cp = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
          buf[p++] = 0xf0 | (cp >> 18);
          buf[p++] = 0x80 | ((cp >> 12) & 63);
          buf[p++] = 0x80 | ((cp >> 6) & 63);
          buf[p++] = 0x80 | (cp & 63);
        } else {
          buf[p++] = 0x5c; // \uDXXX
          buf[p++] = 0x75;
          buf[p++] = hexByte(c >> 12);
          buf[p++] = hexByte((c >> 8) & 15);
          buf[p++] = hexByte((c >> 4) & 15);
          buf[p++] = hexByte(c & 15);
        }
      }
    }
    buf[p] = 34; // "
    if (colon) {
      buf[p + 1] = 58; // :
      this.end = p + 2;
    } else {
      this.end = p + 1;
    }
  }
}
