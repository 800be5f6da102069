// Node's HTTP server in front of the core's pure HTTP router. Limits are enforced here so
// that nothing a peer sends can hold memory or a socket for long.

import http from "node:http";
import type { AddressInfo } from "node:net";

export interface CoreHttpRequest {
  method: string;
  path: string;
  /** Raw query string without "?". */
  query: string;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: string;
  remote: string;
}

export interface CoreHttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type CoreHttpHandler = (request: CoreHttpRequest) => CoreHttpResponse;

export interface HttpTransportOptions {
  host: string;
  port: number;
  handle: CoreHttpHandler;
  /** Largest request body accepted (default 16 KiB, larger gets 413). */
  maxBodyBytes?: number;
  /** Called for requests the core does not handle (e.g. WebSocket upgrades are separate). */
  log?: (line: string) => void;
}

const STATUS_TEXT: Record<number, string> = { 413: "Request Entity Too Large", 400: "Bad Request", 408: "Request Timeout" };

export async function startHttpServer(options: HttpTransportOptions): Promise<{ server: http.Server; port: number; close(): Promise<void> }> {
  const maxBody = options.maxBodyBytes ?? 16 * 1024;
  const server = http.createServer({
    maxHeaderSize: 8 * 1024,
    requestTimeout: 10_000,
    headersTimeout: 5_000,
    keepAliveTimeout: 5_000,
  }, (req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on("data", (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > maxBody) {
        refused = true;
        plain(res, 413, `Request body larger than ${maxBody} bytes`);
        req.resume();
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
          body: Buffer.concat(chunks).toString("utf8"),
          remote: req.socket.remoteAddress ?? "",
        });
      } catch (error) {
        options.log?.(`internal error for ${req.method} ${url}: ${(error as Error).stack ?? error}`);
        response = { status: 500, headers: { "Content-Type": "application/json" }, body: '{"code":-1,"message":"Internal error"}' };
      }
      res.writeHead(response.status, { ...response.headers, "Content-Length": Buffer.byteLength(response.body) });
      res.end(req.method === "HEAD" ? undefined : response.body);
    });
    req.on("error", () => res.destroy());
  });
  server.on("clientError", (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const status = error.code === "HPE_HEADER_OVERFLOW" ? 431 : error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
    const text = status === 431 ? "Request Header Fields Too Large" : STATUS_TEXT[status] ?? "Bad Request";
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });
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

function plain(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { "Content-Type": "text/plain", Connection: "close" });
  res.end(text);
}
