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
// Escape sequences are recognised by runs of 0x1b rather than by 4-byte alignment: a
// frame whose length was edited (or that lost bytes) still ends where its end sequence
// is, and is then judged by its CRC alone.

import { CRC_TABLE, crc16Kermit, crc16X25 } from "./crc";

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
const START_CRC_X25 = crcOfStart(0xffff);
const START_CRC_KERMIT = crcOfStart(0x0000);

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
  private crcX25 = 0xffff;
  private crcKermit = 0;
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
    for (let i = start; i < end; i++) this.step(chunk[i]);
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
    this.crcX25 = START_CRC_X25;
    this.crcKermit = START_CRC_KERMIT;
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
    const x25 = this.crcX25 ^ 0xffff;
    const kermit = this.crcKermit;
    const le = this.crcByte1 | (byte << 8);
    const be = (this.crcByte1 << 8) | byte;
    let flavour: CrcFlavour | null = null;
    if (le === x25) flavour = "x25";
    else if (be === kermit) flavour = "kermit-be";
    else if (le === kermit) flavour = "kermit-le";
    if (flavour === null) {
      this.fail("crc");
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
    this.crcX25 = (this.crcX25 >>> 8) ^ CRC_TABLE[(this.crcX25 ^ byte) & 0xff];
    this.crcKermit = (this.crcKermit >>> 8) ^ CRC_TABLE[(this.crcKermit ^ byte) & 0xff];
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

function crcOfStart(init: number): number {
  const start = new Uint8Array([ESC, ESC, ESC, ESC, 1, 1, 1, 1]);
  // Run the reflected CRC without its final xor: the running state continues from here.
  return init === 0xffff ? crc16X25(start) ^ 0xffff : crc16Kermit(start);
}
