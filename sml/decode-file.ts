// Whole-capture decoding for tools and tests: every frame in a byte string, as plain
// objects. The device uses FrameAssembler and SmlDecoder directly instead.

import { SmlDecoder, type DecodeError } from "./decoder";
import { FrameAssembler, type CrcFlavour, type FrameError, type AssemblerCounters } from "./frame-assembler";
import { entryJson, hex, obisText, type EntryValueJson } from "./obis";

export type DecodedFile =
  | {
    ok: true;
    /** Transport CRC flavour, or "none" for bare messages without a transport frame. */
    crc: CrcFlavour | "none";
    serverId: string | null;
    /** Messages whose own CRC did not match (tolerated when the frame CRC is good). */
    badMessageCrcs: number;
    messages: string[];
    values: Record<string, EntryValueJson>;
    /** Entries in order, including repeated OBIS codes. */
    entries: Array<{ obis: string; status?: number } & EntryValueJson>;
  }
  | { ok: false; error: FrameError | DecodeError };

const MESSAGE_NAMES: Readonly<Record<number, string>> = Object.freeze({
  0x0100: "OpenRequest", 0x0101: "OpenResponse", 0x0200: "CloseRequest", 0x0201: "CloseResponse",
  0x0300: "GetProfilePackRequest", 0x0301: "GetProfilePackResponse", 0x0400: "GetProfileListRequest",
  0x0401: "GetProfileListResponse", 0x0700: "GetListRequest", 0x0701: "GetListResponse", 0xff01: "AttentionResponse",
});

/** Describes what the decoder holds after a successful decode(). */
export function describeDecoded(decoder: SmlDecoder, crc: CrcFlavour | "none"): DecodedFile {
  const bytes = decoder.bytes;
  const values: Record<string, EntryValueJson> = {};
  const entries: Array<{ obis: string; status?: number } & EntryValueJson> = [];
  for (let i = 0; i < decoder.entryCount; i++) {
    const entry = decoder.entries[i];
    const obis = obisText(entry);
    const value = entryJson(entry, bytes);
    if (!(obis in values)) values[obis] = value;
    entries.push(entry.hasStatus ? { obis, status: entry.status, ...value } : { obis, ...value });
  }
  return {
    ok: true,
    crc,
    serverId: decoder.serverIdStart >= 0 ? hex(bytes, decoder.serverIdStart, decoder.serverIdEnd) : null,
    badMessageCrcs: decoder.badMessageCrcs,
    messages: decoder.messageTags.map((tag) => MESSAGE_NAMES[tag] ?? `0x${tag.toString(16).padStart(4, "0")}`),
    values,
    entries,
  };
}

export interface DecodedCapture {
  files: DecodedFile[];
  assembler: AssemblerCounters | null;
}

/** True when the bytes contain an SML transport start sequence. */
export function hasTransportFrames(bytes: Uint8Array): boolean {
  for (let i = 0; i + 8 <= bytes.length; i++) {
    if (bytes[i] === 0x1b && bytes[i + 1] === 0x1b && bytes[i + 2] === 0x1b && bytes[i + 3] === 0x1b &&
      bytes[i + 4] === 1 && bytes[i + 5] === 1 && bytes[i + 6] === 1 && bytes[i + 7] === 1) return true;
  }
  return false;
}

/**
 * Decodes a capture: transport frames if it has any, otherwise the bytes as bare SML
 * messages (then the message CRCs are the only integrity check, so they must match).
 */
export function decodeCapture(bytes: Uint8Array): DecodedCapture {
  const decoder = new SmlDecoder();
  if (!hasTransportFrames(bytes)) {
    const error = decoder.decode(bytes, 0, bytes.length, { requireMessageCrc: true });
    return { files: [error === null ? describeDecoded(decoder, "none") : { ok: false, error }], assembler: null };
  }
  const files: DecodedFile[] = [];
  const assembler = new FrameAssembler({
    frame(frame) {
      const error = decoder.decode(frame.payload, 0, frame.length);
      files.push(error === null ? describeDecoded(decoder, frame.crc) : { ok: false, error });
    },
    error(reason) {
      files.push({ ok: false, error: reason });
    },
  });
  assembler.push(bytes);
  return { files, assembler: assembler.counters };
}
