// CRC-16 variants used on the SML optical interface.
//
// Both variants share the reflected CCITT polynomial (0x8408). SML 1.04 specifies X-25
// (init 0xffff, final xor 0xffff); some Holley DTZ541 firmware computes KERMIT instead
// (init 0x0000, no final xor). One table serves both.

/** Lookup table of the reflected CCITT polynomial, shared by both variants. */
export const CRC_TABLE = buildTable();

function buildTable(): Uint16Array {
  const table = new Uint16Array(256);
  for (let n = 0; n < 256; n++) {
    let crc = n;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x8408 : crc >>> 1;
    table[n] = crc;
  }
  return table;
}

function crcReflected(bytes: Uint8Array, start: number, end: number, init: number): number {
  let crc = init;
  for (let i = start; i < end; i++) crc = (crc >>> 8) ^ CRC_TABLE[(crc ^ bytes[i]) & 0xff];
  return crc;
}

/** CRC-16/X-25 over bytes[start, end). */
export function crc16X25(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return crcReflected(bytes, start, end, 0xffff) ^ 0xffff;
}

/** CRC-16/KERMIT over bytes[start, end). */
export function crc16Kermit(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return crcReflected(bytes, start, end, 0x0000);
}
