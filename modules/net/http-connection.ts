// One server-side HTTP/1.0 and HTTP/1.1 connection as a state machine over bytes, so that the
// device can serve HTTP (and WebSocket on the same port) from a plain TCP socket, and Node and
// XS tests reach every line of it. The shell feeds receive() with the socket's bytes in chunks
// of any size, writes what io.write() hands it, ends the socket on io.close(), reports a
// vanished peer with peerClosed(), and calls idle(nowMs) every second or so.
//
// Requests: request line, headers (names lower-cased, repeated ones joined with ", "), bodies
// by Content-Length or chunked, pipelining, keep-alive (HTTP/1.1 unless "Connection: close";
// HTTP/1.0 only with "Connection: keep-alive"), "Expect: 100-continue". A HEAD request reaches
// the handler as GET and is answered without the body. Everything is bounded (HttpLimits);
// what is malformed or too big gets its status (400, 408, 413, 414, 417, 431, 501, 505) and a
// closed connection, after reading what a client is still sending (up to maxDrainBytes) so
// that it sees the answer rather than a reset.
//
// WebSocket: a GET with "Upgrade: websocket" is offered to options.upgrade(request); when that
// returns handlers, the handshake is checked (426 for a version other than 13), 101 is sent
// and the bytes from then on belong to a WebSocketConnection (see ./websocket).
//
// Large uploads (firmware): options.streamBody(request) may take a request's body as a stream
// of chunks (any size, no maxBodyBytes limit) instead of a string.

import type { HttpRequest, HttpResponse } from "../shelly/http-router";
import { readAll, type ByteSource } from "./byte-source";
import { latin1Decode, utf8Decode, utf8EncodeInto, utf8Length } from "./utf8";
import {

  WebSocketConnection,
  isValidWebSocketKey,
  websocketAccept,
  type ConnectionIo,
  type WebSocketHandlers,
  type WebSocketLimits,
} from "./websocket";

export type { ConnectionIo } from "./websocket";

/** Request headers that the router, the web interface or this connection read. */
const KEPT_HEADERS = new Set([
  "host", "connection", "content-length", "content-type", "transfer-encoding", "expect", "upgrade",
  "sec-websocket-key", "sec-websocket-version", "sec-websocket-protocol", "sec-websocket-extensions",
  "authorization", "cookie", "origin", "referer", "sec-fetch-site", "accept", "accept-encoding",
  "if-none-match", "user-agent",
]);

/** What the handler gets: HttpRequest with every header present as a string, and the peer. */
export interface ConnectionRequest extends HttpRequest {
  headers: Record<string, string>;
  /** The peer's address as the shell named it (e.g. "192.168.1.20"); "" when unknown. */
  remote: string;
}

/**
 * What the handler answers: HttpResponse, whose body may also be bytes (`bytes`, sent as
 * they are) or made on demand (`source`, see ./byte-source); either one replaces `body`.
 */
export interface ConnectionResponse extends HttpResponse {
  bytes?: Uint8Array;
  source?: ByteSource;
}

/** Bodies up to this size go out in one write with the head; larger ones are not copied. */
const SMALL_BODY_BYTES = 1024;

/** Takes a request body chunk by chunk (see HttpConnectionOptions.streamBody). */
export interface HttpBodySink {
  /** Body bytes as they arrive; the array is only valid during the call. */
  data(bytes: Uint8Array): void;
  /** The body is complete: answer the request. */
  end(): HttpResponse;
  /** The connection ended (or timed out) before the body was complete. */
  abort?(): void;
}

export interface HttpLimits {
  /** Longest request line (method, target, version; without CR LF). Longer → 414 (400 if it does not start like one). */
  maxRequestLineBytes: number;
  /** All header lines together, without their line ends. More → 431. */
  maxHeaderBytes: number;
  /** Number of header lines. More → 431. */
  maxHeaderCount: number;
  /** Largest body taken as a string (Content-Length or chunked). Larger → 413. */
  maxBodyBytes: number;
  /** After an error answer, body bytes still read (and discarded) before closing. */
  maxDrainBytes: number;
  /** A request (head and a string body) must arrive within this time; a streamed body may not pause longer. → 408. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this time. */
  keepAliveTimeoutMs: number;
}

export const DEFAULT_HTTP_LIMITS: Readonly<HttpLimits> = Object.freeze({
  maxRequestLineBytes: 2048,
  maxHeaderBytes: 4096,
  maxHeaderCount: 64,
  maxBodyBytes: 16384,
  maxDrainBytes: 65536,
  requestTimeoutMs: 10000,
  keepAliveTimeoutMs: 30000,
});

