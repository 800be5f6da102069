// ECMA-419 UDP socket as implemented by the Moddable SDK (lwIP on ESP32, BSD sockets on Linux).
// Follows Moddable SDK documentation/io/io.md ("UDP Socket"). Note: the SDK's implementations
// take write(data, address, port) in that order, as in the current ECMA-419 edition.
declare module "embedded:io/socket/udp" {
  type UDPBuffer = ArrayBuffer | ArrayBufferView;

  /** One received datagram, with its sender attached. */
  export type UDPPacket = ArrayBuffer & { readonly address: string; readonly port: number };

  interface UDPOptions {
    /** Local port to bind; omitted means an ephemeral port. */
    port?: number;
    /** Called with the number of datagrams waiting to be read. */
    onReadable?: (this: UDP, packets: number) => void;
    onError?: (this: UDP) => void;
    /** ESP32: time-to-live of sent datagrams (1..255). */
    timeToLive?: number;
    format?: "buffer";
    target?: unknown;
  }

  export default class UDP {
    constructor(options: UDPOptions);
    /** Returns one whole datagram, or undefined when none is waiting. */
    read(): UDPPacket | undefined;
    /** Sends one datagram; throws if it cannot be queued. */
    write(data: UDPBuffer, address: string, port: number): void;
    close(): void;
    /**
     * ESP32 (lwIP) only: joins a multicast group on every interface that has an address now
     * (call again after the address changes). Absent on the Linux simulator.
     */
    add?(group: string): void;
    /** ESP32 (lwIP) only: leaves a multicast group. */
    remove?(group: string): void;
    format: "buffer";
    readonly target: unknown;
  }
}
