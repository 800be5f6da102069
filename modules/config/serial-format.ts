// Serial line formats for the meter port. Moddable's ECMA-419 serial on ESP32 is fixed at
// 8N1. A 7E1 character (start, 7 data bits, even parity, stop) is as long as an 8N1 one,
// so a UART set to 8N1 receives 7E1 correctly with the parity bit as bit 7: strip it (and
// count parity errors) here, and set it before sending.

export type SerialFormat = "8N1" | "7E1";

/** True when `byte` (parity in bit 7) has an even number of one bits. */
export function evenParityOk(byte: number): boolean {
  let v = byte & 0xff;
  v ^= v >> 4;
  v ^= v >> 2;
  v ^= v >> 1;
  return (v & 1) === 0;
}

/**
 * Turns bytes received as 8N1 from a 7E1 line into 7-bit characters, in place. Returns the
 * number of parity errors among bytes[start, end).
 */
export function strip7E1(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let errors = 0;
  for (let i = start; i < end; i++) {
    const b = bytes[i];
    if (!evenParityOk(b)) errors++;
    bytes[i] = b & 0x7f;
  }
  return errors;
}

/** Sets the even-parity bit 7 on 7-bit characters, in place, for sending on a 7E1 line. */
export function add7E1Parity(bytes: Uint8Array): void {
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i] & 0x7f;
    bytes[i] = evenParityOk(c) ? c : c | 0x80;
  }
}
