// A small SML writer: builds files (Open, GetList, Close) and transport frames. It serves
// the virtual meter of `ir2shelly serve --simulate` and the self-contained tests, so that
// both exercise the real decoding path with frames we fully control.

import { crc16Kermit, crc16X25 } from "./crc";

export type SmlValue =
  | null // optional value not set (0x01)
  | { octets: Uint8Array | string }
  // A bigint writes 64-bit values beyond 2^53 exactly.
  | { int: number | bigint; width?: number }
  | { uint: number | bigint; width?: number }
  | { bool: boolean }
  | { list: SmlValue[] };

/** Minimal byte width for an integer (1, 2, 3, 4, 5, 6, 7 or 8). */
function widthOf(value: number | bigint, signed: boolean): number {
  const v = BigInt(value);
  for (let width = 1; width < 8; width++) {
    const limit = 1n << BigInt(8 * width);
    if (signed ? v >= -limit / 2n && v < limit / 2n : v >= 0n && v < limit) return width;
  }
  return 8;
}

/**
 * Writes a TL field. For scalars `length` is the payload length and the written length counts
 * the TL bytes themselves; for lists it is the number of elements. Uses as many TL bytes as
 * needed (one nibble each); every byte but the last has the "more" bit, only the first the type.
 */
function tl(type: number, length: number, out: number[]): void {
  let count = 1;
  if (type === 7) {
    while (length >= 16 ** count) count++;
  } else {
    while (length + count >= 16 ** count) count++;
  }
  const total = type === 7 ? length : length + count;
  for (let k = count - 1; k >= 0; k--) {
    const nibble = Math.floor(total / 16 ** k) & 0x0f;
    out.push((k > 0 ? 0x80 : 0) | (k === count - 1 ? type << 4 : 0) | nibble);
  }
}

function integerBytes(value: number | bigint, width: number, out: number[]): void {
  // Two's complement over `width` bytes.
  let v = BigInt(value);
  if (v < 0n) v += 1n << BigInt(8 * width);
  for (let i = width - 1; i >= 0; i--) out.push(Number((v >> BigInt(8 * i)) & 0xffn));
}

export function encodeValue(value: SmlValue, out: number[] = []): number[] {
  if (value === null) {
    out.push(0x01);
  } else if ("octets" in value) {
    const bytes = typeof value.octets === "string" ? asciiBytes(value.octets) : value.octets;
    tl(0, bytes.length, out);
    for (const b of bytes) out.push(b);
  } else if ("int" in value) {
    const width = value.width ?? widthOf(value.int, true);
    tl(5, width, out);
    integerBytes(value.int, width, out);
  } else if ("uint" in value) {
    const width = value.width ?? widthOf(value.uint, false);
    tl(6, width, out);
    integerBytes(value.uint, width, out);
  } else if ("bool" in value) {
    out.push(0x42, value.bool ? 1 : 0);
  } else {
    tl(7, value.list.length, out);
    for (const item of value.list) encodeValue(item, out);
  }
  return out;
}

function asciiBytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff;
  return bytes;
}

export interface EntrySpec {
  /** OBIS as six numbers, e.g. [1, 0, 16, 7, 0, 255]. */
  obis: readonly number[];
  status?: number;
  unit?: number;
  scaler?: number;
  value: SmlValue;
}

/** One SML_ListEntry (valTime and valueSignature not set) as a value to encode. */
export function listEntry(spec: EntrySpec): SmlValue {
  return {
    list: [
      { octets: Uint8Array.from(spec.obis) },
      spec.status === undefined ? null : { uint: spec.status },
      null,
      spec.unit === undefined ? null : { uint: spec.unit },
      spec.scaler === undefined ? null : { int: spec.scaler },
      spec.value,
      null,
    ],
  };
}

/** One SML_Message with a correct message CRC (X-25, low byte first; or KERMIT). */
export function encodeMessage(transactionId: Uint8Array, tag: number, body: SmlValue, crc: "x25" | "kermit" = "x25"): number[] {
  const out: number[] = [];
  out.push(0x76);
  encodeValue({ octets: transactionId }, out);
  encodeValue({ uint: 0, width: 1 }, out);
  encodeValue({ uint: 0, width: 1 }, out);
  out.push(0x72);
  encodeValue({ uint: tag, width: 2 }, out);
  encodeValue(body, out);
  const bytes = Uint8Array.from(out);
  const sum = crc === "x25" ? crc16X25(bytes) : crc16Kermit(bytes);
  const field = crc === "x25" ? ((sum & 0xff) << 8) | (sum >> 8) : sum;
  out.push(0x63, field >> 8, field & 0xff, 0x00);
  return out;
}

