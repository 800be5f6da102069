// ECMA-419 TCP listener; declared because the ECMA-419 HTTP server takes it as its `io`.
// Follows Moddable SDK documentation/io/io.md ("TCP Listener").
declare module "embedded:io/socket/listener" {
  interface ListenerOptions {
    port?: number;
    /** Called with the number of pending connections; each read() returns one. */
    onReadable?: (this: Listener, requests: number) => void;
    target?: unknown;
  }

  export default class Listener {
    constructor(options: ListenerOptions);
    /** An accepted connection, to be wrapped with `new TCP({from})`. */
    read(): unknown;
    close(): void;
    readonly port: number;
  }
}
