// The Moddable SDK's socket-based HTTP server (`import {Server} from "http"`).
// Follows Moddable SDK documentation/network/network.md ("class HTTP Server").
// Works on ESP32 (lwIP) and on the Linux simulator; accepts HTTP/1.0 and HTTP/1.1 and
// answers with "connection: close". Only the server side is declared.
declare module "http" {
  import type { Socket } from "socket";

  /** What the callback returns for Server.prepareResponse (8). */
  export interface ResponseDescription {
    /** HTTP status; 200 when omitted. */
    status?: number;
    /** Flat list: name, value, name, value… The server adds content-length itself. */
    headers?: string[];
    /** Whole body, or true to send it chunked through Server.responseFragment (9). */
    body?: string | ArrayBuffer | true;
  }

  /**
   * `this` of the callback: one object per request, on which the callback may keep its own
   * per-request fields (hence the index signature).
   */
  export interface ServerRequest {
    readonly server: Server;
    close(): void;
    [field: string]: unknown;
  }

  /** Message numbers passed as the callback's first argument. */
  export type ServerMessage = -1 | 1 | 2 | 3 | 4 | 5 | 6 | 8 | 9 | 10;

  /**
   * The single callback of all requests. Arguments by message:
   * 2 status: (path, method) · 3 header: (lower-case name, value) ·
   * 4 headersComplete: return String or ArrayBuffer to get the body whole with 6, true to get
   *   fragments with 5, false/undefined to ignore it ·
   * 5 requestFragment: (bytes available) · 6 requestComplete: (body) ·
   * 8 prepareResponse: return a ResponseDescription · 9 responseFragment: (bytes that fit);
   *   return the next chunk or undefined when done · 10 responseComplete · -1 error.
   */
  export type ServerCallback = (
    this: ServerRequest,
    message: ServerMessage,
    value?: string | number | ArrayBuffer,
    etc?: string,
  ) => ResponseDescription | string | ArrayBuffer | boolean | undefined | void;

  export class Server {
    /** `port` defaults to 80. */
    constructor(options?: { port?: number });
    callback: ServerCallback;
    /** Stops listening; with `connections` (default true) also closes open requests. */
    close(connections?: boolean): void;
    /** Takes a request's socket away from the server, e.g. to hand it to a WebSocket server. */
    detach(connection: ServerRequest): Socket;

    static readonly error: -1;
    static readonly connection: 1;
    static readonly status: 2;
    static readonly header: 3;
    static readonly headersComplete: 4;
    static readonly requestFragment: 5;
    static readonly requestComplete: 6;
    static readonly prepareResponse: 8;
    static readonly responseFragment: 9;
    static readonly responseComplete: 10;
  }
}
