// JSON text built piece by piece, with numbers printed the way a Shelly prints them:
// a fixed count of decimals ("50.0", "0.50", "480.924"), which JSON.stringify cannot do.
//
// Rounding rule (formatFixed): the number is first taken in its shortest round-trip
// decimal form (what String(x) prints), and that decimal is rounded half away from zero.
// So 1.005 → "1.01", 2.675 → "2.68", -0.125 → "-0.13" with two decimals: the digits a
// person reading the value sees decide, never the binary expansion (toFixed would give
// "1.00" for 1.005) and never the engine's toFixed implementation.
// A result that rounds to zero is printed without a minus sign; NaN and ±Infinity print
// as null.

const POW10: readonly number[] = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

/** Fast-path bound: below it, `x * 10^d` is accurate to far better than TIE_MARGIN. */
const FAST_LIMIT = 8e9;
/** A scaled value this close to .5 goes the exact (string) way. */
const TIE_MARGIN = 1e-5;

/** Largest count of decimals formatFixed accepts; more is clamped. */
export const MAX_DECIMALS = 20;

/**
 * Formats `x` with exactly `decimals` digits after the point (none and no point for 0).
 * Returns the JSON literal `null` for non-finite input.
 */
export function formatFixed(x: number, decimals: number): string {
  if (x !== x || x === Infinity || x === -Infinity) return "null";
  let d = decimals | 0;
  if (d < 0) d = 0;
  else if (d > MAX_DECIMALS) d = MAX_DECIMALS;
  const negative = x < 0;
  const magnitude = negative ? -x : x;
  if (d < POW10.length) {
    const scaled = magnitude * POW10[d];
    if (scaled < FAST_LIMIT) {
      const floor = Math.floor(scaled);
      const frac = scaled - floor;
      if (frac < 0.5 - TIE_MARGIN || frac > 0.5 + TIE_MARGIN) {
        const rounded = frac > 0.5 ? floor + 1 : floor;
        return placePoint(negative && rounded !== 0, String(rounded), d);
      }
    }
  }
  return formatFixedExact(negative, magnitude, d);
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
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) break;
  }
  if (i === n) return '"' + s + '"';
  let out = '"' + s.slice(0, i);
  let run = i;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
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
      const next = i + 1 < n ? s.charCodeAt(i + 1) : 0;
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++; // a proper pair stays as it is
        continue;
      }
      esc = unicodeEscape(c);
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      esc = unicodeEscape(c);
    }
    if (esc !== null) {
      out += s.slice(run, i) + esc;
      run = i + 1;
    }
  }
  return out + s.slice(run) + '"';
}

function unicodeEscape(c: number): string {
  return "\\u" + HEX[(c >> 12) & 15] + HEX[(c >> 8) & 15] + HEX[(c >> 4) & 15] + HEX[c & 15];
}

/**
 * Builds one JSON text. Commas are placed automatically: after a value or a closing
 * bracket the next item needs one; after an opening bracket or a key it does not.
 */
export class JsonWriter {
  private parts: string[] = [];
  private needComma = false;

  private item(text: string): this {
    if (this.needComma) this.parts.push(",");
    this.parts.push(text);
    this.needComma = true;
    return this;
  }

  beginObject(): this {
    if (this.needComma) this.parts.push(",");
    this.parts.push("{");
    this.needComma = false;
    return this;
  }

  endObject(): this {
    this.parts.push("}");
    this.needComma = true;
    return this;
  }

  beginArray(): this {
    if (this.needComma) this.parts.push(",");
    this.parts.push("[");
    this.needComma = false;
    return this;
  }

  endArray(): this {
    this.parts.push("]");
    this.needComma = true;
    return this;
  }

  /** An object key; the next call writes its value. */
  key(name: string): this {
    if (this.needComma) this.parts.push(",");
    this.parts.push(quoteJsonString(name), ":");
    this.needComma = false;
    return this;
  }

  /** A number with fixed decimals; null/undefined/non-finite → null. */
  fixed(x: number | null | undefined, decimals: number): this {
    return this.item(x === null || x === undefined ? "null" : formatFixed(x, decimals));
  }

  /** A number in shortest form (integers print without a point). */
  number(x: number | null | undefined): this {
    return this.item(x === null || x === undefined ? "null" : formatNumber(x));
  }

  string(s: string | null | undefined): this {
    return this.item(s === null || s === undefined ? "null" : quoteJsonString(s));
  }

  bool(b: boolean | null | undefined): this {
    return this.item(b === null || b === undefined ? "null" : b ? "true" : "false");
  }

  null(): this {
    return this.item("null");
  }

  /** Already-serialised JSON text, inserted as one value. */
  raw(json: string): this {
    return this.item(json);
  }

  /** Any JSON-like value: numbers in shortest form, objects in insertion order. */
  value(v: unknown): this {
    if (v === null || v === undefined) return this.item("null");
    switch (typeof v) {
      case "number":
        return this.item(formatNumber(v));
      case "string":
        return this.item(quoteJsonString(v));
      case "boolean":
        return this.item(v ? "true" : "false");
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
        return this.item("null");
    }
  }

  toString(): string {
    return this.parts.join("");
  }
}