export interface FileSpec {
  serverId: Uint8Array;
  entries: EntrySpec[];
  /** Distinguishes consecutive files; default 1. */
  sequence?: number;
  /** Seconds index for actSensorTime; omitted when undefined. */
  secIndex?: number;
  messageCrc?: "x25" | "kermit";
}

/** OpenResponse + GetListResponse + CloseResponse, as push meters send every second. */
export function encodeFile(spec: FileSpec): Uint8Array {
  const seq = spec.sequence ?? 1;
  const ids = [0, 1, 2].map((k) => Uint8Array.of(0x49, 0x52, (seq >> 8) & 0xff, seq & 0xff, k));
  const crc = spec.messageCrc ?? "x25";
  const open = encodeMessage(ids[0], 0x0101, {
    list: [null, null, { octets: Uint8Array.of(0, 0, seq & 0xff) }, { octets: spec.serverId }, null, null],
  }, crc);
  const time: SmlValue = spec.secIndex === undefined ? null : { list: [{ uint: 1, width: 1 }, { uint: spec.secIndex, width: 4 }] };
  const list = encodeMessage(ids[1], 0x0701, {
    list: [null, { octets: spec.serverId }, { octets: Uint8Array.of(1, 0, 98, 10, 255, 255) }, time, { list: spec.entries.map(listEntry) }, null, null],
  }, crc);
  const close = encodeMessage(ids[2], 0x0201, { list: [null] }, crc);
  return Uint8Array.from([...open, ...list, ...close]);
}

export interface FrameOptions {
  /** Transport checksum; "kermit-be" imitates Holley DTZ541 firmware. */
  crc?: "x25" | "kermit-be" | "kermit-le";
  /** Number of 00 fill bytes; default: as many as align the frame to 4 bytes (0..3). */
  padding?: number;
}

/** Wraps a file in an SML transport v1 frame: escaping, padding to 4 bytes, checksum. */
export function encodeFrame(file: Uint8Array, options: FrameOptions = {}): Uint8Array {
  const out: number[] = [0x1b, 0x1b, 0x1b, 0x1b, 1, 1, 1, 1];
  let i = 0;
  while (i < file.length) {
    if (i + 4 <= file.length && file[i] === 0x1b && file[i + 1] === 0x1b && file[i + 2] === 0x1b && file[i + 3] === 0x1b) {
      out.push(0x1b, 0x1b, 0x1b, 0x1b, 0x1b, 0x1b, 0x1b, 0x1b);
      i += 4;
    } else out.push(file[i++]);
  }
  const padding = options.padding ?? (4 - (out.length % 4)) % 4;
  for (let k = 0; k < padding; k++) out.push(0);
  out.push(0x1b, 0x1b, 0x1b, 0x1b, 0x1a, padding);
  const bytes = Uint8Array.from(out);
  const crc = options.crc ?? "x25";
  if (crc === "x25") {
    const sum = crc16X25(bytes);
    out.push(sum & 0xff, sum >> 8);
  } else {
    const sum = crc16Kermit(bytes);
    if (crc === "kermit-be") out.push(sum >> 8, sum & 0xff);
    else out.push(sum & 0xff, sum >> 8);
  }
  return Uint8Array.from(out);
}

/** A frozen OBIS code: the tables below stay in flash on the device. */
function code(a: number, b: number, c: number, d: number, e: number, f: number): readonly number[] {
  return Object.freeze([a, b, c, d, e, f]);
}

/** Common OBIS codes for building files. */
export const OBIS = Object.freeze({
  manufacturer: code(129, 129, 199, 130, 3, 255),
  serverId: code(1, 0, 0, 0, 9, 255),
  importEnergy: code(1, 0, 1, 8, 0, 255),
  exportEnergy: code(1, 0, 2, 8, 0, 255),
  power: code(1, 0, 16, 7, 0, 255),
  powerL1: code(1, 0, 36, 7, 0, 255),
  powerL2: code(1, 0, 56, 7, 0, 255),
  powerL3: code(1, 0, 76, 7, 0, 255),
  voltageL1: code(1, 0, 32, 7, 0, 255),
  voltageL2: code(1, 0, 52, 7, 0, 255),
  voltageL3: code(1, 0, 72, 7, 0, 255),
  currentL1: code(1, 0, 31, 7, 0, 255),
  currentL2: code(1, 0, 51, 7, 0, 255),
  currentL3: code(1, 0, 71, 7, 0, 255),
  frequency: code(1, 0, 14, 7, 0, 255),
});

/** DLMS unit codes. */
export const UNIT = Object.freeze({ W: 27, VA: 28, Wh: 30, A: 33, V: 35, Hz: 44 } as const);
