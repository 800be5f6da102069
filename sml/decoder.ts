// Decodes the messages of one SML file (the payload of a transport frame, or a bare
// sequence of messages) into a reusable table of list entries. After warm-up a frame is
// decoded without allocating: entries are recycled, octet strings stay in the caller's
// buffer and are referenced by offsets.

import { crc16Update, crc16ZeroRun } from "./crc";
import { SmlReader, TYPE_BOOLEAN, TYPE_INTEGER, TYPE_LIST, TYPE_OCTETS, TYPE_UNSIGNED, type ReadError } from "./reader";

export const MSG_OPEN_RESPONSE = 0x0101;
export const MSG_CLOSE_RESPONSE = 0x0201;
export const MSG_GET_PROFILE_LIST_RESPONSE = 0x0401;
export const MSG_GET_LIST_RESPONSE = 0x0701;

export type ValueKind = "none" | "bytes" | "bool" | "int" | "list";

/** One SML_ListEntry. Offsets refer to the buffer passed to decode(). */
export interface SmlEntry {
  /** OBIS code A-B:C.D.E*F; `obisLength` is 6 for a proper code. */
  obis: Uint8Array;
  obisLength: number;
  hasStatus: boolean;
  status: number;
  /** DLMS unit code, 0 when absent. */
  unit: number;
  scaler: number;
  kind: ValueKind;
  /** Integer value before scaling (int) or 0/1 (bool). */
  raw: number;
  signed: boolean;
  /** Width of the integer in bytes as sent. */
  width: number;
  /** False when `raw` is beyond 2^53 and therefore rounded; see rawHigh/rawLow. */
  exact: boolean;
  rawHigh: number;
  rawLow: number;
  bytesStart: number;
  bytesEnd: number;
}

export type DecodeError = ReadError | "bad_structure" | "message_crc";

export interface DecoderCounters {
  files: number;
  errors: number;
  messages: number;
  /** Message CRCs that matched X-25. */
  messageCrcOk: number;
  /** Message CRCs that matched KERMIT (Holley DTZ541 firmware quirk). */
  messageCrcKermit: number;
  /** Message CRCs that matched neither; tolerated when the transport CRC was good. */
  messageCrcBad: number;
  /** Message bodies of a type we do not use (skipped by their TL structure). */
  otherMessages: number;
}

export interface DecodeOptions {
  /** Reject a file whose message CRCs do not match (use when there is no transport CRC). */
  requireMessageCrc?: boolean;
}

export class SmlDecoder {
  readonly counters: DecoderCounters = {
    files: 0, errors: 0, messages: 0, messageCrcOk: 0, messageCrcKermit: 0, messageCrcBad: 0, otherMessages: 0,
  };
  /** Entries of the last decoded file: entries[0, entryCount). */
  readonly entries: SmlEntry[] = [];
  entryCount = 0;
  /** Server id of the last file (from GetListResponse, else OpenResponse); -1 if none. */
  serverIdStart = -1;
  serverIdEnd = -1;
  /** Message bodies seen in the last file, in order (tags). */
  readonly messageTags: number[] = [];
  /** Message CRC mismatches in the last file. */
  badMessageCrcs = 0;
  /** The buffer of the last decode (for the offsets above). */
  bytes: Uint8Array = new Uint8Array(0);

  private readonly reader = new SmlReader();

  /**
   * Decodes bytes[start, end): a sequence of SML messages, optionally followed or
   * separated by 0x00 fill bytes. Returns null on success, or why it failed.
   */
  decode(bytes: Uint8Array, start = 0, end = bytes.length, options?: DecodeOptions): DecodeError | null {
    const r = this.reader;
    r.reset(bytes, start, end);
    this.bytes = bytes;
    this.entryCount = 0;
    this.serverIdStart = this.serverIdEnd = -1;
    this.messageTags.length = 0;
    this.badMessageCrcs = 0;
    this.counters.files++;
    let messages = 0;
    while (r.pos < end) {
      if (bytes[r.pos] === 0x00) {
        r.pos++; // padding between or after messages
        continue;
      }
      const error = this.message();
      if (error !== null) return this.failed(error);
      messages++;
    }
    if (messages === 0) return this.failed("truncated");
    // (No default `options = {}`: on XS that would allocate an object per frame.)
    if (options !== undefined && options.requireMessageCrc === true && this.badMessageCrcs > 0) return this.failed("message_crc");
    return null;
  }

