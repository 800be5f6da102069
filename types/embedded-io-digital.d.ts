// ECMA-419 Digital IO (e.g. the BOOT button on GPIO 0).
// Follows Moddable SDK documentation/io/io.md ("Digital"). Not available on the Linux simulator.
declare module "embedded:io/digital" {
  interface DigitalOptions {
    /** GPIO number. */
    pin: number;
    /** One of Digital.Input, InputPullUp, InputPullDown, InputPullUpDown, Output, OutputOpenDrain. */
    mode: number;
    /** Digital.Rising, Digital.Falling or both OR-ed; required with onReadable. */
    edge?: number;
    /** Called when the input changes on the configured edge. */
    onReadable?: (this: Digital) => void;
    target?: unknown;
  }

  export default class Digital {
    constructor(options: DigitalOptions);
    /** 0 or 1. */
    read(): number;
    write(value: number): void;
    close(): void;
    readonly format: "number";
    readonly target: unknown;

    static readonly Input: number;
    static readonly InputPullUp: number;
    static readonly InputPullDown: number;
    static readonly InputPullUpDown: number;
    static readonly Output: number;
    static readonly OutputOpenDrain: number;
    static readonly Rising: number;
    static readonly Falling: number;
  }
}
