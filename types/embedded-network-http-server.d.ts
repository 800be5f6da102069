// The ECMA-419 style HTTP server that ships with the Moddable SDK as an example module
// (examples/io/listener/httpserver, mapped by its manifest_httpserver.json).
// Follows that example's main.js and the ECMA-419 2nd edition HTTP server draft.
// It only accepts "HTTP/1.1" request lines.
declare module "embedded:network/http/server" {
  import type Listener from "embedded:io/socket/listener";

  export interface HTTPRequest {
    readonly method: string;
    /** Path including any query string. */
    readonly path: string;
    /** Header names are lower case. */
    readonly headers: Map<string, string>;
  }

  export interface HTTPResponse {
    status: number;
    /** Set "content-length", or the body is sent chunked. */
    headers: Map<string, string | number>;
  }

  /** Handlers given to Connection.accept() or assigned through Connection.route. */
  export interface HTTPRoute {
    onRequest?(this: HTTPConnection, request: HTTPRequest): void;
    /** Request body bytes are ready: call this.read(count). */
    onReadable?(this: HTTPConnection, count: number): void;
    /** Fill in the response and call this.respond(response). */
    onResponse?(this: HTTPConnection, response: HTTPResponse): void;
    /** Room for `count` body bytes: call this.write(). */
    onWritable?(this: HTTPConnection, count: number): void;
    onDone?(this: HTTPConnection): void;
    onError?(this: HTTPConnection, reason?: string): void;
  }

  export interface HTTPConnection {
    accept(route: HTTPRoute): void;
    route: HTTPRoute;
    read(count?: number): ArrayBuffer | undefined;
    /**
     * Body bytes, at most the count last given to onWritable (else it throws "would block");
     * returns the room left. Called without data it ends a chunked body.
     */
    write(data?: ArrayBuffer | ArrayBufferView): number;
    respond(response: HTTPResponse): void;
    /** Hands the underlying socket over as a new `embedded:io/socket/tcp` instance. */
    detach(): unknown;
    close(): void;
    [field: string]: unknown;
  }

  export interface HTTPServerOptions {
    /** The listener class, normally `embedded:io/socket/listener`. */
    io: typeof Listener;
    /** Defaults to 80. */
    port?: number;
    onConnect(this: HTTPServer, connection: HTTPConnection): void;
  }

  export default class HTTPServer {
    constructor(options: HTTPServerOptions);
    close(): void;
    readonly port: number;
  }
}
