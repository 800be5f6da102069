// DNS messages as mDNS uses them (RFC 1035 wire format, RFC 6762 bits): parsing what peers
// send and building our answers. Pure: no platform APIs, no TextEncoder, no module-level
// mutable state. Parsing is bounded and never throws; a message that cannot be framed comes
// back as a typed reason, a record whose data does not fit its type comes back as raw bytes.
//
// Names are text with '.' between labels and no trailing dot ("_shelly._tcp.local"). Label
// bytes are UTF-8; a '.' or '\' inside a label is written "\." / "\\", and bytes that are not
// valid UTF-8 or are control characters as "\DDD" (decimal), as dig prints them. So every
// name read from the wire turns back into exactly the same bytes.

import { utf8Decode, utf8Encode } from "./utf8";

export const TYPE_A = 1;
export const TYPE_PTR = 12;
export const TYPE_TXT = 16;
export const TYPE_AAAA = 28;
export const TYPE_SRV = 33;
export const TYPE_NSEC = 47;
export const TYPE_ANY = 255;

export const CLASS_IN = 1;
export const CLASS_ANY = 255;

/** Response flag (QR) in the header flags. */
export const FLAG_RESPONSE = 0x8000;
/** Authoritative answer (AA). */
export const FLAG_AUTHORITATIVE = 0x0400;
/** Truncated (TC): in an mDNS query, more known answers follow in another packet. */
export const FLAG_TRUNCATED = 0x0200;

/** RFC 6762 §17: no mDNS message is larger than 9000 bytes. Larger input is refused. */
export const MAX_MESSAGE_BYTES = 9000;
/** RFC 1035: a name is at most 255 bytes on the wire, a label at most 63. */
export const MAX_NAME_BYTES = 255;
export const MAX_LABEL_BYTES = 63;
/** Header length. */
export const HEADER_BYTES = 12;

export interface DnsQuestion {
  name: string;
  type: number;
  /** The class without the top bit (1 = IN). */
  qclass: number;
  /** The top bit of the class: the "QU" bit, the querier asks for a unicast reply. */
  unicastResponse: boolean;
}

export type DnsRecordData =
  | { kind: "a"; address: string }
  | { kind: "ptr"; target: string }
  | { kind: "srv"; priority: number; weight: number; port: number; target: string }
  | { kind: "txt"; strings: string[] }
  | { kind: "nsec"; next: string; types: number[] }
  /** Any other type, or a known type whose data did not parse. */
  | { kind: "raw"; bytes: Uint8Array };

export interface DnsRecord {
  name: string;
  type: number;
  /** The class without the top bit. */
  rrclass: number;
  /** The top bit of the class: mDNS "cache flush" (this is the whole set for the name). */
  cacheFlush: boolean;
  /** Seconds. */
  ttl: number;
  data: DnsRecordData;
}

export interface DnsHeader {
  id: number;
  flags: number;
  questionCount: number;
  answerCount: number;
  authorityCount: number;
  additionalCount: number;
}

export interface DnsMessage {
  id: number;
  flags: number;
  questions: DnsQuestion[];
  answers: DnsRecord[];
  authorities: DnsRecord[];
  additionals: DnsRecord[];
}

export type DnsParseError =
  /** The message ends inside a field, or a count promises more than there is. */
  | "truncated"
  /** Longer than MAX_MESSAGE_BYTES. */
  | "too_long"
  /** A name longer than 255 bytes, or a reserved label type. */
  | "bad_name"
  /** A compression pointer that does not point strictly backwards (loops). */
  | "bad_pointer";

export type DnsParseResult = { ok: true; message: DnsMessage } | { ok: false; error: DnsParseError };

// ---- header ----------------------------------------------------------------------------------

/** The 12-byte header, or null if there are fewer bytes. */
export function parseHeader(bytes: Uint8Array): DnsHeader | null {
  if (bytes.length < HEADER_BYTES) return null;
  return {
    id: (bytes[0] << 8) | bytes[1],
    flags: (bytes[2] << 8) | bytes[3],
    questionCount: (bytes[4] << 8) | bytes[5],
    answerCount: (bytes[6] << 8) | bytes[7],
    authorityCount: (bytes[8] << 8) | bytes[9],
    additionalCount: (bytes[10] << 8) | bytes[11],
  };
}

