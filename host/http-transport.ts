// Node's HTTP server in front of the core's pure HTTP router. Limits are enforced here so
// that nothing a peer sends can hold memory or a socket for long:
//   headers > 8 KiB → 431; a body over maxBodyBytes → 413 (from Content-Length at once,
//   or as soon as a chunked body passes the limit) and the connection is closed;
//   unparsable requests → 400; headers not complete within 5 s / a request not complete
//   within 10 s → 408 or a close; idle keep-alive connections close after 5 s; at most
//   maxConnections sockets (WebSocket clients included).
// WebSocket upgrades are not handled here: ws-transport listens on the server's "upgrade".

import http from "node:http";
import type { AddressInfo } from "node:net";
import { readAll, type ByteSource } from "../modules/net/byte-source";

export interface CoreHttpRequest {
  method: string;
  path: string;
  /** Raw query string without "?". */
  query: string;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: string;
  /** Client IP address (IPv4-mapped IPv6 addresses as plain IPv4). */
  remote: string;
}

export interface CoreHttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** A binary body; when present, `body` is ignored. */
  bytes?: Uint8Array;
  /** A body made on demand (the web assets); when present, `body` and `bytes` are ignored. */
  source?: ByteSource;
}

export type CoreHttpHandler = (request: CoreHttpRequest) => CoreHttpResponse;

export interface HttpTransportOptions {
  host: string;
  port: number;
  handle: CoreHttpHandler;
  /** Largest request body accepted (default 16 KiB, larger gets 413). */
  maxBodyBytes?: number;
  /** Most simultaneous TCP connections (default 128); more are closed at once. */
  maxConnections?: number;
  /** Headers must be complete within this time (default 5000 ms). */
  headersTimeoutMs?: number;
  /** The whole request must be complete within this time (default 10000 ms). */
  requestTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface HttpTransport {
  server: http.Server;
  port: number;
  close(): Promise<void>;
}

const STATUS_TEXT: Record<number, string> = { 400: "Bad Request", 408: "Request Timeout", 413: "Payload Too Large", 431: "Request Header Fields Too Large" };

/** "::ffff:127.0.0.1" → "127.0.0.1". */
export function plainAddress(address: string | undefined): string {
  if (address === undefined) return "";
  return address.startsWith("::ffff:") && address.indexOf(".") > 0 ? address.slice(7) : address;
}

/** The error object of a too large body, as the core router writes it (-108, RESOURCE_EXHAUSTED). */
function tooLargeBody(maxBody: number): string {
  return `{"code":-108,"message":"Request body too large (limit ${maxBody} bytes)"}`;
}

export async function startHttpServer(options: HttpTransportOptions): Promise<HttpTransport> {
  const maxBody = options.maxBodyBytes ?? 16 * 1024;
  const headersTimeout = options.headersTimeoutMs ?? 5_000;
  const server = http.createServer({
    maxHeaderSize: 8 * 1024,
    requestTimeout: options.requestTimeoutMs ?? 10_000,
    headersTimeout,
    keepAliveTimeout: 5_000,
    // How often Node looks for requests past their timeouts (default 30 s: too lax).
    connectionsCheckingInterval: 1_000,
    noDelay: true,
  }, (req, res) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > maxBody) {
      refuseBody(req, res, maxBody);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on("data", (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > maxBody) {
        refused = true;
        chunks.length = 0;
        refuseBody(req, res, maxBody);
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (refused) return;
      const url = req.url ?? "/";
      const q = url.indexOf("?");
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
      }
      let response: CoreHttpResponse;
      try {
        response = options.handle({
          method: req.method ?? "GET",
          path: q >= 0 ? url.slice(0, q) : url,
          query: q >= 0 ? url.slice(q + 1) : "",
          headers,
          body: chunks.length === 0 ? "" : chunks.length === 1 ? chunks[0].toString("utf8") : Buffer.concat(chunks).toString("utf8"),
          remote: plainAddress(req.socket.remoteAddress),
        });
      } catch (error) {
        options.log?.(`internal error for ${req.method} ${url}: ${(error as Error).stack ?? error}`);
        response = { status: 500, headers: { "Content-Type": "application/json" }, body: '{"code":-1,"message":"Internal error"}' };
      }
      const payload = response.source !== undefined ? readAll(response.source) : (response.bytes ?? response.body);
      res.writeHead(response.status, { ...response.headers, "Content-Length": typeof payload === "string" ? Buffer.byteLength(payload) : payload.length });
      res.end(req.method === "HEAD" ? undefined : payload);
    });
    req.on("error", () => res.destroy());
  });
  server.maxConnections = options.maxConnections ?? 128;
  server.on("clientError", (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable || error.code === "ECONNRESET") return socket.destroy();
    const status = error.code === "HPE_HEADER_OVERFLOW" ? 431 : error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
    socket.end(`HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    // A peer that never reads must not keep the socket: give the answer a moment, then drop it.
    setTimeout(() => socket.destroy(), 2_000).unref();
  });
  // Silent connections (opened, nothing sent) get 408 from headersTimeout as well.
  server.on("connection", (socket) => socket.setKeepAlive(true, 30_000));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/** 413 with the core's error object; the rest of the body is not read, the connection closes. */
function refuseBody(req: http.IncomingMessage, res: http.ServerResponse, maxBody: number): void {
  const body = tooLargeBody(maxBody);
  res.writeHead(413, {
    Server: "ShellyHTTP/1.0.0",
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(body),
    Connection: "close",
  });
  res.end(body, () => req.socket.destroySoon());
  req.resume();
}
