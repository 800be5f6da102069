// From decoded SML entries to meter readings. Every known meter quirk that changes a value
// is handled here, in one place, and keyed only by what the frame itself says.

import type { MeterReadings } from "../modules/meter/readings";
import { clearReadings } from "../modules/meter/readings";
import { scaledValue, type SmlDecoder, type SmlEntry } from "./decoder";

/**
 * How to read power values that the meter sends as signed integers:
 * - "auto": trust the sign, except where a known firmware bug says otherwise (DZG below);
 * - "signed": always trust the sign;
 * - "unsigned": never (for a meter that sends unsigned power with a signed type).
 */
export type PowerSignMode = "auto" | "signed" | "unsigned";

export interface ReadingOptions {
  powerSign?: PowerSignMode;
}

/** Bit 5 of the FNN status word of 1.8.0: energy direction is -A (export). */
const STATUS_DIRECTION_EXPORT = 0x20;

/** Fills `out` from the decoder's last file. */
export function extractReadings(decoder: SmlDecoder, out: MeterReadings, options?: ReadingOptions): void {
  clearReadings(out);
  const mode = options?.powerSign ?? "auto";
  out.manufacturer = manufacturerOf(decoder);
  const dzgUnsignedPower = mode === "unsigned" || (mode === "auto" && out.manufacturer === "DZG" && dzgSendsUnsignedPower(decoder));

  let absolutePower = NaN; // 15.7.0: |P| without direction
  let importStatus = -1;
  let powerImport = NaN; // 1.7.0 / 1.7.1
  let powerExport = NaN; // 2.7.0
  let tariffImport = NaN;
  let tariffExport = NaN;
  let resolution = NaN;

  for (let i = 0; i < decoder.entryCount; i++) {
    const e = decoder.entries[i];
    if (e.kind !== "int" || e.obisLength !== 6 || e.obis[0] !== 1 || e.obis[5] !== 255) continue;
    const c = e.obis[2];
    const d = e.obis[3];
    const eByte = e.obis[4];
    if (d === 8 && (c === 1 || c === 2)) {
      // Energy registers: x.8.0 is the total, x.8.1.. are tariffs (summed when no total).
      const value = scaledValue(e);
      if (eByte === 0) {
        if (c === 1) {
          out.importWh = value;
          if (e.hasStatus) importStatus = e.status;
        } else out.exportWh = value;
        resolution = Math.max(Number.isNaN(resolution) ? 0 : resolution, 10 ** e.scaler);
      } else if (eByte <= 9) {
        if (c === 1) tariffImport = (Number.isNaN(tariffImport) ? 0 : tariffImport) + value;
        else tariffExport = (Number.isNaN(tariffExport) ? 0 : tariffExport) + value;
        if (c === 1 && importStatus < 0 && e.hasStatus) importStatus = e.status;
      }
      continue;
    }
    if (d !== 7 || eByte > 1) continue;
    switch (c) {
      case 16: out.power = powerValue(e, dzgUnsignedPower, out); break;
      case 15: absolutePower = scaledValue(e); break;
      case 1: powerImport = scaledValue(e); break;
      case 2: powerExport = scaledValue(e); break;
      case 36: out.phasePower[0] = powerValue(e, dzgUnsignedPower, out); break;
      case 56: out.phasePower[1] = powerValue(e, dzgUnsignedPower, out); break;
      case 76: out.phasePower[2] = powerValue(e, dzgUnsignedPower, out); break;
      case 32: out.voltage[0] = scaledValue(e); break;
      case 52: out.voltage[1] = scaledValue(e); break;
      case 72: out.voltage[2] = scaledValue(e); break;
      case 31: out.current[0] = scaledValue(e); break;
      case 51: out.current[1] = scaledValue(e); break;
      case 71: out.current[2] = scaledValue(e); break;
      case 14: out.frequency = scaledValue(e); break;
    }
  }
  if (Number.isNaN(out.importWh) && !Number.isNaN(tariffImport)) out.importWh = tariffImport;
  if (Number.isNaN(out.exportWh) && !Number.isNaN(tariffExport)) out.exportWh = tariffExport;
  out.energyResolutionWh = resolution;

  if (!Number.isNaN(out.power)) {
    out.powerSource = "16.7.0";
  } else if (!Number.isNaN(absolutePower)) {
    // EMH eHZ/ED300L, Itron: |P| only; the direction is bit 5 of the 1.8.0 status word.
    const exporting = importStatus >= 0 && (importStatus & STATUS_DIRECTION_EXPORT) !== 0;
    out.power = exporting ? -absolutePower : absolutePower;
    out.powerSource = importStatus >= 0 ? "15.7.0+direction" : "15.7.0";
  } else if (!Number.isNaN(powerImport)) {
    out.power = Number.isNaN(powerExport) ? powerImport : powerImport - powerExport;
    out.powerSource = Number.isNaN(powerExport) ? "1.7.0" : "1.7.0-2.7.0";
  }
}