// ---- parsing ---------------------------------------------------------------------------------

/** Reads fields; on the first failure it records the reason and returns zeros from then on. */
class WireReader {
  pos = 0;
  error: DnsParseError | null = null;

  constructor(readonly bytes: Uint8Array) {}

  fail(error: DnsParseError): void {
    if (this.error === null) this.error = error;
  }

  has(n: number): boolean {
    if (this.error !== null) return false;
    if (this.pos + n > this.bytes.length) {
      this.fail("truncated");
      return false;
    }
    return true;
  }

  u8(): number {
    if (!this.has(1)) return 0;
    return this.bytes[this.pos++];
  }

  u16(): number {
    if (!this.has(2)) return 0;
    const v = (this.bytes[this.pos] << 8) | this.bytes[this.pos + 1];
    this.pos += 2;
    return v;
  }

  u32(): number {
    if (!this.has(4)) return 0;
    const b = this.bytes;
    const p = this.pos;
    this.pos += 4;
    return ((b[p] << 24) >>> 0) + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
  }

  /**
   * A name at pos, following compression pointers. Every pointer must point before the
   * start of the label run it continues, so the walk always ends; the total length is
   * capped at 255 bytes.
   */
  name(): string {
    if (this.error !== null) return "";
    const bytes = this.bytes;
    let p = this.pos;
    let runStart = p;
    let jumped = false;
    let wireLength = 1; // the terminating zero
    let text = "";
    for (;;) {
      if (p >= bytes.length) {
        this.fail("truncated");
        return "";
      }
      const len = bytes[p];
      if ((len & 0xc0) === 0xc0) {
        if (p + 1 >= bytes.length) {
          this.fail("truncated");
          return "";
        }
        const target = ((len & 0x3f) << 8) | bytes[p + 1];
        if (!jumped) {
          this.pos = p + 2;
          jumped = true;
        }
        if (target >= runStart) {
          this.fail("bad_pointer");
          return "";
        }
        runStart = target;
        p = target;
        continue;
      }
      if ((len & 0xc0) !== 0) {
        this.fail("bad_name"); // 0x40 / 0x80: extended label types, never used
        return "";
      }
      if (len === 0) {
        if (!jumped) this.pos = p + 1;
        return text;
      }
      wireLength += len + 1;
      if (wireLength > MAX_NAME_BYTES) {
        this.fail("bad_name");
        return "";
      }
      if (p + 1 + len > bytes.length) {
        this.fail("truncated");
        return "";
      }
      text += (text.length === 0 ? "" : ".") + labelToText(bytes, p + 1, p + 1 + len);
      p += 1 + len;
    }
  }
}

/**
 * Parses a whole message. Never throws; a framing problem gives {ok:false, error}. Record
 * data that does not match its type (a 3-byte A record, a TXT whose strings overrun) is kept
 * as `raw`, so one odd known answer does not hide the questions.
 */
export function parseMessage(bytes: Uint8Array): DnsParseResult {
  if (bytes.length > MAX_MESSAGE_BYTES) return { ok: false, error: "too_long" };
  if (bytes.length < HEADER_BYTES) return { ok: false, error: "truncated" };
  const header = parseHeader(bytes)!;
  const r = new WireReader(bytes);
  r.pos = HEADER_BYTES;
  // Every question takes at least 5 bytes and every record at least 11, so a count that
  // cannot fit is refused before any work is done for it.
  const minimum =
    header.questionCount * 5 + (header.answerCount + header.authorityCount + header.additionalCount) * 11;
  if (HEADER_BYTES + minimum > bytes.length) return { ok: false, error: "truncated" };

  const questions: DnsQuestion[] = [];
  for (let i = 0; i < header.questionCount && r.error === null; i++) {
    const name = r.name();
    const type = r.u16();
    const cls = r.u16();
    questions.push({ name, type, qclass: cls & 0x7fff, unicastResponse: (cls & 0x8000) !== 0 });
  }
  const answers = readRecords(r, header.answerCount);
  const authorities = readRecords(r, header.authorityCount);
  const additionals = readRecords(r, header.additionalCount);
  if (r.error !== null) return { ok: false, error: r.error };
  return { ok: true, message: { id: header.id, flags: header.flags, questions, answers, authorities, additionals } };
}

