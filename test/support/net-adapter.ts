// Test shells for modules/net: HttpConnection over node:net sockets and CaptiveDnsResponder
// over node:dgram, on 127.0.0.1, so that real clients (fetch, curl, ws, node:dns) talk to the
// pure core exactly as they would to the device. Also a recorder for byte-level tests.

import dgram from "node:dgram";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { ConnectionPool, type PooledIo } from "../../modules/net/connection-pool";
import type { HttpConnection, HttpConnectionOptions } from "../../modules/net/http-connection";
import { CaptiveDnsResponder, type CaptiveDnsOptions } from "../../modules/net/dns-captive";

export { RecordingIo } from "./bytes";

export interface NetServer {
  port: number;
  /** Connections currently open. */
  connections: Set<HttpConnection>;
  /** TCP connections accepted so far. */
  accepted(): number;
  /** The pool that decides who gets a slot (as on the device). */
  pool: ConnectionPool;
  close(): Promise<void>;
}

export interface ServeOptions extends Omit<HttpConnectionOptions, "remote"> {
  /** How often idle(Date.now()) runs on every connection (ms); default 100. */
  tickMs?: number;
  /** Open connections at most (the device has 6); default 1000. */
  maxConnections?: number;
}

/** Runs one HttpConnection per accepted socket on 127.0.0.1 (ephemeral port), in a ConnectionPool. */
export async function serveHttpConnections(options: ServeOptions): Promise<NetServer> {
  const connections = new Set<HttpConnection>();
  const sockets = new Set<net.Socket>();
  const { tickMs = 100, maxConnections = 1000, ...connection } = options;
  const pool = new ConnectionPool({ maxConnections, connection });
  let accepted = 0;
  const server = net.createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
    const io: PooledIo = {
      write: (bytes) => {
        if (!socket.destroyed) socket.write(bytes);
      },
      close: () => socket.end(),
      abort: () => socket.destroy(),
      get isClosed() {
        return socket.destroyed || socket.writableEnded;
      },
      get isSending() {
        return socket.writableLength > 0;
      },
    };
    const entry = pool.admit(io, socket.remoteAddress ?? "");
    if (entry === null) return;
    connections.add(entry.http);
    socket.on("data", (data: Buffer) => entry.receive(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)));
    socket.on("close", () => {
      entry.gone();
      connections.delete(entry.http);
    });
  });
  const tick = setInterval(() => pool.idle(Date.now()), tickMs);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections,
    accepted: () => accepted,
    pool,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(tick);
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface DnsServer {
  port: number;
  responder: CaptiveDnsResponder;
  close(): Promise<void>;
}

/** The captive DNS responder on a UDP socket on 127.0.0.1 (ephemeral high port). */
export async function serveCaptiveDns(options: CaptiveDnsOptions): Promise<DnsServer> {
  const responder = new CaptiveDnsResponder(options);
  const socket = dgram.createSocket("udp4");
  socket.on("message", (message, rinfo) => {
    const reply = responder.reply(new Uint8Array(message.buffer, message.byteOffset, message.byteLength));
    if (reply) socket.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  return {
    port: socket.address().port,
    responder,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** Opens a raw TCP connection, writes the given pieces (with optional pauses), and collects everything until the server closes or timeoutMs. */
export async function rawExchange(
  port: number,
  pieces: (string | Uint8Array)[],
  { pauseMs = 0, timeoutMs = 3000, until }: { pauseMs?: number; timeoutMs?: number; until?: (text: string) => boolean } = {},
): Promise<{ text: string; closedByServer: boolean }> {
  const socket = net.connect(port, "127.0.0.1");
  socket.setNoDelay(true);
  const chunks: Buffer[] = [];
  let closedByServer = false;
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      socket.destroy();
      resolve();
    }, timeoutMs);
    socket.on("data", (d: Buffer) => {
      chunks.push(d);
      if (until && until(Buffer.concat(chunks).toString("latin1"))) {
        clearTimeout(timer);
        socket.destroy();
        resolve();
      }
    });
    socket.on("end", () => {
      closedByServer = true;
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(timer);
      resolve();
    });
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  for (const piece of pieces) {
    if (socket.destroyed) break;
    socket.write(typeof piece === "string" ? Buffer.from(piece, "latin1") : piece);
    if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
  }
  await done;
  return { text: Buffer.concat(chunks).toString("latin1"), closedByServer };
}

export interface ParsedResponse {
  status: number;
  reason: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** Header names as sent, in order. */
  names: string[];
  body: string;
}

/**
 * Splits Latin-1 text into HTTP responses (bodies by Content-Length; 1xx, 204 and 304 have none;
 * noBodyFor marks responses to HEAD by index). Throws on anything malformed.
 */
export function parseHttpResponses(text: string, noBodyFor: number[] = []): ParsedResponse[] {
  const out: ParsedResponse[] = [];
  let p = 0;
  while (p < text.length) {
    const headEnd = text.indexOf("\r\n\r\n", p);
    if (headEnd < 0) throw new Error(`incomplete head at ${p}: ${JSON.stringify(text.slice(p, p + 80))}`);
    const lines = text.slice(p, headEnd).split("\r\n");
    const m = /^HTTP\/1\.1 (\d{3}) (.*)$/.exec(lines[0]);
    if (!m) throw new Error(`bad status line ${JSON.stringify(lines[0])}`);
    const headers: Record<string, string> = {};
    const names: string[] = [];
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(":");
      if (colon <= 0) throw new Error(`bad header line ${JSON.stringify(line)}`);
      names.push(line.slice(0, colon));
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    const status = Number(m[1]);
    p = headEnd + 4;
    let body = "";
    const bodiless = status < 200 || status === 204 || status === 304 || noBodyFor.includes(out.length);
    if (!bodiless) {
      const length = Number(headers["content-length"]);
      if (!Number.isInteger(length)) throw new Error(`no Content-Length for status ${status}`);
      body = text.slice(p, p + length);
      if (body.length !== length) throw new Error("body truncated");
      p += length;
    }
    out.push({ status, reason: m[2], headers, names, body });
  }
  return out;
}
