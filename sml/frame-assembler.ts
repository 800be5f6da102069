// SML transport v1 framing: finds frames in a byte stream of arbitrary chunking.
//
//   start  1b1b1b1b 01010101
//   data   payload; a literal 1b1b1b1b inside it is sent twice (1b1b1b1b 1b1b1b1b)
//   end    1b1b1b1b 1a <pad count> <crc1> <crc2>
//
// The transport CRC covers every transmitted byte from the start sequence up to and
// including the pad count. It is computed while the bytes arrive, so only the unescaped
// payload is buffered, in one buffer allocated up front: a meter that never sends an end
// sequence cannot make memory grow.
//
// Only the X-25 register runs per byte. KERMIT differs from X-25 only in its initial value
// (and final xor), and a CRC register is linear in (initial value, data), so
// KERMIT(m) = X25register(m) ^ X25register(n zero bytes), n = |m|; that second term is
// computed only when the X-25 check fails (Holley DTZ541 frames, broken frames).
//
// Escape sequences are recognised by runs of 0x1b rather than by 4-byte alignment: a
// frame whose length was edited (or that lost bytes) still ends where its end sequence
// is, and is then judged by its CRC alone.

import { CRC_TABLE, CRC_TABLE_1, CRC_TABLE_2, CRC_TABLE_3, crc16X25, crc16ZeroRun } from "./crc";

/** Which CRC variant a frame's transport checksum matched. */
export type CrcFlavour = "x25" | "kermit-be" | "kermit-le";

/** Why bytes were thrown away. */
export type FrameError =
  | "crc" // end sequence found, checksum wrong
  | "truncated" // a new start sequence arrived before the end sequence
  | "bad_escape" // 1b1b1b1b followed by something that is neither data, start nor end
  | "overflow"; // the frame grew beyond maxFrameBytes without an end

export interface AssemblerCounters {
  bytes: number;
  frames: number;
  crcErrors: number;
  truncated: number;
  badEscapes: number;
  overflows: number;
  /** Bytes that were not part of any frame (garbage before a start sequence). */
  discardedBytes: number;
  /** Start sequences found after garbage or after a broken frame. */
  resyncs: number;
  /** Frames accepted with the KERMIT checksum (Holley DTZ541 firmware quirk). */
  kermitFrames: number;
}

/** A complete frame. `payload[0, length)` is valid only during the callback. */
export interface AssembledFrame {
  payload: Uint8Array;
  length: number;
  padding: number;
  crc: CrcFlavour;
}

export interface FrameSink {
  frame(frame: AssembledFrame): void;
  error?(reason: FrameError): void;
}

export interface FrameAssemblerOptions {
  /** Upper bound for one frame's unescaped payload; default 4096 bytes. */
  maxFrameBytes?: number;
}

const ESC = 0x1b;
/** X-25 register (before its final xor) after the start sequence. */
const START_CRC = crc16X25(new Uint8Array([ESC, ESC, ESC, ESC, 1, 1, 1, 1])) ^ 0xffff;

const enum State {
  Hunt, // looking for 1b1b1b1b 01010101
  Data, // inside a frame
  StartTail, // seen 1b1b1b1b 01 inside a frame; expecting 010101
  EndTail, // seen 1b1b1b1b 1a; expecting pad, crc1, crc2
}

export class FrameAssembler {
  readonly counters: AssemblerCounters = {
    bytes: 0, frames: 0, crcErrors: 0, truncated: 0, badEscapes: 0, overflows: 0,
    discardedBytes: 0, resyncs: 0, kermitFrames: 0,
  };
  private readonly buffer: Uint8Array;
  private readonly out: AssembledFrame;
  private state = State.Hunt;
  private length = 0;
  private matched = 0; // Hunt: bytes of the start sequence matched so far
  private run = 0; // Data: 0x1b bytes seen in a row and not yet placed
  private tail = 0; // StartTail/EndTail: bytes of the tail seen
  private crc = 0xffff; // X-25 register, without the final xor
  private crcBytes = 0; // bytes the register has taken in since the frame's first byte
  private padding = 0;
  private crcByte1 = 0;
  private garbage = 0; // bytes discarded since the last frame start

  constructor(private readonly sink: FrameSink, options: FrameAssemblerOptions = {}) {
    this.buffer = new Uint8Array(options.maxFrameBytes ?? 4096);
    this.out = { payload: this.buffer, length: 0, padding: 0, crc: "x25" };
  }

  /** Feed bytes as they arrive; any chunk size works. */
  push(chunk: Uint8Array, start = 0, end = chunk.length): void {
    this.counters.bytes += end - start;
    let i = start;
    while (i < end) {
      if (this.state === State.Data && this.run === 0) {
        // Fast path for plain payload bytes: copy and checksum everything up to the next 0x1b
        // (or until the buffer is full, which step() then reports as an overflow), four bytes
        // at a time where possible (the CRC tables are sliced for that).
        const buffer = this.buffer;
        const stop = Math.min(end, i + buffer.length - this.length);
        const first = i;
        let length = this.length;
        let crc = this.crc;
        while (i + 4 <= stop) {
          const b0 = chunk[i];
          const b1 = chunk[i + 1];
          const b2 = chunk[i + 2];
          const b3 = chunk[i + 3];
          if (b0 === ESC || b1 === ESC || b2 === ESC || b3 === ESC) break;
          buffer[length] = b0;
          buffer[length + 1] = b1;
          buffer[length + 2] = b2;
          buffer[length + 3] = b3;
          length += 4;
          i += 4;
          crc ^= b0 | (b1 << 8);
          crc = CRC_TABLE_3[crc & 0xff] ^ CRC_TABLE_2[crc >>> 8] ^ CRC_TABLE_1[b2] ^ CRC_TABLE[b3];
        }
        while (i < stop) {
          const byte = chunk[i];
          if (byte === ESC) break;
          buffer[length++] = byte;
          crc = (crc >>> 8) ^ CRC_TABLE[(crc ^ byte) & 0xff];
          i++;
        }
        this.length = length;
        this.crc = crc;
        this.crcBytes += i - first;
        if (i === end) return;
      }
      this.step(chunk[i++]);
    }
  }