function readRecords(r: WireReader, count: number): DnsRecord[] {
  const out: DnsRecord[] = [];
  for (let i = 0; i < count && r.error === null; i++) {
    const name = r.name();
    const type = r.u16();
    const cls = r.u16();
    const ttl = r.u32();
    const length = r.u16();
    if (!r.has(length)) break;
    const start = r.pos;
    const end = start + length;
    const data = readRecordData(r.bytes, type, start, end);
    r.pos = end;
    out.push({ name, type, rrclass: cls & 0x7fff, cacheFlush: (cls & 0x8000) !== 0, ttl, data });
  }
  return out;
}

function readRecordData(bytes: Uint8Array, type: number, start: number, end: number): DnsRecordData {
  const raw: DnsRecordData = { kind: "raw", bytes: bytes.slice(start, end) };
  // Names inside the data may point anywhere before them in the message, but must end
  // inside the data.
  const sub = new WireReader(bytes.subarray(0, end));
  sub.pos = start;
  switch (type) {
    case TYPE_A:
      if (end - start !== 4) return raw;
      return { kind: "a", address: bytes[start] + "." + bytes[start + 1] + "." + bytes[start + 2] + "." + bytes[start + 3] };
    case TYPE_PTR: {
      const target = sub.name();
      if (sub.error !== null || sub.pos !== end) return raw;
      return { kind: "ptr", target };
    }
    case TYPE_SRV: {
      const priority = sub.u16();
      const weight = sub.u16();
      const port = sub.u16();
      const target = sub.name();
      if (sub.error !== null || sub.pos !== end) return raw;
      return { kind: "srv", priority, weight, port, target };
    }
    case TYPE_TXT: {
      const strings: string[] = [];
      let p = start;
      while (p < end) {
        const len = bytes[p];
        if (p + 1 + len > end) return raw;
        strings.push(utf8Decode(bytes, p + 1, p + 1 + len));
        p += 1 + len;
      }
      return { kind: "txt", strings };
    }
    case TYPE_NSEC: {
      const next = sub.name();
      if (sub.error !== null) return raw;
      const types: number[] = [];
      let p = sub.pos;
      let lastWindow = -1;
      while (p < end) {
        if (p + 2 > end) return raw;
        const window = bytes[p];
        const len = bytes[p + 1];
        if (window <= lastWindow || len < 1 || len > 32 || p + 2 + len > end) return raw;
        lastWindow = window;
        for (let i = 0; i < len; i++) {
          const bits = bytes[p + 2 + i];
          for (let b = 0; b < 8; b++) if (bits & (0x80 >> b)) types.push(window * 256 + i * 8 + b);
        }
        p += 2 + len;
      }
      return { kind: "nsec", next, types };
    }
    default:
      return raw;
  }
}

// ---- building --------------------------------------------------------------------------------

/** Grows on demand up to a limit; remembers where each name suffix was written. */
class WireWriter {
  buf: Uint8Array;
  length = 0;
  overflow = false;
  /** Canonical suffix key → offset, for compression pointers. */
  private readonly suffixes = new Map<string, number>();

  constructor(private readonly limit: number) {
    this.buf = new Uint8Array(Math.min(512, limit));
  }

  private room(n: number): boolean {
    if (this.overflow) return false;
    const need = this.length + n;
    if (need > this.limit) {
      this.overflow = true;
      return false;
    }
    if (need > this.buf.length) {
      let size = this.buf.length * 2;
      while (size < need) size *= 2;
      const grown = new Uint8Array(Math.min(size, this.limit));
      grown.set(this.buf.subarray(0, this.length));
      this.buf = grown;
    }
    return true;
  }

  u8(v: number): void {
    if (this.room(1)) this.buf[this.length++] = v & 0xff;
  }

