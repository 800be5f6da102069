// Cursor over SML's type-length encoded values (SML 1.04, section 6).
//
// A TL byte is `m ttt llll`: m = another TL byte follows, ttt = type, llll = length
// nibble. Continuation bytes contribute only their `m` bit and low nibble (Hager eHZ sets
// type bits there; the length is still the nibbles). For scalars the length counts the TL
// bytes themselves; for lists it is the number of elements.

export const TYPE_OCTETS: number = 0;
export const TYPE_BOOLEAN: number = 4;
export const TYPE_INTEGER: number = 5;
export const TYPE_UNSIGNED: number = 6;
export const TYPE_LIST: number = 7;

/** Deepest list nesting we follow; real files nest five levels at most. */
const MAX_DEPTH = 12;
const TWO_POW_32 = 0x100000000;

export type ReadError = "truncated" | "bad_tl";

/** Per type: octets any length; integers 1..8 bytes; a boolean one byte; types 1-3 do not exist. */
function scalarLengthFits(type: number, length: number): boolean {
  if (length < 0) return false;
  if (type === TYPE_OCTETS) return true;
  if (type === TYPE_INTEGER || type === TYPE_UNSIGNED) return length >= 1 && length <= 8;
  return type === TYPE_BOOLEAN && length === 1;
}

/**
 * For a TL that is a single byte (below 0x80): the value's length (payload bytes of a scalar,
 * elements of a list), or -1 where readLongTl() must judge the byte (it then fails it).
 */
const SHORT_TL_LENGTH = buildShortTlLengths();

function buildShortTlLengths(): Int8Array {
  const table = new Int8Array(0x80);
  for (let first = 0; first < 0x80; first++) {
    const type = first >> 4;
    const nibble = first & 0x0f;
    if (type === TYPE_LIST || first === 0x00) table[first] = nibble;
    else table[first] = scalarLengthFits(type, nibble - 1) ? nibble - 1 : -1;
  }
  return table;
}

export class SmlReader {
  bytes: Uint8Array = new Uint8Array(0);
  pos = 0;
  end = 0;
  /** Set when a read failed; every later read then fails too. */
  error: ReadError | null = null;

  // Result of the last readTl().
  type = 0;
  /** Payload length in bytes (scalars) or number of elements (lists). */
  length = 0;
  /** True for the single byte 0x00 that ends a message. */
  endOfMessage = false;

  // Result of the last readInteger().
  value = 0;
  /** False when the integer does not fit a double exactly (beyond 2^53). */
  exact = true;
  /** The two 32-bit halves, for printing an inexact 64-bit value exactly. */
  high = 0;
  low = 0;

  reset(bytes: Uint8Array, start: number, end: number): void {
    this.bytes = bytes;
    this.pos = start;
    this.end = end;
    this.error = null;
  }

  fail(reason: ReadError): false {
    if (this.error === null) this.error = reason;
    this.pos = this.end;
    return false;
  }

  /** Reads a TL field; false on truncation or a malformed field. */
  readTl(): boolean {
    if (this.error !== null) return false;
    const pos = this.pos;
    if (pos >= this.end) return this.fail("truncated");
    const first = this.bytes[pos];
    // A single TL byte (every field but long octet strings and long lists) through a table:
    // small enough for V8 to inline at every call site, and fewer steps on XS.
    const length = first < 0x80 ? SHORT_TL_LENGTH[first] : -1;
    if (length < 0) return this.readLongTl(first);
    const type = first >> 4;
    this.pos = pos + 1;
    this.type = type;
    this.length = length;
    this.endOfMessage = first === 0x00;
    if (type !== TYPE_LIST && pos + 1 + length > this.end) return this.fail("truncated");
    return true;
  }

