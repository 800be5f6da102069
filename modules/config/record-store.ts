// The settings record (JSON text) in a small key/value store such as Moddable's
// `preference` (NVS on ESP32: keys up to 15 characters, values up to 4000 bytes).
//
// The text is cut into chunks written under one of two banks ("a0", "a1", … / "b0", …);
// the header key, written last, names the bank, the chunk count, the length and a checksum.
// A power cut while saving leaves the old header pointing at the old, complete bank. A
// missing chunk, a wrong length or checksum reads as "no record", so the device falls back
// to defaults (and its setup access point) instead of running on half a record.

export interface KeyValueStore {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
  delete(key: string): void;
}

/** Chunk size in UTF-16 units: at most 3 UTF-8 bytes each, well under NVS's 4000 bytes. */
export const RECORD_CHUNK_CHARS = 1000;
/** Largest record accepted (16 chunks). */
export const RECORD_MAX_CHARS = 16 * RECORD_CHUNK_CHARS;
export const HEADER_KEY = "hdr";

export type RecordRead =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly problem: string | null };

/** FNV-1a over UTF-16 units, as 8 hex digits (catches torn and mixed-up chunks). */
export function checksum(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

interface Header {
  bank: "a" | "b";
  count: number;
  length: number;
  sum: string;
}

function parseHeader(text: string): Header | null {
  const m = /^([ab]):(\d{1,2}):(\d{1,6}):([0-9a-f]{8})$/.exec(text);
  if (m === null) return null;
  const count = Number(m[2]);
  const length = Number(m[3]);
  if (count < 1 || count > RECORD_MAX_CHARS / RECORD_CHUNK_CHARS || length > RECORD_MAX_CHARS) return null;
  return { bank: m[1] as "a" | "b", count, length, sum: m[4] };
}

/** Reads the record; `problem` is null when there simply is none (a fresh device). */
export function readRecord(store: KeyValueStore): RecordRead {
  const raw = store.get(HEADER_KEY);
  if (raw === undefined) return { ok: false, problem: null };
  const header = parseHeader(raw);
  if (header === null) return { ok: false, problem: "settings header is damaged" };
  let text = "";
  for (let i = 0; i < header.count; i++) {
    const chunk = store.get(header.bank + i);
    if (chunk === undefined) return { ok: false, problem: "settings chunk " + i + " is missing" };
    text += chunk;
  }
  if (text.length !== header.length || checksum(text) !== header.sum) return { ok: false, problem: "settings record is incomplete or damaged" };
  return { ok: true, text };
}

/**
 * Stores `text` unless the store already holds exactly it (flash wears out). Returns
 * whether anything was written. Throws RangeError for a record that is too large.
 */
export function writeRecord(store: KeyValueStore, text: string): boolean {
  if (text.length === 0 || text.length > RECORD_MAX_CHARS) throw new RangeError("settings record of " + text.length + " characters");
  const current = readRecord(store);
  if (current.ok && current.text === text) return false;
  const old = parseHeader(store.get(HEADER_KEY) ?? "");
  const bank = old !== null && old.bank === "a" ? "b" : "a";
  const count = Math.ceil(text.length / RECORD_CHUNK_CHARS);
  for (let i = 0; i < count; i++) store.set(bank + i, text.slice(i * RECORD_CHUNK_CHARS, (i + 1) * RECORD_CHUNK_CHARS));
  store.set(HEADER_KEY, bank + ":" + count + ":" + text.length + ":" + checksum(text));
  // Leftovers of an older, longer record in this bank go; the other bank stays as it was.
  for (let i = count; i < RECORD_MAX_CHARS / RECORD_CHUNK_CHARS; i++) {
    if (store.get(bank + i) === undefined) break;
    store.delete(bank + i);
  }
  return true;
}

/** Removes the record and both banks (factory reset). */
export function eraseRecord(store: KeyValueStore): void {
  store.delete(HEADER_KEY);
  for (const bank of ["a", "b"]) {
    for (let i = 0; i < RECORD_MAX_CHARS / RECORD_CHUNK_CHARS; i++) {
      if (store.get(bank + i) === undefined) break;
      store.delete(bank + i);
    }
  }
}