  u16(v: number): void {
    if (!this.room(2)) return;
    this.buf[this.length++] = (v >>> 8) & 0xff;
    this.buf[this.length++] = v & 0xff;
  }

  u32(v: number): void {
    if (!this.room(4)) return;
    this.buf[this.length++] = (v >>> 24) & 0xff;
    this.buf[this.length++] = (v >>> 16) & 0xff;
    this.buf[this.length++] = (v >>> 8) & 0xff;
    this.buf[this.length++] = v & 0xff;
  }

  bytes(b: ArrayLike<number>): void {
    if (!this.room(b.length)) return;
    for (let i = 0; i < b.length; i++) this.buf[this.length++] = b[i];
  }

  /** `compress`: may end in a pointer. Either way its suffixes become pointer targets. */
  name(labels: Uint8Array[], compress: boolean): void {
    const keys: string[] = new Array(labels.length);
    let key = "";
    for (let i = labels.length - 1; i >= 0; i--) {
      key = labelKey(labels[i]) + key;
      keys[i] = key;
    }
    for (let i = 0; i < labels.length; i++) {
      const earlier = this.suffixes.get(keys[i]);
      if (compress && earlier !== undefined) {
        this.u16(0xc000 | earlier);
        return;
      }
      if (earlier === undefined && this.length < 0x4000) this.suffixes.set(keys[i], this.length);
      this.u8(labels[i].length);
      this.bytes(labels[i]);
    }
    this.u8(0);
  }

  patch16(at: number, v: number): void {
    this.buf[at] = (v >>> 8) & 0xff;
    this.buf[at + 1] = v & 0xff;
  }
}

/**
 * A label's exact bytes, length-prefixed. Exact, not case-folded: a pointer then always
 * reproduces the spelling that was asked for (a name read back is the name written).
 */
function labelKey(label: Uint8Array): string {
  let s = String.fromCharCode(label.length);
  for (let i = 0; i < label.length; i++) s += String.fromCharCode(label[i]);
  return s;
}

/**
 * The message on the wire, with name compression (SRV targets and NSEC next names are
 * written in full, as RFC 2782 / RFC 4034 ask; simple parsers in consumers rely on it).
 * null if a name or an address is invalid, a TXT string is over 255 bytes, or the message
 * would exceed maxBytes.
 */
export function encodeMessage(message: DnsMessage, maxBytes: number = MAX_MESSAGE_BYTES): Uint8Array | null {
  const w = new WireWriter(maxBytes);
  const counts = [message.questions.length, message.answers.length, message.authorities.length, message.additionals.length];
  if (counts.some((n) => n > 0xffff)) return null;
  w.u16(message.id);
  w.u16(message.flags);
  for (const n of counts) w.u16(n);
  for (const q of message.questions) {
    const labels = nameToLabels(q.name);
    if (labels === null) return null;
    w.name(labels, true);
    w.u16(q.type);
    w.u16((q.qclass & 0x7fff) | (q.unicastResponse ? 0x8000 : 0));
  }
  for (const list of [message.answers, message.authorities, message.additionals]) {
    for (const record of list) if (!writeRecord(w, record)) return null;
  }
  if (w.overflow) return null;
  return w.buf.slice(0, w.length);
}

function writeRecord(w: WireWriter, record: DnsRecord): boolean {
  const labels = nameToLabels(record.name);
  if (labels === null) return false;
  w.name(labels, true);
  w.u16(record.type);
  w.u16((record.rrclass & 0x7fff) | (record.cacheFlush ? 0x8000 : 0));
  w.u32(record.ttl >>> 0);
  const lengthAt = w.length;
  w.u16(0);
  const data = record.data;
  switch (data.kind) {
    case "a": {
      const v = parseIpv4(data.address);
      if (v === null) return false;
      w.u32(v);
      break;
    }
    case "ptr": {
      const target = nameToLabels(data.target);
      if (target === null) return false;
      w.name(target, true);
      break;
    }
    case "srv": {
      const target = nameToLabels(data.target);
      if (target === null) return false;
      w.u16(data.priority);
      w.u16(data.weight);
      w.u16(data.port);
      w.name(target, false);
      break;
    }
    case "txt": {
      // RFC 6763 §6.1: a TXT record has at least one string; an empty one is a single zero.
      if (data.strings.length === 0) w.u8(0);
      for (const s of data.strings) {
        const b = utf8Encode(s);
        if (b.length > 255) return false;
        w.u8(b.length);
        w.bytes(b);
      }
      break;
    }
    case "nsec": {
      const next = nameToLabels(data.next);
      if (next === null) return false;
      w.name(next, false);
      const bitmap = nsecBitmap(data.types);
      if (bitmap === null) return false;
      w.bytes(bitmap);
      break;
    }
    case "raw":
      w.bytes(data.bytes);
      break;
  }
  if (w.overflow) return false;
  const length = w.length - lengthAt - 2;
  if (length > 0xffff) return false;
  w.patch16(lengthAt, length);
  return true;
}

