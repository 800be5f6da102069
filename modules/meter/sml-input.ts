// The meter input for SML: bytes in, readings into the meter model. It owns the frame
// assembler and the decoder and keeps the counters a user needs to diagnose the link.

import { SmlDecoder } from "../../sml/decoder";
import { FrameAssembler, type AssembledFrame, type FrameError } from "../../sml/frame-assembler";
import { extractReadings, type PowerSignMode, type ReadingOptions } from "../../sml/readings";
import type { MeterModel } from "./meter-model";
import { emptyReadings } from "./readings";

export interface LinkCounters {
  bytes: number;
  framesOk: number;
  crcErrors: number;
  truncated: number;
  badEscapes: number;
  overflows: number;
  discardedBytes: number;
  resyncs: number;
  decodeErrors: number;
  kermitFrames: number;
  messageCrcMismatches: number;
  quirkCorrections: number;
}

export interface SmlInputOptions {
  powerSign?: PowerSignMode;
  maxFrameBytes?: number;
}

export class SmlInput {
  readonly decoder = new SmlDecoder();
  private readonly assembler: FrameAssembler;
  private readonly readings = emptyReadings();
  private readonly readingOptions: ReadingOptions;
  private now = 0;
  private quirkCorrections = 0;
  // Copy of the last valid frame's payload; grows to the largest frame seen, never per frame.
  // Its length is a multiple of four so that the copy can move 32-bit words (see keepFrame).
  private lastFrameBuffer = new Uint8Array(0);
  private lastFrameWords = new Uint32Array(0);
  private lastFrameLength = 0;
  // 32-bit view of the assembler's payload buffer, made once for the first frame.
  private payloadWords: Uint32Array | null = null;
  lastError: FrameError | string | null = null;
  lastErrorAt = NaN;
  lastByteAt = NaN;

  constructor(private readonly model: MeterModel, options: SmlInputOptions = {}) {
    this.readingOptions = { powerSign: options.powerSign };
    this.assembler = new FrameAssembler({
      frame: (frame) => this.frame(frame),
      error: (reason) => this.error(reason),
    }, { maxFrameBytes: options.maxFrameBytes });
  }

  /** Raw payload of the last valid frame, for diagnostics: a view of an internal copy that the next frame overwrites. */
  get lastFrame(): Uint8Array {
    return this.lastFrameBuffer.subarray(0, this.lastFrameLength);
  }

  /** Bytes as they arrive from the read head, at time `nowMs`. */
  push(chunk: Uint8Array, nowMs: number): void {
    this.now = nowMs;
    if (chunk.length > 0) this.lastByteAt = nowMs;
    this.assembler.push(chunk);
  }

  reset(): void {
    this.assembler.reset();
  }

  counters(): LinkCounters {
    const a = this.assembler.counters;
    const d = this.decoder.counters;
    return {
      bytes: a.bytes, framesOk: this.model.framesAccepted, crcErrors: a.crcErrors, truncated: a.truncated,
      badEscapes: a.badEscapes, overflows: a.overflows, discardedBytes: a.discardedBytes, resyncs: a.resyncs,
      decodeErrors: d.errors, kermitFrames: a.kermitFrames, messageCrcMismatches: d.messageCrcBad,
      quirkCorrections: this.quirkCorrections,
    };
  }

  private frame(frame: AssembledFrame): void {
    const error = this.decoder.decode(frame.payload, 0, frame.length);
    if (error !== null) {
      this.error(error);
      return;
    }
    extractReadings(this.decoder, this.readings, this.readingOptions);
    this.quirkCorrections += this.readings.corrections;
    this.keepFrame(frame);
    this.model.update(this.readings, this.now);
  }

  private keepFrame(frame: AssembledFrame): void {
    const n = frame.length;
    if (this.lastFrameBuffer.length < n) this.growLastFrame(n);
    // Word by word, then the last 0-3 bytes: a quarter of the loop steps of a byte loop, on
    // both engines. (set(payload.subarray(…)) would allocate a view per frame.)
    const words = n >>> 2;
    const toWords = this.lastFrameWords;
    const fromWords = this.wordsOf(frame.payload);
    for (let i = 0; i < words; i++) toWords[i] = fromWords[i];
    const to = this.lastFrameBuffer;
    const from = frame.payload;
    for (let i = words << 2; i < n; i++) to[i] = from[i];
    this.lastFrameLength = n;
  }

  private growLastFrame(n: number): void {
    const buffer = new ArrayBuffer((n + 3) & ~3);
    this.lastFrameBuffer = new Uint8Array(buffer);
    this.lastFrameWords = new Uint32Array(buffer);
  }

  /**
   * A 32-bit view of the payload buffer's whole words. The assembler hands out its one buffer
   * (its own, at offset 0) for every frame, so the view is made once. Byte order does not
   * matter: both views use the platform's.
   */
  private wordsOf(payload: Uint8Array): Uint32Array {
    const words = this.payloadWords;
    if (words !== null && words.buffer === payload.buffer) return words;
    const made = new Uint32Array(payload.buffer, 0, payload.buffer.byteLength >>> 2);
    this.payloadWords = made;
    return made;
  }

  private error(reason: string): void {
    this.lastError = reason;
    this.lastErrorAt = this.now;
  }
}
