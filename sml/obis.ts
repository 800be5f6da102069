// Presentation of decoded entries: OBIS codes, DLMS units, octet strings. Used by the CLI,
// the diagnostics pages and tests, not on the per-frame path.

import { scaledValue, type SmlEntry } from "./decoder";

/** "1-0:16.7.0*255" */
export function obisText(entry: SmlEntry): string {
  const o = entry.obis;
  if (entry.obisLength !== 6) return hex(o, 0, entry.obisLength);
  return `${o[0]}-${o[1]}:${o[2]}.${o[3]}.${o[4]}*${o[5]}`;
}

// DLMS/COSEM unit codes (IEC 62056-62) that electricity meters use.
const UNITS: Readonly<Record<number, string>> = Object.freeze({
  1: "a", 2: "mo", 3: "wk", 4: "d", 5: "h", 6: "min", 7: "s", 8: "deg", 9: "°C", 13: "m³",
  27: "W", 28: "VA", 29: "var", 30: "Wh", 31: "VAh", 32: "varh", 33: "A", 34: "C", 35: "V",
  44: "Hz", 45: "1/(Wh)", 46: "1/(varh)", 47: "1/(VAh)", 56: "%", 57: "Ah", 255: "",
});

/** Unit symbol for a DLMS unit code; "" for none or unknown codes ("unit 99"). */
export function unitText(code: number): string {
  if (code === 0) return "";
  return UNITS[code] ?? `unit ${code}`;
}

export function hex(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let out = "";
  for (let i = start; i < end; i++) out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
  return out;
}

/** Printable ASCII (no control bytes) → the text; otherwise null. */
export function asciiText(bytes: Uint8Array, start: number, end: number): string | null {
  if (end <= start) return null;
  let out = "";
  for (let i = start; i < end; i++) {
    const b = bytes[i];
    if (b < 0x20 || b > 0x7e) return null;
    out += String.fromCharCode(b);
  }
  return out;
}

/** Exact decimal text of a (possibly > 2^53) integer given as two 32-bit halves. */
export function int64Text(high: number, low: number): string {
  // high is a signed number of up to 32 bits; value = high * 2^32 + low.
  const negative = high < 0;
  let h = high;
  let l = low;
  if (negative) {
    // two's complement negate over 64 bits
    l = (~l >>> 0) + 1;
    h = ~h >>> 0;
    if (l > 0xffffffff) {
      l = 0;
      h = (h + 1) >>> 0;
    }
  }
  // Repeated division by 10^6 on base-2^32 digits; 10^6 · 2^32 < 2^53 keeps it exact.
  let digits = "";
  const base = 1e6;
  while (h > 0 || l >= base) {
    const hq = Math.floor(h / base);
    const hr = h - hq * base;
    const cur = hr * 0x100000000 + l;
    const lq = Math.floor(cur / base);
    const lr = cur - lq * base;
    h = hq;
    l = lq;
    digits = String(lr).padStart(6, "0") + digits;
  }
  digits = String(l) + digits;
  digits = digits.replace(/^0+(?=\d)/, "");
  return negative ? "-" + digits : digits;
}

export type EntryValueJson =
  | { value: number; unit: string; raw?: string; scaler?: number }
  | { hex: string }
  | { text: string }
  | { bool: boolean }
  | { none: true }
  | { list: true };

/** A JSON-friendly view of one entry. */
export function entryJson(entry: SmlEntry, bytes: Uint8Array): EntryValueJson {
  switch (entry.kind) {
    case "int": {
      const out: { value: number; unit: string; raw?: string; scaler?: number } = { value: scaledValue(entry), unit: unitText(entry.unit) };
      if (!entry.exact) {
        out.raw = int64Text(entry.rawHigh, entry.rawLow);
        out.scaler = entry.scaler;
      }
      return out;
    }
    case "bool":
      return { bool: entry.raw !== 0 };
    case "bytes": {
      const text = asciiText(bytes, entry.bytesStart, entry.bytesEnd);
      return text !== null && text.length >= 2 ? { text } : { hex: hex(bytes, entry.bytesStart, entry.bytesEnd) };
    }
    case "list":
      return { list: true };
    default:
      return { none: true };
  }
}
