// The Moddable SDK's WebSocket server (`import {Server} from "websocket"`).
// Follows Moddable SDK documentation/network/network.md ("class WebSocket Server").
// One message per frame (no fragmentation); text arrives as string, binary as ArrayBuffer.
declare module "websocket" {
  import type { Socket } from "socket";

  /** `this` of the callback: one object per connection. */
  export interface WebSocketConnection {
    /** Sends one text (string) or binary (ArrayBuffer) message. */
    write(message: string | ArrayBuffer): void;
    close(): void;
    [field: string]: unknown;
  }

  /** 1 connect · 2 handshake done (may write from now on) · 3 receive (value = message) ·
   *  4 disconnect · 5 subprotocol. */
  export type WebSocketMessage = 1 | 2 | 3 | 4 | 5;

  export type WebSocketCallback = (
    this: WebSocketConnection,
    message: WebSocketMessage,
    value?: string | ArrayBuffer | Server,
  ) => void;

  export class Server {
    /** `port` defaults to 80; `null` creates no listener (connections come from attach). */
    constructor(options?: { port?: number | null });
    callback: WebSocketCallback;
    /** Stops listening; open connections stay open. */
    close(): void;
    /** Adopts a socket detached from the HTTP server after its request line was read. */
    attach(socket: Socket): void;

    static readonly connect: 1;
    static readonly handshake: 2;
    static readonly receive: 3;
    static readonly disconnect: 4;
    static readonly subprotocol: 5;
  }
}