function powerValue(e: SmlEntry, unsignedPower: boolean, out: MeterReadings): number {
  if (unsignedPower && e.signed && e.raw < 0 && e.width <= 3) {
    out.corrections++;
    const raw = e.raw + 2 ** (8 * e.width);
    return e.scaler >= 0 ? raw * 10 ** e.scaler : raw / 10 ** -e.scaler;
  }
  return scaledValue(e);
}

/**
 * DZG DVS74/DWS74 firmware sends unsigned power as a signed integer. libsml's findings:
 * affected serials 42000000-48999999 and 55000000-58999999 (fixed from 60000000). A meter
 * that reports no export register cannot have negative power, which catches the DWS74
 * units outside those ranges.
 */
function dzgSendsUnsignedPower(decoder: SmlDecoder): boolean {
  const serial = serialOf(decoder);
  if ((serial >= 42000000 && serial <= 48999999) || (serial >= 55000000 && serial <= 58999999)) return true;
  for (let i = 0; i < decoder.entryCount; i++) {
    const o = decoder.entries[i].obis;
    if (o[0] === 1 && o[2] === 2 && o[3] === 8) return false;
  }
  return true;
}

/** The last four bytes of the server id as a number (the serial in DZG's ids). */
function serialOf(decoder: SmlDecoder): number {
  if (decoder.serverIdEnd - decoder.serverIdStart < 4) return -1;
  const b = decoder.bytes;
  const p = decoder.serverIdEnd - 4;
  return ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
}

/** FLAG ids of the meters we know, as three ASCII bytes in one number, and as strings. */
const KNOWN_MANUFACTURER_NAMES: readonly string[] = Object.freeze([
  "APA", "DNT", "DZG", "EBZ", "EFR", "EMH", "ESY", "HAG", "HLY", "ISK", "ITR", "KFM", "LGZ", "NES", "SAG",
]);
const KNOWN_MANUFACTURER_CODES: readonly number[] = Object.freeze(KNOWN_MANUFACTURER_NAMES.map(
  (name) => (name.charCodeAt(0) << 16) | (name.charCodeAt(1) << 8) | name.charCodeAt(2),
));

/**
 * FLAG manufacturer id from the server id (`0a 01 'D' 'Z' 'G' …`, `06 'E' 'M' 'H' …`).
 * Known ids return a constant string: building one per frame would allocate on XS (so would
 * comparing with charCodeAt, which boxes the string there).
 */
function manufacturerOf(decoder: SmlDecoder): string {
  const b = decoder.bytes;
  const start = decoder.serverIdStart;
  if (start < 0) return "";
  for (let p = start + 2; p >= start + 1; p--) {
    if (p + 3 <= decoder.serverIdEnd && isUpper(b[p]) && isUpper(b[p + 1]) && isUpper(b[p + 2])) {
      const code = (b[p] << 16) | (b[p + 1] << 8) | b[p + 2];
      for (let k = 0; k < KNOWN_MANUFACTURER_CODES.length; k++) {
        if (KNOWN_MANUFACTURER_CODES[k] === code) return KNOWN_MANUFACTURER_NAMES[k];
      }
      return String.fromCharCode(b[p], b[p + 1], b[p + 2]);
    }
  }
  return "";
}

function isUpper(byte: number): boolean {
  return byte >= 0x41 && byte <= 0x5a;
}