  /** Forget a partial frame, e.g. after the serial port was reopened. */
  reset(): void {
    this.enterHunt();
  }

  private step(byte: number): void {
    switch (this.state) {
      case State.Hunt:
        this.hunt(byte);
        return;
      case State.Data:
        this.updateCrc(byte);
        this.data(byte);
        return;
      case State.StartTail:
        this.updateCrc(byte);
        if (byte !== 0x01) {
          this.fail("bad_escape");
          this.hunt(byte);
        } else if (++this.tail === 3) {
          // A new frame started inside the previous one: that one was cut off.
          this.counters.truncated++;
          this.sink.error?.("truncated");
          this.counters.resyncs++;
          this.beginFrame();
        }
        return;
      case State.EndTail:
        this.endTail(byte);
        return;
    }
  }

  private hunt(byte: number): void {
    // Incremental match of 1b1b1b1b 01010101 (a small hand-made KMP).
    if (byte === ESC) {
      if (this.matched < 4) this.matched++;
      else if (this.matched > 4) this.matched = 1;
      // matched === 4: five 1b in a row; the last four still count
    } else if (byte === 0x01 && this.matched >= 4) {
      if (++this.matched === 8) {
        this.garbage -= 7; // the start sequence itself was counted as garbage
        if (this.garbage > 0) {
          this.counters.discardedBytes += this.garbage;
          this.counters.resyncs++;
        }
        this.beginFrame();
        return;
      }
    } else {
      this.matched = 0;
    }
    this.garbage++;
  }

  private beginFrame(): void {
    this.state = State.Data;
    this.length = 0;
    this.run = 0;
    this.matched = 0;
    this.garbage = 0;
    this.crc = START_CRC;
    this.crcBytes = 8;
  }

  private data(byte: number): void {
    if (byte === ESC) {
      if (++this.run === 8) {
        // 1b1b1b1b 1b1b1b1b: four literal 0x1b bytes
        this.run = 0;
        this.append(ESC, 4);
      }
      return;
    }
    if (this.run < 4) {
      const ok = this.run === 0 || this.append(ESC, this.run);
      this.run = 0;
      if (ok) this.append(byte, 1);
      return;
    }
    // An escape sequence: the last four 0x1b bytes, then a command byte.
    if (!this.append(ESC, this.run - 4)) return;
    this.run = 0;
    this.tail = 0;
    if (byte === 0x1a) this.state = State.EndTail;
    else if (byte === 0x01) this.state = State.StartTail;
    else {
      this.fail("bad_escape");
    }
  }

  private endTail(byte: number): void {
    switch (this.tail++) {
      case 0:
        this.padding = byte;
        this.updateCrc(byte);
        return;
      case 1:
        this.crcByte1 = byte;
        return;
    }
    const le = this.crcByte1 | (byte << 8);
    const be = (this.crcByte1 << 8) | byte;
    let flavour: CrcFlavour | null = null;
    if (le === (this.crc ^ 0xffff)) flavour = "x25";
    else {
      const kermit = this.crc ^ crc16ZeroRun(this.crcBytes);
      if (be === kermit) flavour = "kermit-be";
      else if (le === kermit) flavour = "kermit-le";
    }
    if (flavour === null) {
      const pad = this.padding;
      const crc1 = this.crcByte1;
      this.fail("crc");
      // The "end sequence" may have been the cut-off rest of a frame whose tail bytes are
      // really the start of the next frame (1b1b1b1b 1a | 1b1b1b1b 01010101): keep trailing
      // 0x1b bytes as a partial start match.
      if (byte === ESC) this.matched = crc1 !== ESC ? 1 : pad !== ESC ? 2 : 3;
      return;
    }
    if (flavour !== "x25") this.counters.kermitFrames++;
    this.counters.frames++;
    const out = this.out;
    out.length = this.length;
    out.padding = this.padding;
    out.crc = flavour;
    this.enterHunt();
    this.sink.frame(out);
  }

  private append(byte: number, count: number): boolean {
    if (this.length + count > this.buffer.length) {
      this.fail("overflow");
      return false;
    }
    for (let k = 0; k < count; k++) this.buffer[this.length++] = byte;
    return true;
  }

  private updateCrc(byte: number): void {
    this.crc = (this.crc >>> 8) ^ CRC_TABLE[(this.crc ^ byte) & 0xff];
    this.crcBytes++;
  }

  private fail(reason: FrameError): void {
    const c = this.counters;
    if (reason === "crc") c.crcErrors++;
    else if (reason === "bad_escape") c.badEscapes++;
    else if (reason === "overflow") c.overflows++;
    else c.truncated++;
    this.enterHunt();
    this.sink.error?.(reason);
  }

  private enterHunt(): void {
    this.state = State.Hunt;
    this.matched = 0;
    this.run = 0;
    this.length = 0;
    this.garbage = 0;
  }
}