/** RFC 4034 §4.1.2 type bit maps: per 256-type window, the window, the length, the bits. */
function nsecBitmap(types: readonly number[]): number[] | null {
  const sorted = types.slice().sort((a, b) => a - b);
  const out: number[] = [];
  let i = 0;
  while (i < sorted.length) {
    const t = sorted[i];
    if (!Number.isInteger(t) || t < 0 || t > 0xffff) return null;
    const window = t >>> 8;
    const bits: number[] = [];
    while (i < sorted.length && sorted[i] >>> 8 === window) {
      const low = sorted[i] & 0xff;
      const index = low >>> 3;
      while (bits.length <= index) bits.push(0);
      bits[index] |= 0x80 >>> (low & 7);
      i++;
    }
    out.push(window, bits.length);
    for (const b of bits) out.push(b);
  }
  return out;
}

// ---- names -----------------------------------------------------------------------------------

/**
 * The labels of a name in text form (see the top of this file), or null if it is not a
 * valid name: an empty label, a label over 63 bytes, a name over 255 bytes, a bad escape.
 * "" and "." are the root (no labels); one trailing dot is allowed.
 */
export function nameToLabels(name: string): Uint8Array[] | null {
  const labels: Uint8Array[] = [];
  if (name === "" || name === ".") return labels;
  let current: number[] = [];
  let total = 1;
  let i = 0;
  const n = name.length;
  const finish = (): boolean => {
    if (current.length === 0 || current.length > MAX_LABEL_BYTES) return false;
    total += current.length + 1;
    if (total > MAX_NAME_BYTES) return false;
    labels.push(Uint8Array.from(current));
    current = [];
    return true;
  };
  while (i < n) {
    const c = name.charCodeAt(i);
    if (c === 0x2e /* . */) {
      if (!finish()) return null;
      i++;
      if (i === n) return labels; // one trailing dot
      continue;
    }
    if (c === 0x5c /* \ */) {
      if (i + 1 >= n) return null;
      if (isDigit(name.charCodeAt(i + 1))) {
        // \DDD: exactly three decimal digits, at most 255.
        if (i + 3 >= n || !isDigit(name.charCodeAt(i + 2)) || !isDigit(name.charCodeAt(i + 3))) return null;
        const v = (name.charCodeAt(i + 1) - 48) * 100 + (name.charCodeAt(i + 2) - 48) * 10 + (name.charCodeAt(i + 3) - 48);
        if (v > 255) return null;
        current.push(v);
        i += 4;
      } else {
        i = appendUtf8(current, name, i + 1);
      }
      continue;
    }
    i = appendUtf8(current, name, i);
  }
  if (!finish()) return null;
  return labels;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Label bytes as text: UTF-8 where valid, with the escapes described at the top. */
export function labelToText(bytes: Uint8Array, start: number, end: number): string {
  let out = "";
  let i = start;
  while (i < end) {
    const len = utf8SequenceLength(bytes, i, end);
    if (len === 0) {
      out += escapeByte(bytes[i]);
      i++;
      continue;
    }
    const cp = utf8CodePoint(bytes, i, len);
    if (cp < 0x20 || cp === 0x7f) out += escapeByte(cp);
    else if (cp === 0x2e) out += "\\.";
    else if (cp === 0x5c) out += "\\\\";
    else out += String.fromCodePoint(cp);
    i += len;
  }
  return out;
}

function escapeByte(b: number): string {
  return "\\" + (b < 100 ? (b < 10 ? "00" : "0") : "") + b;
}

/** Lower-cases ASCII letters only (DNS name comparison, RFC 4343). */
export function asciiLower(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out += c >= 0x41 && c <= 0x5a ? String.fromCharCode(c + 0x20) : text[i];
  }
  return out;
}