  private failed(error: DecodeError): DecodeError {
    this.counters.errors++;
    return error;
  }

  private message(): DecodeError | null {
    const r = this.reader;
    const messageStart = r.pos;
    // SML_Message: transactionId, groupNo, abortOnError, messageBody, crc16, endOfSmlMsg
    if (!r.expectList(6)) return r.error;
    if (!r.skipValue() || !r.skipValue() || !r.skipValue()) return r.error;
    if (!r.expectList(2)) return r.error;
    if (!r.readIntegerField()) return r.error;
    const tag = r.value;
    this.messageTags.push(tag);
    switch (tag) {
      case MSG_OPEN_RESPONSE:
        if (!this.openResponse()) return r.error ?? "bad_structure";
        break;
      case MSG_GET_LIST_RESPONSE:
        if (!this.getListResponse()) return r.error ?? "bad_structure";
        break;
      default:
        if (tag !== MSG_CLOSE_RESPONSE) this.counters.otherMessages++;
        if (!r.skipValue()) return r.error;
    }
    const crcStart = r.pos;
    // The CRC is Unsigned16, or Unsigned8 when it is below 256 (ISK MT631 seen in the wild).
    if (!r.readIntegerField()) return r.error;
    const received = r.value;
    if (!r.readTl()) return r.error;
    if (!r.endOfMessage) return "bad_structure";
    this.counters.messages++;
    this.checkMessageCrc(messageStart, crcStart, received);
    return null;
  }

  private checkMessageCrc(start: number, end: number, received: number): void {
    // Conforming meters store X-25 low byte first; read big-endian that is the swapped value.
    const register = crc16Update(0xffff, this.bytes, start, end);
    if (received === swap16(register ^ 0xffff)) {
      this.counters.messageCrcOk++;
      return;
    }
    // KERMIT from the same pass (see crc16ZeroRun): a Holley message is read once, not twice.
    const kermit = register ^ crc16ZeroRun(end - start);
    if (received === kermit || received === swap16(kermit)) {
      this.counters.messageCrcKermit++;
      return;
    }
    this.counters.messageCrcBad++;
    this.badMessageCrcs++;
  }

  private openResponse(): boolean {
    const r = this.reader;
    // codepage, clientId, reqFileId, serverId, refTime, smlVersion
    if (!r.expectList(6, true)) return false;
    const extra = r.length - 6;
    if (!r.skipValue() || !r.skipValue() || !r.skipValue()) return false;
    if (!this.octetField()) return false;
    if (this.serverIdStart < 0 && r.length > 0) this.setServerId();
    if (!r.skipValue() || !r.skipValue()) return false;
    for (let i = 0; i < extra; i++) if (!r.skipValue()) return false;
    return true;
  }

  private getListResponse(): boolean {
    const r = this.reader;
    // clientId, serverId, listName, actSensorTime, valList, listSignature, actGatewayTime
    if (!r.expectList(7, true)) return false;
    const extra = r.length - 7;
    if (!r.skipValue()) return false;
    if (!this.octetField()) return false;
    if (r.length > 0) this.setServerId();
    if (!r.skipValue() || !r.skipValue()) return false;
    if (!r.readTl() || r.type !== TYPE_LIST) return false;
    for (let n = r.length; n > 0; n--) if (!this.listEntry()) return false;
    if (!r.skipValue() || !r.skipValue()) return false;
    for (let i = 0; i < extra; i++) if (!r.skipValue()) return false;
    return true;
  }

  /** Reads an octet string (or absent) and leaves its payload at [pos, pos+length). */
  private octetField(): boolean {
    const r = this.reader;
    if (!r.readTl()) return false;
    if (r.type !== TYPE_OCTETS) return false;
    r.pos += r.length;
    return true;
  }

  private setServerId(): void {
    const r = this.reader;
    this.serverIdEnd = r.pos;
    this.serverIdStart = r.pos - r.length;
  }