export interface HttpConnectionOptions {
  /** Answers a request; exceptions become 500 and close the connection. */
  handle(request: ConnectionRequest): ConnectionResponse;
  /** The peer's address, passed on in every request. */
  remote?: string;
  /** Offered every GET with "Upgrade: websocket": handlers to accept it, null to serve it as plain HTTP. */
  upgrade?(request: ConnectionRequest): WebSocketHandlers | null | undefined;
  /** Offered every request with a body: a sink to stream it, a response to refuse it (sent, then the connection closes), or null for the normal string body. */
  streamBody?(request: ConnectionRequest): HttpBodySink | HttpResponse | null | undefined;
  /** A handler or sink threw (the peer got 500). For diagnostics. */
  onError?(error: unknown): void;
  limits?: Partial<HttpLimits>;
  webSocketLimits?: Partial<WebSocketLimits>;
}

/** The reason phrase for a status code (RFC 9110), "" for unknown codes. */
export function reasonPhrase(status: number): string {
  switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 417: return "Expectation Failed";
    case 426: return "Upgrade Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "";
  }
}

const CR = 13;
const LF = 10;

// tchar (RFC 9110 5.6.2): ALPHA / DIGIT / "!#$%&'*+-.^_`|~"
function isTokenChar(c: number): boolean {
  if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39)) return true;
  switch (c) {
    case 0x21: case 0x23: case 0x24: case 0x25: case 0x26: case 0x27: case 0x2a: case 0x2b:
    case 0x2d: case 0x2e: case 0x5e: case 0x5f: case 0x60: case 0x7c: case 0x7e:
      return true;
    default:
      return false;
  }
}

function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!isTokenChar(s.charCodeAt(i))) return false;
  return true;
}

/** Field values may hold HTAB, SP, visible ASCII and obs-text, but no other control bytes. */
function isFieldValue(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f || c > 0xff) return false;
  }
  return true;
}

function trimOws(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s.charCodeAt(a) === 0x20 || s.charCodeAt(a) === 0x09)) a++;
  while (b > a && (s.charCodeAt(b - 1) === 0x20 || s.charCodeAt(b - 1) === 0x09)) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** Whether a comma-separated header value lists token (case-insensitive; token in lower case). */