/** Whether two names in text form are the same DNS name (ASCII case-insensitive). */
export function sameName(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  return asciiLower(a) === asciiLower(b);
}

/** Same record data (names compared case-insensitively), e.g. for known-answer suppression. */
export function sameRecordData(a: DnsRecordData, b: DnsRecordData): boolean {
  switch (a.kind) {
    case "a":
      return b.kind === "a" && a.address === b.address;
    case "ptr":
      return b.kind === "ptr" && sameName(a.target, b.target);
    case "srv":
      return b.kind === "srv" && a.priority === b.priority && a.weight === b.weight && a.port === b.port && sameName(a.target, b.target);
    case "txt":
      return b.kind === "txt" && a.strings.length === b.strings.length && a.strings.every((s, i) => s === b.strings[i]);
    case "nsec":
      return b.kind === "nsec" && sameName(a.next, b.next) && a.types.length === b.types.length && a.types.every((t, i) => t === b.types[i]);
    case "raw":
      return b.kind === "raw" && a.bytes.length === b.bytes.length && a.bytes.every((v, i) => v === b.bytes[i]);
  }
}

// ---- UTF-8 and IPv4 --------------------------------------------------------------------------

/** Appends the UTF-8 bytes of the code point at text[i]; returns the index after it. */
function appendUtf8(out: number[], text: string, i: number): number {
  let cp = text.charCodeAt(i);
  let used = 1;
  if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < text.length) {
    const low = text.charCodeAt(i + 1);
    if (low >= 0xdc00 && low <= 0xdfff) {
      cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
      used = 2;
    }
  }
  if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd; // a lone surrogate
  if (cp < 0x80) out.push(cp);
  else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
  else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  return i + used;
}


/**
 * Length of the valid UTF-8 sequence at bytes[i] (RFC 3629: no overlongs, no surrogates,
 * nothing above U+10FFFF), or 0 if there is none.
 */
function utf8SequenceLength(bytes: Uint8Array, i: number, end: number): number {
  const b0 = bytes[i];
  if (b0 < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < end && bytes[i + k] >= lo && bytes[i + k] <= hi;
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const lo = b0 === 0xe0 ? 0xa0 : 0x80;
    const hi = b0 === 0xed ? 0x9f : 0xbf;
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const lo = b0 === 0xf0 ? 0x90 : 0x80;
    const hi = b0 === 0xf4 ? 0x8f : 0xbf;
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

function utf8CodePoint(bytes: Uint8Array, i: number, len: number): number {
  switch (len) {
    case 1:
      return bytes[i];
    case 2:
      return ((bytes[i] & 0x1f) << 6) | (bytes[i + 1] & 0x3f);
    case 3:
      return ((bytes[i] & 0x0f) << 12) | ((bytes[i + 1] & 0x3f) << 6) | (bytes[i + 2] & 0x3f);
    default:
      return ((bytes[i] & 0x07) << 18) | ((bytes[i + 1] & 0x3f) << 12) | ((bytes[i + 2] & 0x3f) << 6) | (bytes[i + 3] & 0x3f);
  }
}


/** Dotted-quad IPv4 as an unsigned 32-bit number, or null ("1.2.3.4" only; no leading zeros). */
export function parseIpv4(text: string): number | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let v = 0;
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part)) return null;
    const n = parseInt(part, 10);
    if (n > 255) return null;
    v = v * 256 + n;
  }
  return v;
}

export function formatIpv4(value: number): string {
  return ((value >>> 24) & 0xff) + "." + ((value >>> 16) & 0xff) + "." + ((value >>> 8) & 0xff) + "." + (value & 0xff);
}