  private listEntry(): boolean {
    const r = this.reader;
    // objName, status, valTime, unit, scaler, value, valueSignature
    if (!r.expectList(7)) return false;
    const entry = this.nextEntry();

    if (!r.readTl() || r.type !== TYPE_OCTETS) return false;
    const obisLength = r.length < 6 ? r.length : 6;
    const obis = entry.obis;
    const bytes = r.bytes;
    const at = r.pos;
    for (let i = 0; i < obisLength; i++) obis[i] = bytes[at + i];
    entry.obisLength = obisLength;
    r.pos += r.length;

    // status, (valTime), unit, scaler: optional integers; NaN marks "not sent".
    const status = this.optionalInteger();
    if (status === null) return false;
    entry.hasStatus = !Number.isNaN(status);
    entry.status = entry.hasStatus ? status : 0;

    // valTime: absent, an SML_Time choice list, or (Holley DTZ541) a bare Unsigned32.
    if (!r.skipValue()) return false;

    const unit = this.optionalInteger();
    if (unit === null) return false;
    entry.unit = Number.isNaN(unit) ? 0 : unit;
    const scaler = this.optionalInteger();
    if (scaler === null) return false;
    entry.scaler = Number.isNaN(scaler) ? 0 : scaler;

    if (!this.entryValue(entry)) return false;
    return r.skipValue(); // valueSignature
  }

  /** An optional integer field: its value, NaN when absent (or an octet string), null when malformed. */
  private optionalInteger(): number | null {
    const r = this.reader;
    if (!r.readTl() || r.type === TYPE_LIST) return null;
    if (r.type === TYPE_UNSIGNED || r.type === TYPE_INTEGER) {
      r.readInteger();
      return r.value;
    }
    r.pos += r.length;
    return NaN;
  }

  private entryValue(entry: SmlEntry): boolean {
    const r = this.reader;
    const start = r.pos;
    if (!r.readTl()) return false;
    entry.exact = true;
    entry.raw = 0;
    entry.width = r.length;
    entry.signed = r.type === TYPE_INTEGER;
    switch (r.type) {
      case TYPE_INTEGER:
      case TYPE_UNSIGNED:
        r.readInteger();
        entry.kind = "int";
        entry.raw = r.value;
        entry.exact = r.exact;
        entry.rawHigh = r.high;
        entry.rawLow = r.low;
        return true;
      case TYPE_BOOLEAN:
        entry.kind = "bool";
        entry.raw = r.bytes[r.pos] === 0 ? 0 : 1;
        r.pos += 1;
        return true;
      case TYPE_OCTETS:
        // TL 0x01 is "value not set"; anything longer is an octet string.
        entry.kind = r.length === 0 ? "none" : "bytes";
        entry.bytesStart = r.pos;
        entry.bytesEnd = r.pos + r.length;
        r.pos += r.length;
        return true;
      default: {
        // A list-valued entry (e.g. SML_ListType time values): skip it, keep the entry.
        entry.kind = "list";
        r.pos = start;
        return r.skipValue();
      }
    }
  }

  private nextEntry(): SmlEntry {
    if (this.entryCount === this.entries.length) {
      this.entries.push({
        obis: new Uint8Array(6), obisLength: 0, hasStatus: false, status: 0, unit: 0, scaler: 0,
        kind: "none", raw: 0, signed: false, width: 0, exact: true, rawHigh: 0, rawLow: 0, bytesStart: 0, bytesEnd: 0,
      });
    }
    return this.entries[this.entryCount++];
  }
}

function swap16(value: number): number {
  return ((value & 0xff) << 8) | (value >>> 8);
}

/** True when the entry's OBIS code is A-B:C.D.E (any F). */
export function obisIs(entry: SmlEntry, a: number, b: number, c: number, d: number, e: number): boolean {
  const o = entry.obis;
  return entry.obisLength === 6 && o[0] === a && o[1] === b && o[2] === c && o[3] === d && o[4] === e;
}

/** The entry's numeric value with its scaler applied (NaN for non-numbers). */
export function scaledValue(entry: SmlEntry): number {
  if (entry.kind !== "int") return NaN;
  const s = entry.scaler;
  // Dividing by an exact power of ten rounds once; multiplying by 10^-n would round twice.
  return s >= 0 ? entry.raw * 10 ** s : entry.raw / 10 ** -s;
}