export function hasToken(value: string | undefined, token: string): boolean {
  if (value === undefined) return false;
  const items = value.split(",");
  for (let i = 0; i < items.length; i++) if (trimOws(items[i]).toLowerCase() === token) return true;
  return false;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/** Content-Length: digits only; a repeated header must repeat the same number. -1 when invalid. */
function parseContentLength(value: string): number {
  const items = value.split(",");
  let result = -1;
  for (let k = 0; k < items.length; k++) {
    const item = trimOws(items[k]);
    if (item.length === 0 || item.length > 15) return -1;
    let n = 0;
    for (let i = 0; i < item.length; i++) {
      const c = item.charCodeAt(i);
      if (c < 0x30 || c > 0x39) return -1;
      n = n * 10 + (c - 0x30);
    }
    if (result >= 0 && n !== result) return -1;
    result = n;
  }
  return result;
}

/**
 * One linear pass over the head bytes (XS walks strings from their start on every charCodeAt,
 * so per-character checks belong on bytes): the method is a token followed by a space, the rest
 * of the request line is visible ASCII and spaces, header names are tokens ended by ":", values
 * hold no control bytes but HTAB, and a CR only comes before LF. 0 if fine, else 400.
 */
function checkHeadBytes(bytes: Uint8Array, start: number, end: number): number {
  let state = 0; // 0 method, 1 rest of the request line, 2 header name, 3 header value
  let run = 0; // bytes in the method or name so far
  for (let i = start; i < end; i++) {
    const b = bytes[i];
    if (b === LF) {
      if (state === 0 || (state === 2 && run > 0)) return 400; // no target, or a header without ":"
      state = 2;
      run = 0;
      continue;
    }
    if (b === CR) {
      if (i + 1 < end && bytes[i + 1] !== LF) return 400; // a bare CR
      continue;
    }
    if ((b < 0x20 && b !== 0x09) || b === 0x7f) return 400;
    if (state === 0) {
      if (b === 0x20 && run > 0) state = 1;
      else if (!isTokenChar(b)) return 400;
      else run++;
    } else if (state === 1) {
      if (b === 0x09 || b >= 0x80) return 400;
    } else if (state === 2) {
      if (b === 0x3a && run > 0) state = 3;
      else if (!isTokenChar(b)) return 400; // also obsolete line folding and "Name :"
      else run++;
    }
  }
  return 0;
}

interface ParsedHead {
  method: string;
  target: string;
  minor: number;
  headers: Record<string, string>;
}

/** Parses a complete head (request line and header lines, terminator included). A number is an error status. */
function parseHead(text: string): ParsedHead | number {
  let lineEnd = text.indexOf("\n");
  let line = text.slice(0, lineEnd);
  if (line.charCodeAt(line.length - 1) === CR) line = line.slice(0, -1);
  const sp1 = line.indexOf(" ");
  const sp2 = sp1 < 0 ? -1 : line.indexOf(" ", sp1 + 1);
  if (sp1 <= 0 || sp2 < 0 || line.indexOf(" ", sp2 + 1) >= 0) return 400;
  // Characters were checked on the bytes (checkHeadBytes); here only the structure.
  const method = line.slice(0, sp1);
  const target = line.slice(sp1 + 1, sp2);
  const version = line.slice(sp2 + 1);
  if (target.length === 0) return 400;
  if (version.length !== 8 || !version.startsWith("HTTP/") || version.charCodeAt(6) !== 0x2e) return 400;
  const major = version.charCodeAt(5) - 0x30;
  const minorDigit = version.charCodeAt(7) - 0x30;
  if (major < 0 || major > 9 || minorDigit < 0 || minorDigit > 9) return 400;
  if (major !== 1) return 505;
  const minor = minorDigit >= 1 ? 1 : 0;

  const headers: Record<string, string> = {};
  let start = lineEnd + 1;
  while (start < text.length) {
    lineEnd = text.indexOf("\n", start);
    if (lineEnd < 0) lineEnd = text.length;
    let end = lineEnd;
    if (end > start && text.charCodeAt(end - 1) === CR) end--;
    if (end === start) break; // the empty line that ends the head
    const colon = text.indexOf(":", start);
    if (colon < 0 || colon >= end) return 400;
    // String.prototype.trim also strips NBSP (0xA0) at the edges, besides SP and HTAB (OWS):
    // harmless, and linear on XS, unlike a charCodeAt loop from the end.
    const value = text.slice(colon + 1, end).trim();
    const key = text.slice(start, colon).toLowerCase();
    // Only the headers something here reads are kept: on the device XS never frees a
    // property name, so storing arbitrary names from peers would let them exhaust the keys.
    if (KEPT_HEADERS.has(key)) {
      headers[key] = Object.prototype.hasOwnProperty.call(headers, key) ? headers[key] + ", " + value : value;
    }
    start = lineEnd + 1;
  }
  return { method, target, minor, headers };
}

/** Splits a request target into path and query; null when it is not one we serve. */
function splitTarget(target: string): { path: string; query: string } | null {
  let rest = target;
  if (rest === "*") return { path: "*", query: "" };
  if (rest.charCodeAt(0) !== 0x2f) {
    // absolute-form (proxies and some old clients): http://host[:port]/path?query
    const lower = rest.slice(0, 8).toLowerCase();
    const schemeEnd = lower.startsWith("http://") ? 7 : lower.startsWith("https://") ? 8 : -1;
    if (schemeEnd < 0) return null;
    const slash = rest.indexOf("/", schemeEnd);
    const question = rest.indexOf("?", schemeEnd);
    if (slash < 0 || (question >= 0 && question < slash)) rest = "/" + (question >= 0 ? rest.slice(question) : "");
    else rest = rest.slice(slash);
  }
  const hash = rest.indexOf("#");
  if (hash >= 0) rest = rest.slice(0, hash);
  const q = rest.indexOf("?");
  return q < 0 ? { path: rest, query: "" } : { path: rest.slice(0, q), query: rest.slice(q + 1) };
}

// States.
const HEAD = 0;
const BODY = 1;
const CHUNK_SIZE = 2;
const CHUNK_DATA = 3;
const CHUNK_DATA_END = 4;
const TRAILER = 5;
const DRAIN = 6;
const WEBSOCKET = 7;
const CLOSED = 8;

export class HttpConnection {
  private readonly io: ConnectionIo;
  private readonly options: HttpConnectionOptions;
  private readonly limits: HttpLimits;
  private readonly remote: string;
  private state = HEAD;
  private ws: WebSocketConnection | null = null;
  private served = 0;

  // Head scanning (across chunks).
  private headBuffer: Uint8Array | null = null;
  private headLength = 0;
  private started = false; // first byte of a request line seen
  private blankBytes = 0; // CR/LF before the request line
  private lineCount = 0; // complete lines so far (0 while in the request line)
  private lineLength = 0;
  private lastByte = 0;
  private headerBytes = 0;

  // The request being read.
  private request: ConnectionRequest | null = null;
  private keepAlive = false;
  private isHead = false;
  private sink: HttpBodySink | null = null;
  private bodyRemaining = 0;
  private body: Uint8Array | null = null;
  private bodyLength = 0;
  private chunkSize = 0;
  private chunkDigits = 0;
  private chunkSizeDone = false;
  private chunkLineLength = 0;
  private chunkSawCr = false;
  private drainRemaining = 0;

  // Idle bookkeeping.
  private received = 0;
  private seen = -1;
  private lastActivityMs = 0;
  private requestStartMs = -1;

  constructor(io: ConnectionIo, options: HttpConnectionOptions) {
    this.io = io;
    this.options = options;
    this.limits = { ...DEFAULT_HTTP_LIMITS, ...options.limits };
    this.remote = options.remote ?? "";
  }

  /** True once the connection is over (io.close() was called, or the peer went away). */
  get isClosed(): boolean {
    return this.state === CLOSED || (this.state === WEBSOCKET && (this.ws as WebSocketConnection).isClosed);
  }

  /** The WebSocket this connection became, if it did. */
  get webSocket(): WebSocketConnection | null {
    return this.ws;
  }

  /** Waiting for the next request: nothing of one read yet, not a WebSocket, not closed. */
  get isBetweenRequests(): boolean {
    return this.state === HEAD && !this.started;
  }

  /** Number of requests answered (101 included). */
  get requestsServed(): number {
    return this.served;
  }

  /** Feeds bytes from the socket, in chunks of any size. Never throws on peer input. */
  receive(chunk: Uint8Array): void {
    if (this.state === CLOSED) return;
    this.received += chunk.length;
    if (this.state === WEBSOCKET) {
      (this.ws as WebSocketConnection).receive(chunk);
      return;
    }
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      const state = this.state;
      if (state === HEAD) i = this.readHead(chunk, i);
      else if (state === BODY) i = this.readBody(chunk, i);
      else if (state === DRAIN) i = this.drain(chunk, i);
      else if (state >= CHUNK_SIZE && state <= TRAILER) i = this.readChunked(chunk, i);
      else break;
    }
    if (this.state === WEBSOCKET && i < n) (this.ws as WebSocketConnection).receive(chunk.subarray(i));
  }

  /** Timekeeping: call every second or so with a monotonic millisecond clock. */
  idle(nowMs: number): void {
    const state = this.state;
    if (state === CLOSED) return;
    if (state === WEBSOCKET) {
      (this.ws as WebSocketConnection).idle(nowMs);
      return;
    }
    if (this.seen !== this.received || nowMs < this.lastActivityMs) {
      this.seen = this.received;
      this.lastActivityMs = nowMs;
    }
    const busy = state !== HEAD || this.started;
    if (!busy) {
      this.requestStartMs = -1;
      if (nowMs - this.lastActivityMs >= this.limits.keepAliveTimeoutMs) this.closeNow();
      return;
    }
    if (this.requestStartMs < 0 || nowMs < this.requestStartMs) this.requestStartMs = nowMs;
    const limit = this.limits.requestTimeoutMs;
    // A streamed body may take long as a whole, but must not stall; everything else has a deadline.
    const overdue = this.sink !== null ? nowMs - this.lastActivityMs >= limit : nowMs - this.requestStartMs >= limit;
    if (!overdue) return;
    if (state === DRAIN) this.closeNow();
    else this.reject(408);
  }

  /** The peer is gone (socket closed or failed): nothing more is written. */
  peerClosed(): void {
    if (this.state === CLOSED) return;
    if (this.state === WEBSOCKET) {
      (this.ws as WebSocketConnection).peerClosed();
      return;
    }
    this.state = CLOSED;
    this.abortSink();
  }

  /** Ends the connection from our side (e.g. shutting down): a WebSocket gets close 1001. */
  close(): void {
    if (this.state === WEBSOCKET) (this.ws as WebSocketConnection).close(1001, "going away");
    else this.closeNow();
  }

  // ---- request head ----

  private readHead(chunk: Uint8Array, from: number): number {
    const n = chunk.length;
    let i = from;
    if (!this.started) {
      // RFC 9112 2.2: ignore empty lines before a request line (some clients send CRLF after a body).
      while (i < n && (chunk[i] === CR || chunk[i] === LF)) {
        i++;
        if (++this.blankBytes > this.limits.maxRequestLineBytes) return this.reject(400);
      }
      if (i === n) return n;
      this.started = true;
      this.requestStartMs = -1;
    }
    const start = i;
    const limits = this.limits;
    while (i < n) {
      const lf = chunk.indexOf(LF, i);
      const stop = lf < 0 ? n : lf;
      if (stop > i) {
        this.lineLength += stop - i;
        this.lastByte = chunk[stop - 1];
      }
      // Limits count line content without its CR LF (a CR at the end so far may be the line end).
      const content = this.lineLength - (this.lastByte === CR ? 1 : 0);
      if (this.lineCount === 0) {
        if (content > limits.maxRequestLineBytes) return this.reject(this.requestLineStatus(chunk, start, stop));
      } else if (this.headerBytes + content > limits.maxHeaderBytes) {
        return this.reject(431);
      }
      if (lf < 0) break;
      i = lf + 1;
      const empty = content === 0;
      if (empty && this.lineCount > 0) {
        if (this.headLength === 0) {
          this.processHead(chunk, start, i);
        } else {
          this.appendHead(chunk, start, i);
          const length = this.headLength;
          this.headLength = 0;
          this.processHead(this.headBuffer as Uint8Array, 0, length);
        }
        return i;
      }
      if (this.lineCount > 0) {
        this.headerBytes += content;
        if (this.lineCount > limits.maxHeaderCount) return this.reject(431);
      }
      this.lineCount++;
      this.lineLength = 0;
      this.lastByte = 0;
    }
    this.appendHead(chunk, start, n);
    return n;
  }

  private appendHead(chunk: Uint8Array, start: number, end: number): void {
    const needed = this.headLength + (end - start);
    let buffer = this.headBuffer;
    if (buffer === null || buffer.length < needed) {
      let size = buffer === null ? 512 : buffer.length * 2;
      while (size < needed) size *= 2;
      const grown = new Uint8Array(size);
      if (buffer !== null && this.headLength > 0) grown.set(buffer.subarray(0, this.headLength));
      buffer = grown;
      this.headBuffer = buffer;
    }
    buffer.set(chunk.subarray(start, end), this.headLength);
    this.headLength = needed;
  }

  // An over-long first line: 414 if it starts like a request line ("METHOD /…"), else 400.
  private requestLineStatus(chunk: Uint8Array, start: number, stop: number): number {
    let k = 0;
    let sawMethod = false;
    const buffered = this.headLength;
    const total = buffered + (stop - start);
    for (; k < total && k < 32; k++) {
      const c = k < buffered ? (this.headBuffer as Uint8Array)[k] : chunk[start + k - buffered];
      if (c === 0x20) return sawMethod ? 414 : 400;
      if (!isTokenChar(c)) return 400;
      sawMethod = true;
    }
    return 400;
  }

  private processHead(bytes: Uint8Array, start: number, end: number): void {
    const invalid = checkHeadBytes(bytes, start, end);
    if (invalid !== 0) {
      this.reject(invalid);
      return;
    }
    const parsed = parseHead(latin1Decode(bytes, start, end));
    if (typeof parsed === "number") {
      this.reject(parsed);
      return;
    }
    const headers = parsed.headers;
    const connection = headers["connection"];
    this.keepAlive = parsed.minor >= 1 ? !hasToken(connection, "close") : hasToken(connection, "keep-alive");
    this.isHead = parsed.method === "HEAD";
    const target = splitTarget(parsed.target);
    if (target === null) {
      this.reject(400);
      return;
    }
    const request: ConnectionRequest = {
      method: this.isHead ? "GET" : parsed.method,
      path: target.path,
      query: target.query,
      headers,
      body: "",
      remote: this.remote,
    };
    this.request = request;

    // Message framing (RFC 9112 6): Transfer-Encoding chunked, else Content-Length, else none.
    const transferEncoding = headers["transfer-encoding"];
    const contentLength = headers["content-length"];
    let chunked = false;
    let length = 0;
    if (transferEncoding !== undefined) {
      if (parsed.minor === 0 || contentLength !== undefined) {
        this.reject(400);
        return;
      }
      if (transferEncoding.toLowerCase() !== "chunked") {
        this.reject(501);
        return;
      }
      chunked = true;
    } else if (contentLength !== undefined) {
      length = parseContentLength(contentLength);
      if (length < 0) {
        this.reject(400);
        return;
      }
    }
    const hasBody = chunked || length > 0;

    let expectContinue = false;
    const expect = headers["expect"];
    if (expect !== undefined) {
      if (expect.toLowerCase() !== "100-continue") {
        this.reject(417);
        return;
      }
      expectContinue = parsed.minor >= 1 && hasBody;
    }

    const upgrade = this.options.upgrade;
    if (upgrade && parsed.method === "GET" && hasToken(headers["upgrade"], "websocket")) {
      const handlers = this.guard(() => upgrade(request));
      if (this.state === CLOSED) return;
      if (handlers) {
        this.startWebSocket(request, handlers, parsed.minor, hasBody);
        return;
      }
    }

    const streamBody = this.options.streamBody;
    if (streamBody && hasBody) {
      const taken = this.guard(() => streamBody(request));
      if (this.state === CLOSED) return;
      if (taken && typeof (taken as HttpBodySink).data === "function") {
        this.sink = taken as HttpBodySink;
      } else if (taken) {
        // Refused before the body: answer, then read what is already on its way and close.
        this.writeResponse(taken as HttpResponse, false);
        this.served++;
        this.drainOrClose(chunked || expectContinue ? -1 : length);
        return;
      }
    }

    if (this.sink === null && length > this.limits.maxBodyBytes) {
      this.writeError(413);
      this.drainOrClose(expectContinue ? -1 : length);
      return;
    }
    if (expectContinue) this.writeAscii("HTTP/1.1 100 Continue\r\n\r\n");
    if (chunked) {
      this.state = CHUNK_SIZE;
      this.startChunkLine();
    } else if (length > 0) {
      this.state = BODY;
      this.bodyRemaining = length;
    } else {
      this.finishRequest(null, 0, 0);
    }
  }

  // ---- bodies ----

  private readBody(chunk: Uint8Array, i: number): number {
    const take = Math.min(this.bodyRemaining, chunk.length - i);
    if (this.sink !== null) {
      const sink = this.sink;
      this.guard(() => sink.data(chunk.subarray(i, i + take)));
      if (this.state === CLOSED) return chunk.length;
    } else if (this.body === null && this.bodyLength === 0 && take === this.bodyRemaining) {
      // The whole body is in this chunk: decode it in place.
      this.bodyRemaining = 0;
      this.finishRequest(chunk, i, i + take);
      return i + take;
    } else {
      // Grown as bytes arrive, not allocated from the announced length: a peer that only
      // announces a body does not get to reserve memory.
      this.appendBody(chunk, i, i + take, this.bodyLength + this.bodyRemaining);
    }
    this.bodyRemaining -= take;
    if (this.bodyRemaining === 0) this.finishRequest(this.body, 0, this.bodyLength);
    return i + take;
  }

  private startChunkLine(): void {
    this.chunkSize = 0;
    this.chunkDigits = 0;
    this.chunkSizeDone = false;
    this.chunkLineLength = 0;
    this.chunkSawCr = false;
  }

  private readChunked(chunk: Uint8Array, from: number): number {
    const n = chunk.length;
    let i = from;
    while (i < n) {
      const state = this.state;
      if (state === CHUNK_DATA) {
        const take = Math.min(this.bodyRemaining, n - i);
        if (this.sink !== null) {
          const sink = this.sink;
          this.guard(() => sink.data(chunk.subarray(i, i + take)));
          if (this.state === CLOSED) return n;
        } else {
          this.appendBody(chunk, i, i + take, this.limits.maxBodyBytes);
        }
        i += take;
        this.bodyRemaining -= take;
        if (this.bodyRemaining === 0) {
          this.state = CHUNK_DATA_END;
          this.chunkSawCr = false;
        }
        continue;
      }
      const b = chunk[i++];
      if (state === CHUNK_DATA_END) {
        if (b === CR && !this.chunkSawCr) this.chunkSawCr = true;
        else if (b === LF) {
          this.state = CHUNK_SIZE;
          this.startChunkLine();
        } else return this.reject(400);
      } else if (state === CHUNK_SIZE) {
        if (++this.chunkLineLength > 1024) return this.reject(400);
        if (b === LF) {
          if (this.chunkDigits === 0) return this.reject(400);
          if (this.chunkSize === 0) {
            this.state = TRAILER;
            this.lineLength = 0;
            this.lastByte = 0;
            this.headerBytes = 0;
          } else {
            this.state = CHUNK_DATA;
            this.bodyRemaining = this.chunkSize;
          }
          continue;
        }
        if (this.chunkSizeDone) continue; // chunk extensions are ignored
        const hex = hexValue(b);
        if (hex >= 0) {
          if (this.chunkSize > 0x7ffffff) return this.reject(this.sink !== null ? 400 : 413); // would pass 2^31
          this.chunkSize = this.chunkSize * 16 + hex;
          this.chunkDigits++;
          if (this.sink === null && this.bodyLength + this.chunkSize > this.limits.maxBodyBytes) return this.reject(413);
        } else if (this.chunkDigits > 0 && (b === 0x3b || b === 0x20 || b === 0x09 || b === CR)) {
          this.chunkSizeDone = true;
        } else {
          return this.reject(400);
        }
      } else {
        // TRAILER: header lines after the last chunk, bounded like headers and discarded.
        if (b === LF) {
          if (this.lineLength === 0 || (this.lineLength === 1 && this.lastByte === CR)) {
            this.finishRequest(this.body, 0, this.bodyLength);
            return i;
          }
          this.headerBytes += this.lineLength + 1;
          this.lineLength = 0;
          this.lastByte = 0;
        } else {
          this.lineLength++;
          this.lastByte = b;
          if (this.headerBytes + this.lineLength > this.limits.maxHeaderBytes) return this.reject(431);
        }
      }
    }
    return i;
  }

  private appendBody(chunk: Uint8Array, start: number, end: number, cap: number): void {
    const needed = this.bodyLength + (end - start);
    let body = this.body;
    if (body === null || body.length < needed) {
      let size = body === null ? 256 : body.length * 2;
      while (size < needed) size *= 2;
      if (size > cap) size = Math.max(cap, needed);
      const grown = new Uint8Array(size);
      if (body !== null && this.bodyLength > 0) grown.set(body.subarray(0, this.bodyLength));
      body = grown;
      this.body = body;
    }
    body.set(chunk.subarray(start, end), this.bodyLength);
    this.bodyLength = needed;
  }

  private drain(chunk: Uint8Array, i: number): number {
    const take = Math.min(this.drainRemaining, chunk.length - i);
    this.drainRemaining -= take;
    if (this.drainRemaining === 0) this.closeNow();
    return i + take;
  }

  /** After an error answer: read up to length more bytes (the announced body) then close; -1 or too much: close now. */
  private drainOrClose(length: number): void {
    this.abortSink();
    if (length > 0 && length <= this.limits.maxDrainBytes) {
      this.state = DRAIN;
      this.drainRemaining = length;
      this.request = null;
    } else {
      this.closeNow();
    }
  }

  // ---- answering ----

  private finishRequest(bytes: Uint8Array | null, start: number, end: number): void {
    const request = this.request as ConnectionRequest;
    let response: ConnectionResponse | undefined;
    const sink = this.sink;
    if (sink !== null) {
      this.sink = null;
      response = this.guard(() => sink.end());
    } else {
      if (bytes !== null && end > start) request.body = utf8Decode(bytes, start, end);
      response = this.guard(() => this.options.handle(request));
    }
    if (this.state === CLOSED || response === undefined) return;
    let keepAlive = this.keepAlive;
    const headers = response.headers;
    for (const name in headers) {
      if (name.toLowerCase() === "connection" && hasToken(String(headers[name]), "close")) keepAlive = false;
    }
    this.writeResponse(response, keepAlive);
    this.served++;
    if (!keepAlive) {
      this.closeNow();
      return;
    }
    this.resetForNextRequest();
  }

  private resetForNextRequest(): void {
    this.state = HEAD;
    this.started = false;
    this.blankBytes = 0;
    this.lineCount = 0;
    this.lineLength = 0;
    this.lastByte = 0;
    this.headerBytes = 0;
    this.headLength = 0;
    if (this.headBuffer !== null && this.headBuffer.length > 1024) this.headBuffer = null;
    this.request = null;
    this.isHead = false;
    this.sink = null;
    this.body = null;
    this.bodyLength = 0;
    this.bodyRemaining = 0;
    this.requestStartMs = -1;
  }

  private startWebSocket(request: ConnectionRequest, handlers: WebSocketHandlers, minor: number, hasBody: boolean): void {
    const headers = request.headers;
    if (minor < 1 || hasBody || !hasToken(headers["connection"], "upgrade")) {
      this.reject(400);
      return;
    }
    if (headers["sec-websocket-version"] !== "13") {
      this.writeResponse({ status: 426, headers: { "Sec-WebSocket-Version": "13", "Content-Type": "text/plain" }, body: reasonPhrase(426) }, false);
      this.closeNow();
      return;
    }
    const key = headers["sec-websocket-key"];
    if (key === undefined || !isValidWebSocketKey(key)) {
      this.reject(400);
      return;
    }
    let protocolLine = "";
    const offered = headers["sec-websocket-protocol"];
    const select = handlers.selectProtocol;
    if (offered !== undefined && select) {
      const list = offered.split(",").map(trimOws).filter((p) => p.length > 0);
      const chosen = this.guard(() => select(list));
      if (this.state === CLOSED) return;
      if (chosen && list.indexOf(chosen) >= 0) protocolLine = "Sec-WebSocket-Protocol: " + chosen + "\r\n";
    }
    this.writeAscii(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
        websocketAccept(key) + "\r\n" + protocolLine + "\r\n",
    );
    this.served++;
    this.request = null;
    this.headBuffer = null;
    const ws = new WebSocketConnection(this.io, handlers, this.options.webSocketLimits);
    this.ws = ws;
    this.state = WEBSOCKET;
    const onOpen = handlers.onOpen;
    if (onOpen) {
      try {
        onOpen(ws);
      } catch (error) {
        this.options.onError?.(error);
        handlers.onError?.(error);
        ws.close(1011, "internal error");
      }
    }
  }

  /** Runs a handler; a throw answers 500 and closes (the result is then undefined). */
  private guard<T>(call: () => T): T | undefined {
    try {
      return call();
    } catch (error) {
      this.options.onError?.(error);
      this.abortSink();
      this.reject(500);
      return undefined;
    }
  }

  private writeResponse(response: ConnectionResponse, keepAlive: boolean): void {
    const status = response.status;
    let head = "HTTP/1.1 " + status + " " + reasonPhrase(status) + "\r\n";
    const headers = response.headers;
    for (const name in headers) {
      if (!Object.prototype.hasOwnProperty.call(headers, name)) continue;
      const lower = name.toLowerCase();
      if (lower === "content-length" || lower === "connection" || lower === "transfer-encoding") continue;
      const value = String(headers[name]);
      if (!isToken(name) || !isFieldValue(value)) continue; // never let a value split the head
      head += name + ": " + value + "\r\n";
    }
    const noBody = status < 200 || status === 204 || status === 304;
    const source = noBody ? undefined : response.source;
    let bodyBytes: Uint8Array | null = null;
    let bodyLength = 0;
    if (source !== undefined) {
      bodyLength = source.length;
    } else if (!noBody && response.bytes !== undefined) {
      bodyBytes = response.bytes;
      bodyLength = bodyBytes.length;
    } else if (!noBody) {
      const body = String(response.body);
      if (body.length > 0) {
        const encode = this.io.encodeText;
        if (encode) bodyBytes = encode.call(this.io, body);
        else {
          bodyBytes = new Uint8Array(utf8Length(body));
          utf8EncodeInto(body, bodyBytes, 0);
        }
        bodyLength = bodyBytes.length;
      }
    }
    if (!noBody) head += "Content-Length: " + bodyLength + "\r\n";
    head += keepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
    const sendBody = !this.isHead && !noBody && bodyLength > 0;
    // A small body goes out with the head in one write (one TCP segment); a large one, or a
    // source, separately, so that the body is never copied.
    const headLength = utf8Length(head);
    if (sendBody && bodyBytes !== null && bodyLength <= SMALL_BODY_BYTES) {
      const out = new Uint8Array(headLength + bodyLength);
      utf8EncodeInto(head, out, 0);
      out.set(bodyBytes, headLength);
      this.io.write(out);
      return;
    }
    const out = new Uint8Array(headLength);
    utf8EncodeInto(head, out, 0);
    this.io.write(out);
    if (!sendBody) return;
    if (bodyBytes !== null) this.io.write(bodyBytes);
    else if (source !== undefined) {
      if (this.io.writeSource) this.io.writeSource(source);
      else this.io.write(readAll(source));
    }
  }

  private writeError(status: number): void {
    this.writeResponse({ status, headers: { "Content-Type": "text/plain" }, body: reasonPhrase(status) }, false);
  }

  private writeAscii(text: string): void {
    const out = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
    this.io.write(out);
  }

  /** Answers status with "Connection: close" and closes; returns an index past any chunk (for the readers). */
  private reject(status: number): number {
    if (this.state !== CLOSED) {
      this.writeError(status);
      this.closeNow();
    }
    return Number.MAX_SAFE_INTEGER;
  }

  private abortSink(): void {
    const sink = this.sink;
    if (sink === null) return;
    this.sink = null;
    try {
      sink.abort?.();
    } catch (error) {
      this.options.onError?.(error);
    }
  }

  private closeNow(): void {
    if (this.state === CLOSED) return;
    this.state = CLOSED;
    this.abortSink();
    this.headBuffer = null;
    this.body = null;
    this.request = null;
    this.io.close();
  }
}
