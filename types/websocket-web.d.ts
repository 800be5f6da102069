// Browser-style WebSocket of the Moddable SDK examples (`import WebSocket from "WebSocket"`,
// from $(MODDABLE)/examples/io/tcp/websocket/manifest_websocket.json). Server side: wrap a
// socket taken from the ECMA-419 HTTP server with `new WebSocket({attach})`.
// Follows that example's WebSocket.js and the WHATWG WebSocket interface it mirrors.
declare module "WebSocket" {
  export interface WebSocketMessageEvent {
    /** Text frames arrive as string, binary frames as ArrayBuffer. */
    readonly data: string | ArrayBuffer;
  }

  type Listener<E> = (event: E) => void;

  export default class WebSocket {
    /** Client: `new WebSocket("ws://host/path")`. Server: `new WebSocket({attach: socket})`. */
    constructor(url: string, protocol?: string);
    constructor(options: { attach: unknown; protocol?: string } | { url: string; protocol?: string });
    addEventListener(event: "message", listener: Listener<WebSocketMessageEvent>): void;
    addEventListener(event: "open" | "close" | "error", listener: Listener<unknown>): void;
    removeEventListener(event: "message" | "open" | "close" | "error", listener: Listener<never>): void;
    /** Queues a text (string) or binary message; throws before the connection is open. */
    send(data: string | ArrayBuffer | ArrayBufferView): void;
    /** `code` 1000 or 3000..4999; `reason` required with a code. */
    close(code?: number, reason?: string): void;
    readonly readyState: number;
    readonly bufferedAmount: number;
    readonly protocol: string;
    readonly url: string;
    binaryType: "arraybuffer";
    static readonly CONNECTING: 0;
    static readonly OPEN: 1;
    static readonly CLOSING: 2;
    static readonly CLOSED: 3;
  }
}
