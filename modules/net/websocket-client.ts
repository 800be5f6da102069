// The client side of a WebSocket connection over a connected transport: the opening
// handshake (RFC 6455 §4.1, §4.2.2), then frames through WebSocketConnection in its client
// role. The Shelly "outbound WebSocket" (Ws.SetConfig) dials a server with it.
//
// Only ws:// URLs: TLS (wss://) needs a certificate store the device does not have.

import { base64Encode } from "./base64";
import { hasToken } from "./http-connection";
import { latin1Decode, utf8Bytes } from "./utf8";
import {
  CLOSE_ABNORMAL,
  WebSocketConnection,
  websocketAccept,
  type ConnectionIo,
  type WebSocketHandlers,
  type WebSocketLimits,
} from "./websocket";

export interface WsUrl {
  host: string;
  port: number;
  /** Path and query, at least "/". */
  path: string;
}

/** `ws://host[:port][/path]` → its parts, or a sentence saying what is wrong with it. */
export function parseWsUrl(url: string): WsUrl | string {
  const lower = url.toLowerCase();
  if (lower.startsWith("wss://")) return "wss:// (TLS) is not supported; use a ws:// URL";
  if (!lower.startsWith("ws://")) return "expected a ws:// URL";
  const rest = url.slice(5);
  let end = rest.length;
  for (let i = 0; i < rest.length; i++) {
    const c = rest.charCodeAt(i);
    if (c === 0x2f || c === 0x3f || c === 0x23) {
      end = i; // "/", "?" or "#" ends the authority
      break;
    }
  }
  const authority = rest.slice(0, end);
  let path = rest.slice(end);
  const hash = path.indexOf("#");
  if (hash >= 0) path = path.slice(0, hash);
  if (path === "" || path.charCodeAt(0) === 0x3f) path = "/" + path;
  if (authority.indexOf("@") >= 0) return "user names in the URL are not supported";
  let host = authority;
  let port = 80;
  const colon = authority.lastIndexOf(":");
  if (authority.charCodeAt(0) === 0x5b) return "IPv6 addresses are not supported";
  if (colon >= 0) {
    host = authority.slice(0, colon);
    const digits = authority.slice(colon + 1);
    port = digits.length > 0 && digits.length <= 5 && isDigits(digits) ? Number(digits) : -1;
    if (port < 1 || port > 65535) return "bad port " + JSON.stringify(digits);
  }
  if (host === "" || !isHostName(host)) return "bad host name " + JSON.stringify(host);
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f) return "the path must be printable ASCII without spaces";
  }
  return { host, port, path };
}

