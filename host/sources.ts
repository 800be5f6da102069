// Where the meter's bytes come from on the host: a serial read head, a recorded capture
// replayed at the meter's pace, or our virtual meter.

import { readFileSync } from "node:fs";
import { SerialPort } from "serialport";
import { VirtualMeter } from "../modules/simulator/virtual-meter";
import { UsageError } from "./args";

export interface ByteSource {
  /** Starts delivering bytes; resolves once the source is open (rejects with a clear sentence). */
  start(onBytes: (chunk: Uint8Array) => void): Promise<void>;
  stop(): Promise<void>;
  describe(): string;
}

export interface SerialOptions {
  path: string;
  baud: number;
  format: "8N1" | "7E1";
  log: (line: string) => void;
}

/** A serial read head. Reopens by itself when the port goes away (USB unplugged). */
export class SerialSource implements ByteSource {
  private port: SerialPort | null = null;
  private stopped = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(private readonly options: SerialOptions) {}

  describe(): string {
    return `serial ${this.options.path} at ${this.options.baud} baud ${this.options.format}`;
  }

  async start(onBytes: (chunk: Uint8Array) => void): Promise<void> {
    await this.open(onBytes);
  }

  private open(onBytes: (chunk: Uint8Array) => void): Promise<void> {
    const { path, baud, format } = this.options;
    const port = new SerialPort({
      path, baudRate: baud, autoOpen: false,
      dataBits: format === "7E1" ? 7 : 8, parity: format === "7E1" ? "even" : "none", stopBits: 1,
    });
    return new Promise((resolve, reject) => {
      port.open((error) => {
        if (error) {
          reject(new UsageError(`cannot open ${path}: ${serialReason(error)}`));
          return;
        }
        this.port = port;
        port.on("data", (chunk: Buffer) => onBytes(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)));
        port.on("close", () => this.reopenLater(onBytes, "closed"));
        port.on("error", (e: Error) => this.options.log(`serial ${path}: ${e.message}`));
        resolve();
      });
    });
  }

  private reopenLater(onBytes: (chunk: Uint8Array) => void, why: string): void {
    if (this.stopped) return;
    this.port = null;
    this.options.log(`serial ${this.options.path} ${why}; trying to reopen every 2 s`);
    const attempt = () => {
      this.retry = null;
      if (this.stopped) return;
      this.open(onBytes).then(
        () => this.options.log(`serial ${this.options.path} reopened`),
        () => { this.retry = setTimeout(attempt, 2000); },
      );
    };
    this.retry = setTimeout(attempt, 2000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    const port = this.port;
    this.port = null;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }
}

function serialReason(error: Error): string {
  const text = error.message;
  if (/ENOENT|No such file/i.test(text)) return "no such device";
  if (/EACCES|Permission denied/i.test(text)) return "permission denied (add yourself to the dialout group)";
  if (/EBUSY|Resource busy|Cannot lock port/i.test(text)) return "the port is busy (another program has it open)";
  return text.replace(/^Error: /, "");
}

const START = [0x1b, 0x1b, 0x1b, 0x1b, 0x01, 0x01, 0x01, 0x01];

/** Splits a capture at its SML start sequences: one piece per frame, garbage included. */
export function splitAtFrameStarts(bytes: Uint8Array): Uint8Array[] {
  const starts: number[] = [];
  for (let i = 0; i + START.length <= bytes.length; i++) {
    let match = true;
    for (let k = 0; k < START.length && match; k++) match = bytes[i + k] === START[k];
    if (match) starts.push(i);
  }
  if (starts.length <= 1) return [bytes];
  const pieces: Uint8Array[] = [];
  for (let k = 0; k < starts.length; k++) {
    const from = k === 0 ? 0 : starts[k];
    const to = k + 1 < starts.length ? starts[k + 1] : bytes.length;
    pieces.push(bytes.subarray(from, to));
  }
  return pieces;
}

/** A recorded capture, looped: one frame per interval, as the meter sent it. */
export class ReplaySource implements ByteSource {
  private timer: NodeJS.Timeout | null = null;
  private readonly pieces: Uint8Array[];

  constructor(private readonly path: string, private readonly intervalMs = 1000) {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(path));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new UsageError(`cannot read ${path}: ${code === "ENOENT" ? "no such file" : (error as Error).message}`);
    }
    if (bytes.length === 0) throw new UsageError(`${path} is empty`);
    this.pieces = splitAtFrameStarts(bytes);
  }

  describe(): string {
    return `replay of ${this.path} (${this.pieces.length} frame(s), one every ${this.intervalMs} ms, looped)`;
  }

  async start(onBytes: (chunk: Uint8Array) => void): Promise<void> {
    let next = 0;
    const send = () => {
      onBytes(this.pieces[next]);
      next = (next + 1) % this.pieces.length;
    };
    send();
    this.timer = setInterval(send, this.intervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
  }
}

/** Our virtual meter: realistic frames through the real decoding path. */
export class SimulatedSource implements ByteSource {
  private timer: NodeJS.Timeout | null = null;
  private readonly meter = new VirtualMeter({ seed: Date.now() & 0xffff });

  constructor(private readonly intervalMs = 1000) {}

  describe(): string {
    return "simulated meter (household load and balcony PV, three phases)";
  }

  async start(onBytes: (chunk: Uint8Array) => void): Promise<void> {
    const send = () => {
      const now = new Date();
      onBytes(this.meter.frame(Date.now(), now.getHours() + now.getMinutes() / 60));
    };
    send();
    this.timer = setInterval(send, this.intervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
  }
}