  /** readTl() for multi-byte TLs and for malformed single bytes: the general rules. */
  private readLongTl(first: number): boolean {
    const bytes = this.bytes;
    const end = this.end;
    let pos = this.pos + 1;
    const type = (first >> 4) & 0x07;
    this.type = type;
    this.endOfMessage = first === 0x00;
    let length = first & 0x0f;
    let tlBytes = 1;
    if (first >= 0x80) {
      let next = first;
      do {
        if (pos >= end) return this.fail("truncated");
        if (++tlBytes > 4) return this.fail("bad_tl");
        next = bytes[pos++];
        length = (length << 4) | (next & 0x0f);
      } while (next >= 0x80);
    }
    this.pos = pos;
    if (type === TYPE_LIST) {
      this.length = length;
      return true;
    }
    if (first === 0x00) {
      this.length = 0;
      return true;
    }
    length -= tlBytes;
    this.length = length;
    if (!scalarLengthFits(type, length)) return this.fail("bad_tl");
    if (pos + length > end) return this.fail("truncated");
    return true;
  }

  /** True when the field just read is "optional value not set" (TL 0x01). */
  get isAbsent(): boolean {
    return this.type === TYPE_OCTETS && this.length === 0 && !this.endOfMessage;
  }

  /** Decodes the integer whose TL was just read; leaves the result in value/exact. */
  readInteger(): void {
    const n = this.length;
    if (n > 4) {
      this.readWideInteger(n);
      return;
    }
    // Small integers (nearly all values) in 32-bit integer arithmetic; kept apart from the
    // wide ones so that V8 can inline this at its call sites.
    const bytes = this.bytes;
    const p = this.pos;
    this.pos = p + n;
    let v = 0;
    for (let i = 0; i < n; i++) v = (v << 8) | bytes[p + i];
    if (this.type === TYPE_INTEGER) {
      const shift = 32 - 8 * n;
      v = (v << shift) >> shift;
    } else v = v >>> 0;
    this.value = v;
    this.exact = true;
  }

  /** readInteger() for 5 to 8 bytes. */
  private readWideInteger(n: number): void {
    const signed = this.type === TYPE_INTEGER;
    const bytes = this.bytes;
    let p = this.pos;
    this.pos += n;
    if (n <= 6) {
      let v = 0;
      for (let i = 0; i < n; i++) v = v * 256 + bytes[p + i];
      if (signed && bytes[p] & 0x80) v -= 2 ** (8 * n);
      this.value = v;
      this.exact = true;
      return;
    }
    // 7 or 8 bytes: split into 32-bit halves, sign-extended from the real width.
    let high = 0;
    const highBytes = n - 4;
    for (let i = 0; i < highBytes; i++) high = high * 256 + bytes[p++];
    const low = ((bytes[p] << 24) | (bytes[p + 1] << 16) | (bytes[p + 2] << 8) | bytes[p + 3]) >>> 0;
    if (signed && high >= 2 ** (8 * highBytes - 1)) high -= 2 ** (8 * highBytes);
    this.high = high;
    this.low = low;
    this.value = high * TWO_POW_32 + low;
    this.exact = Math.abs(this.value) <= Number.MAX_SAFE_INTEGER;
  }

  /** Skips one complete value of any type, including nested lists. */
  skipValue(depth = 0): boolean {
    if (!this.readTl()) return false;
    if (this.type !== TYPE_LIST) {
      this.pos += this.length;
      return true;
    }
    if (depth >= MAX_DEPTH) return this.fail("bad_tl");
    for (let n = this.length; n > 0; n--) if (!this.skipValue(depth + 1)) return false;
    return true;
  }

  /** Reads a TL and checks it is a list of `count` elements (or more, if `atLeast`). */
  expectList(count: number, atLeast = false): boolean {
    if (!this.readTl()) return false;
    if (this.type !== TYPE_LIST || (atLeast ? this.length < count : this.length !== count)) return this.fail("bad_tl");
    return true;
  }

  /** Reads an unsigned or signed integer field; false if it is something else. */
  readIntegerField(): boolean {
    if (!this.readTl()) return false;
    if (this.type !== TYPE_INTEGER && this.type !== TYPE_UNSIGNED) return this.fail("bad_tl");
    this.readInteger();
    return true;
  }
}
