// ECMA-419 TCP socket, e.g. to serve connections taken from `embedded:io/socket/listener`.
// Follows Moddable SDK documentation/io/io.md ("TCP Socket"). Unlike the legacy "socket"
// module on the Linux simulator, unread bytes stay queued until read.
declare module "embedded:io/socket/tcp" {
  interface TCPOptions {
    /** Remote IPv4 address; not used with `from`. */
    address?: string;
    /** Remote port; not used with `from`. */
    port?: number;
    /** An accepted connection from Listener.read() (or another TCP instance) to adopt. */
    from?: unknown;
    /** Disables Nagle's algorithm. */
    nodelay?: boolean;
    /** Bytes are ready; `count` says how many. */
    onReadable?: (this: TCP, count: number) => void;
    /** Room for `count` bytes of output. */
    onWritable?: (this: TCP, count: number) => void;
    /** The connection failed or the peer closed it; the socket is unusable afterwards. */
    onError?: (this: TCP) => void;
    format?: "buffer" | "number";
    target?: unknown;
  }

  export default class TCP {
    constructor(options: TCPOptions);
    /**
     * All bytes available; undefined when none. (The SDK's tcp.js passes no argument on
     * to the native read, so a count or a buffer would be ignored.)
     */
    read(): ArrayBuffer | undefined;
    /** Throws when the output buffer lacks room; returns the room left. */
    write(data: ArrayBuffer | ArrayBufferView): number;
    close(): void;
    /** The peer's IPv4 address. */
    readonly remoteAddress: string | undefined;
    readonly remotePort: number | undefined;
    format: "buffer" | "number";
    readonly target: unknown;
  }
}
