// ECMA-419 Serial IO as implemented by the Moddable SDK.
// Follows Moddable SDK documentation/io/io.md ("Serial") and the ECMA-419 IO Class Pattern;
// the Linux build (modules/io/serial/lin) takes a `device` path instead of pins.
declare module "embedded:io/serial" {
  type SerialBuffer = ArrayBuffer | ArrayBufferView;

  interface SerialOptions {
    /** Baud rate; required. The port is always 8 data bits, no parity, 1 stop bit. */
    baud: number;
    /** ESP32: GPIO number of the RX pin. */
    receive?: number;
    /** ESP32: GPIO number of the TX pin. */
    transmit?: number;
    /** ESP32: UART number (0, 1 or 2). Defaults to 0. */
    port?: number;
    /** Linux simulator: path of the tty to open, e.g. "/dev/ttyUSB0" or a pty. */
    device?: string;
    /** "buffer" reads/writes ArrayBuffers; "number" reads/writes single bytes. */
    format?: "buffer" | "number";
    /** Called when bytes arrive; `count` is the number of bytes ready to read. */
    onReadable?: (this: Serial, count: number) => void;
    /** Called when `count` bytes of output space are free. */
    onWritable?: (this: Serial, count: number) => void;
    /** Linux simulator: called when the tty reports an error; the port is closed after it. */
    onError?: (this: Serial) => void;
    /** Any value the callbacks want to reach through `this.target`. */
    target?: unknown;
  }

  export default class Serial {
    constructor(options: SerialOptions);
    /** With format "buffer": all bytes available, or undefined when none. */
    read(): ArrayBuffer | number | undefined;
    /** With format "buffer": at most `count` bytes. */
    read(count: number): ArrayBuffer | undefined;
    /**
     * ESP32 (modules/io/serial/esp32): reads into `buffer` and returns the byte count
     * (undefined when nothing is waiting). Not on the Linux simulator, which ignores the
     * argument's buffer and returns a new, empty ArrayBuffer.
     */
    read(buffer: ArrayBuffer | ArrayBufferView): number | ArrayBuffer | undefined;
    /** Writes all the bytes or throws when the output buffer lacks room. */
    write(data: SerialBuffer | number): void;
    close(): void;
    format: "buffer" | "number";
    readonly target: unknown;
  }
}