function isDigits(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** Letters, digits, "-", "." and "_" (names and dotted IPv4 addresses). */
function isHostName(host: string): boolean {
  if (host.length > 253) return false;
  for (let i = 0; i < host.length; i++) {
    const c = host.charCodeAt(i);
    const letter = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
    if (!letter && !(c >= 0x30 && c <= 0x39) && c !== 0x2d && c !== 0x2e && c !== 0x5f) return false;
  }
  return true;
}

export interface WebSocketClientOptions {
  url: WsUrl;
  /** The server accepted the handshake. */
  onOpen(ws: WebSocketConnection): void;
  /** A text message from the server. */
  onText(text: string, ws: WebSocketConnection): void;
  /** Called once, however the connection ended (handshake refused, closed, transport gone). */
  onEnd(code: number, reason: string): void;
  /** A callback threw (the connection was closed with 1011 if it was open). */
  onError?(error: unknown): void;
  /** Unsigned 32-bit random numbers: the handshake key and every frame's mask. */
  random(): number;
  limits?: Partial<WebSocketLimits>;
  /** Give up when the server has not completed the handshake by then (default 10 s). */
  handshakeTimeoutMs?: number;
}

/** The largest handshake response head we read. */
const MAX_HEAD_BYTES = 4096;

const HANDSHAKE = 0;
const OPEN = 1;
const OVER = 2;

export class WebSocketClient {
  private readonly io: ConnectionIo;
  private readonly options: WebSocketClientOptions;
  private readonly key: string;
  private state = HANDSHAKE;
  private head: Uint8Array | null = null;
  private headLength = 0;
  private startedMs = -1;
  private ws: WebSocketConnection | null = null;

  constructor(io: ConnectionIo, options: WebSocketClientOptions) {
    this.io = io;
    this.options = options;
    const nonce = new Uint8Array(16);
    for (let i = 0; i < 16; i += 4) {
      const r = options.random();
      nonce[i] = r >>> 24;
      nonce[i + 1] = (r >>> 16) & 0xff;
      nonce[i + 2] = (r >>> 8) & 0xff;
      nonce[i + 3] = r & 0xff;
    }
    this.key = base64Encode(nonce);
  }

  /** The handshake request (ASCII), as start() sends it. */
  request(): string {
    const url = this.options.url;
    return (
      "GET " + url.path + " HTTP/1.1\r\n" +
      "Host: " + url.host + (url.port === 80 ? "" : ":" + url.port) + "\r\n" +
      "Upgrade: websocket\r\n" +
      "Connection: Upgrade\r\n" +
      "Sec-WebSocket-Key: " + this.key + "\r\n" +
      "Sec-WebSocket-Version: 13\r\n\r\n"
    );
  }

  /** The transport is connected: sends the handshake request. */
  start(nowMs: number): void {
    if (this.state !== HANDSHAKE || this.startedMs >= 0) return;
    this.startedMs = nowMs;
    const io = this.io;
    io.write(utf8Bytes(this.request(), io.encodeText?.bind(io)));
  }

  /** Open: frames can be sent (through `connection`). */
  get isOpen(): boolean {
    return this.state === OPEN && (this.ws as WebSocketConnection).isOpen;
  }

  get isClosed(): boolean {
    return this.state === OVER || (this.state === OPEN && (this.ws as WebSocketConnection).isClosed);
  }

  /** The connection after the handshake, else null. */
  get connection(): WebSocketConnection | null {
    return this.ws;
  }

  receive(chunk: Uint8Array): void {
    if (this.state === OPEN) {
      (this.ws as WebSocketConnection).receive(chunk);
      return;
    }
    if (this.state !== HANDSHAKE) return;
    const head = this.head ?? (this.head = new Uint8Array(MAX_HEAD_BYTES));
    let i = 0;
    while (i < chunk.length) {
      if (this.headLength === MAX_HEAD_BYTES) {
        this.fail("the handshake response is too long");
        return;
      }
      head[this.headLength++] = chunk[i++];
      const n = this.headLength;
      if (n >= 4 && head[n - 1] === 0x0a && head[n - 2] === 0x0d && head[n - 3] === 0x0a && head[n - 4] === 0x0d) {
        const problem = this.checkResponse(latin1Decode(head, 0, n - 4));
        this.head = null;
        if (problem !== null) {
          this.fail(problem);
          return;
        }
        this.open(chunk.subarray(i));
        return;
      }
    }
  }

  /** The transport is gone. */
  peerClosed(): void {
    if (this.state === OPEN) (this.ws as WebSocketConnection).peerClosed();
    else if (this.state === HANDSHAKE) this.over(CLOSE_ABNORMAL, "connection closed during the handshake", false);
  }

  /** Timekeeping (handshake timeout, then pings and idle drop); call every second or so. */
  idle(nowMs: number): void {
    if (this.state === OPEN) (this.ws as WebSocketConnection).idle(nowMs);
    else if (this.state === HANDSHAKE && this.startedMs >= 0) {
      if (nowMs < this.startedMs) this.startedMs = nowMs;
      else if (nowMs - this.startedMs >= (this.options.handshakeTimeoutMs ?? 10_000)) this.fail("no handshake response");
    }
  }

  /** Ends the connection from our side (close frame when open). */
  close(code = 1000, reason = ""): void {
    if (this.state === OPEN) (this.ws as WebSocketConnection).close(code, reason);
    else if (this.state === HANDSHAKE) this.over(code, reason, true);
  }

  /** null when the response accepts our handshake, else what is wrong with it. */
  private checkResponse(text: string): string | null {
    const lines = text.split("\r\n");
    const status = lines[0];
    if (!status.startsWith("HTTP/1.1 101")) return "the server answered " + JSON.stringify(status.slice(0, 60)) + " instead of 101";
    let upgrade = false;
    let connection = false;
    let accept = false;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i];
      const colon = line.indexOf(":");
      if (colon <= 0) return "a malformed header line";
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === "upgrade") upgrade = value.toLowerCase() === "websocket";
      else if (name === "connection") connection = hasToken(value, "upgrade");
      else if (name === "sec-websocket-accept") accept = value === websocketAccept(this.key);
      else if (name === "sec-websocket-extensions" || name === "sec-websocket-protocol") return "the server chose " + name + " " + JSON.stringify(value) + ", which we did not offer";
    }
    if (!upgrade) return "no Upgrade: websocket in the response";
    if (!connection) return "no Connection: Upgrade in the response";
    if (!accept) return "Sec-WebSocket-Accept does not match our key";
    return null;
  }

  private open(rest: Uint8Array): void {
    const options = this.options;
    const handlers: WebSocketHandlers = {
      onText: (text, ws) => options.onText(text, ws),
      onClose: (code, reason) => options.onEnd(code, reason),
      onError: (error) => options.onError?.(error),
    };
    const ws = new WebSocketConnection(this.io, handlers, options.limits, options.random);
    this.ws = ws;
    this.state = OPEN;
    try {
      options.onOpen(ws);
    } catch (error) {
      options.onError?.(error);
    }
    if (rest.length > 0 && !ws.isClosed) ws.receive(rest);
  }

  private fail(reason: string): void {
    this.over(CLOSE_ABNORMAL, reason, true);
  }

  private over(code: number, reason: string, closeIo: boolean): void {
    if (this.state !== HANDSHAKE) return;
    this.state = OVER;
    this.head = null;
    if (closeIo) this.io.close();
    try {
      this.options.onEnd(code, reason);
    } catch (error) {
      this.options.onError?.(error);
    }
  }
}
