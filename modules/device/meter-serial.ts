// The read head on an ECMA-419 serial port, feeding the core. On ESP32 bytes are read
// straight from the UART FIFO into one reused buffer (read(buffer) returns the count); the
// simulator's serial only returns fresh ArrayBuffers, one per burst. 7E1 is received as
// 8N1 with the parity in bit 7 (modules/config/serial-format).

import Serial from "embedded:io/serial";
import { strip7E1, type SerialFormat } from "../config/serial-format";

export interface MeterSerialOptions {
  /** ESP32: GPIO numbers and UART. */
  receive?: number;
  transmit?: number;
  port?: number;
  /** Simulator: tty path. */
  device?: string;
  baud: number;
  format: SerialFormat;
  /** Reads into a reused buffer (ESP32). */
  readInto: boolean;
  onBytes(chunk: Uint8Array): void;
}

export interface MeterSerialStats {
  bytes: number;
  parityErrors: number;
  reads: number;
}

export class MeterSerial {
  readonly stats: MeterSerialStats = { bytes: 0, parityErrors: 0, reads: 0 };
  private readonly serial: Serial;
  private readonly buffer = new Uint8Array(256);
  private readonly options: MeterSerialOptions;

  constructor(options: MeterSerialOptions) {
    this.options = options;
    // Only the keys that apply: the native constructor treats a present-but-undefined pin
    // as a pin.
    const dictionary: ConstructorParameters<typeof Serial>[0] = {
      baud: options.baud,
      format: "buffer",
      onReadable: () => this.drain(),
    };
    if (options.device !== undefined) dictionary.device = options.device;
    if (options.receive !== undefined) dictionary.receive = options.receive;
    if (options.transmit !== undefined) dictionary.transmit = options.transmit;
    if (options.port !== undefined) dictionary.port = options.port;
    this.serial = new Serial(dictionary);
  }

  close(): void {
    this.serial.close();
  }

  private drain(): void {
    const o = this.options;
    for (let guard = 0; guard < 64; guard++) {
      let chunk: Uint8Array;
      if (o.readInto) {
        const n = this.serial.read(this.buffer);
        if (typeof n !== "number" || n <= 0) return;
        chunk = this.buffer.subarray(0, n);
      } else {
        const data = this.serial.read();
        if (!(data instanceof ArrayBuffer) || data.byteLength === 0) return;
        chunk = new Uint8Array(data);
      }
      this.stats.reads++;
      this.stats.bytes += chunk.length;
      if (o.format === "7E1") this.stats.parityErrors += strip7E1(chunk);
      o.onBytes(chunk);
      if (!o.readInto) return; // the simulator hands over everything in one read
    }
  }
}
