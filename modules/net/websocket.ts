// One end of a WebSocket connection (RFC 6455) over bytes: frames in through receive(),
// frames out through io.write(), the end of the TCP connection through io.close(). Usually
// the server side; given a mask source it is the client side (frames out masked, frames in
// unmasked), as the outbound connection of ./websocket-client uses it. The opening handshake
// is HTTP's business (HttpConnection answers 101 and then hands its bytes here);
// websocketAccept() computes the key it needs.
//
// What a peer can make it do is bounded: messages (all fragments together) up to
// maxMessageBytes, else close 1009; unmasked client frames (masked server frames), reserved
// bits, unknown opcodes, bad fragmentation or bad control frames → 1002; text that is not
// UTF-8 → 1007. A failed connection sends its close frame and closes the transport at once;
// a clean close echoes the peer's code and then closes (the server closes TCP first, RFC
// 6455 7.1.1).
//
// Timing is the shell's: it calls idle(nowMs) now and then. A silent peer gets a ping after
// pingAfterMs and is dropped after dropAfterMs; a close handshake that the peer does not
// finish is cut after closeWaitMs.

import { base64Encode } from "./base64";
import type { ByteSource } from "./byte-source";
import { sha1 } from "./sha1";
import { utf8DecodeStrict, utf8Encode, utf8EncodeInto, utf8Length } from "./utf8";

/** How bytes leave, and how the transport is ended (shared with HttpConnection). */
export interface ConnectionIo {
  /** Sends bytes; the array is not reused by the caller afterwards. */
  write(bytes: Uint8Array): void;
  /** Ends the transport (after the bytes written so far). Called at most once. */
  close(): void;
  /**
   * Optional native UTF-8 encoder (Moddable: `(s) => new Uint8Array(ArrayBuffer.fromString(s))`,
   * Node: TextEncoder). Without it the pure encoder in ./utf8 is used, which costs far more XS
   * compute for large bodies.
   */
  encodeText?(text: string): Uint8Array;
  /**
   * Optional: sends a body made on demand (see ./byte-source), pulled a slice at a time as
   * the transport has room, after everything written before. Without it the connection
   * reads the whole source into one array and write()s that.
   */
  writeSource?(source: ByteSource): void;
}

export interface WebSocketHandlers {
  /** The connection is open (after the 101 response). */
  onOpen?(ws: WebSocketConnection): void;
  /** A complete text message. */
  onText?(text: string, ws: WebSocketConnection): void;
  /** A complete binary message; the bytes are only valid during the call. Without this handler, binary messages close with 1003. */
  onBinary?(bytes: Uint8Array, ws: WebSocketConnection): void;
  /** Called exactly once when the connection is over: the peer's close code (1005 if none), the code we failed with, or 1006 when the transport went away. */
  onClose?(code: number, reason: string, ws: WebSocketConnection): void;
  /** Picks one of the subprotocols the client offered (Sec-WebSocket-Protocol), or none. */
  selectProtocol?(offered: string[]): string | null | undefined;
  /** A handler threw; the connection was closed with 1011. For diagnostics. */
  onError?(error: unknown): void;
}

export interface WebSocketLimits {
  /** Largest message accepted, all fragments together (bytes). Larger → close 1009. */
  maxMessageBytes: number;
  /** Ping a peer that has been silent this long (0 = never). */
  pingAfterMs: number;
  /** Drop a peer that has been silent this long (0 = never); a ping answered with a pong counts as activity. */
  dropAfterMs: number;
  /** How long to wait for the peer's close frame after we sent ours. */
  closeWaitMs: number;
}

export const DEFAULT_WEBSOCKET_LIMITS: Readonly<WebSocketLimits> = Object.freeze({
  maxMessageBytes: 16384,
  pingAfterMs: 30000,
  dropAfterMs: 75000,
  closeWaitMs: 5000,
});

export const OPCODE_CONTINUATION = 0x0;
export const OPCODE_TEXT = 0x1;
export const OPCODE_BINARY = 0x2;
export const OPCODE_CLOSE = 0x8;
export const OPCODE_PING = 0x9;
export const OPCODE_PONG = 0xa;

export const CLOSE_NORMAL = 1000;
export const CLOSE_GOING_AWAY = 1001;
export const CLOSE_PROTOCOL_ERROR = 1002;
export const CLOSE_UNSUPPORTED_DATA = 1003;
export const CLOSE_NO_STATUS = 1005;
export const CLOSE_ABNORMAL = 1006;
export const CLOSE_INVALID_PAYLOAD = 1007;
export const CLOSE_MESSAGE_TOO_BIG = 1009;
export const CLOSE_INTERNAL_ERROR = 1011;

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** Sec-WebSocket-Accept for a Sec-WebSocket-Key (RFC 6455 4.2.2). */
export function websocketAccept(key: string): string {
  return base64Encode(sha1(key + GUID));
}

/** A Sec-WebSocket-Key must be the base64 of 16 bytes: 22 characters and "==". */
export function isValidWebSocketKey(key: string): boolean {
  if (key.length !== 24 || key.charCodeAt(22) !== 0x3d || key.charCodeAt(23) !== 0x3d) return false;
  for (let i = 0; i < 22; i++) {
    const c = key.charCodeAt(i);
    const ok = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2f;
    if (!ok) return false;
  }
  return true;
}

function frameHeaderSize(payloadLength: number, masked: boolean): number {
  return (payloadLength < 126 ? 2 : payloadLength < 0x10000 ? 4 : 10) + (masked ? 4 : 0);
}

/** Writes a frame header at out[0…]; returns the payload offset. */
function writeFrameHeader(out: Uint8Array, opcode: number, payloadLength: number, fin: boolean, mask?: Uint8Array): number {
  out[0] = (fin ? 0x80 : 0) | (opcode & 0x0f);
  const maskBit = mask ? 0x80 : 0;
  let o: number;
  if (payloadLength < 126) {
    out[1] = maskBit | payloadLength;
    o = 2;
  } else if (payloadLength < 0x10000) {
    out[1] = maskBit | 126;
    out[2] = payloadLength >> 8;
    out[3] = payloadLength & 0xff;
    o = 4;
  } else {
    out[1] = maskBit | 127;
    const high = Math.floor(payloadLength / 0x100000000);
    out[2] = 0;
    out[3] = 0;
    out[4] = (high >>> 8) & 0xff;
    out[5] = high & 0xff;
    out[6] = payloadLength >>> 24;
    out[7] = (payloadLength >>> 16) & 0xff;
    out[8] = (payloadLength >>> 8) & 0xff;
    out[9] = payloadLength & 0xff;
    o = 10;
  }
  if (mask) {
    for (let i = 0; i < 4; i++) out[o + i] = mask[i];
    o += 4;
  }
  return o;
}

/**
 * One frame as bytes. Servers send unmasked frames; with a 4-byte mask this builds a client
 * frame (tests and a possible client use it).
 */
export function encodeFrame(opcode: number, payload: Uint8Array, fin = true, mask?: Uint8Array): Uint8Array {
  const out = new Uint8Array(frameHeaderSize(payload.length, mask !== undefined) + payload.length);
  const o = writeFrameHeader(out, opcode, payload.length, fin, mask);
  if (mask) for (let i = 0; i < payload.length; i++) out[o + i] = payload[i] ^ mask[i & 3];
  else out.set(payload, o);
  return out;
}

// Frames carrying a close code and a short ASCII/UTF-8 reason.
function closePayload(code: number, reason: string): Uint8Array {
  const length = code === 0 ? 0 : 2 + utf8Length(reason);
  const out = new Uint8Array(length > 125 ? 2 : length);
  if (code !== 0) {
    out[0] = code >> 8;
    out[1] = code & 0xff;
    if (length <= 125) utf8EncodeInto(reason, out, 2);
  }
  return out;
}

// Close codes a peer may send (RFC 6455 7.4, IANA registry): 1000-1003, 1007-1014, 3000-4999.
function isValidCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

const OPEN = 0;
const CLOSING = 1; // our close frame is out; waiting for the peer's
const CLOSED = 2;

const READ_HEADER = 0;
const READ_PAYLOAD = 1;

export class WebSocketConnection {
  private readonly io: ConnectionIo;
  private readonly handlers: WebSocketHandlers;
  private readonly limits: WebSocketLimits;
  private state = OPEN;

  // Frame parser.
  private readState = READ_HEADER;
  private readonly header = new Uint8Array(14);
  private headerLength = 0;
  private headerNeeded = 2;
  private opcode = 0;
  private fin = false;
  private payloadLength = 0;
  private payloadRead = 0;
  private readonly control = new Uint8Array(125);
  // Message being assembled from data frames (reused between messages while small).
  private message: Uint8Array | null = null;
  private messageLength = 0;
  private messageOpcode = 0; // 0: none in progress

  // Idle bookkeeping: bytes received, and what idle() saw last.
  private received = 0;
  private seen = -1;
  private lastActivityMs = 0;
  private pinged = false;
  private closingSinceMs = -1;
  private closeNoticeSent = false;

  /** Client side: the source of each frame's 32-bit masking key (null on the server side). */
  private readonly maskKey: (() => number) | null;
  private readonly mask = new Uint8Array(4);

  /**
   * `maskKey` makes this the client side: it gives each outgoing frame's masking key (RFC
   * 6455 §5.3 wants them unpredictable), and frames from the server must come unmasked.
   */
  constructor(io: ConnectionIo, handlers: WebSocketHandlers, limits?: Partial<WebSocketLimits>, maskKey?: () => number) {
    this.io = io;
    this.handlers = handlers;
    this.limits = { ...DEFAULT_WEBSOCKET_LIMITS, ...limits };
    this.maskKey = maskKey ?? null;
  }

  /** True until our close frame is out (sending is possible). */
  get isOpen(): boolean {
    return this.state === OPEN;
  }

  /** True once the connection is over (transport closed or to be closed). */
  get isClosed(): boolean {
    return this.state === CLOSED;
  }

  /** Feeds bytes from the transport, in chunks of any size. Never throws on peer input. */
  receive(chunk: Uint8Array): void {
    if (this.state === CLOSED) return;
    this.received += chunk.length;
    let i = 0;
    const n = chunk.length;
    while (i < n && this.state !== CLOSED) {
      if (this.readState === READ_HEADER) {
        while (i < n && this.headerLength < this.headerNeeded) this.header[this.headerLength++] = chunk[i++];
        if (this.headerLength === 2 && !this.startHeader()) return;
        if (this.headerLength === this.headerNeeded && this.headerLength > 2) {
          if (!this.finishHeader()) return;
        }
      } else {
        i = this.readPayload(chunk, i);
      }
    }
  }

  /** Sends a text message; false when the connection is no longer open. */
  sendText(text: string): boolean {
    if (this.state !== OPEN) return false;
    const encode = this.io.encodeText;
    if (encode || this.maskKey !== null) {
      this.io.write(this.frame(OPCODE_TEXT, encode ? encode.call(this.io, text) : utf8Encode(text)));
      return true;
    }
    const length = utf8Length(text);
    const frame = new Uint8Array(frameHeaderSize(length, false) + length);
    utf8EncodeInto(text, frame, writeFrameHeader(frame, OPCODE_TEXT, length, true));
    this.io.write(frame);
    return true;
  }

  /** Sends a binary message; false when the connection is no longer open. */
  sendBinary(bytes: Uint8Array): boolean {
    if (this.state !== OPEN) return false;
    this.io.write(this.frame(OPCODE_BINARY, bytes));
    return true;
  }

  /** Sends a ping (payload up to 125 bytes); false when the connection is no longer open. */
  ping(payload: Uint8Array = new Uint8Array(0)): boolean {
    if (this.state !== OPEN || payload.length > 125) return false;
    this.io.write(this.frame(OPCODE_PING, payload));
    return true;
  }

  /** Starts the closing handshake; the transport closes when the peer answers (or after closeWaitMs). */
  close(code = CLOSE_NORMAL, reason = ""): void {
    if (this.state !== OPEN) return;
    this.io.write(this.frame(OPCODE_CLOSE, closePayload(code, reason)));
    this.state = CLOSING;
    this.closingSinceMs = -1;
  }

  /** The transport is gone (peer closed, error): no more writes; onClose(1006) unless already over. */
  peerClosed(): void {
    if (this.state === CLOSED) return;
    this.state = CLOSED;
    this.notifyClose(CLOSE_ABNORMAL, "");
  }

  /** Timekeeping; call every second or so with a monotonic millisecond clock. */
  idle(nowMs: number): void {
    if (this.state === CLOSED) return;
    if (this.seen !== this.received || nowMs < this.lastActivityMs) {
      this.seen = this.received;
      this.lastActivityMs = nowMs;
      this.pinged = false;
    }
    if (this.state === CLOSING) {
      if (this.closingSinceMs < 0 || nowMs < this.closingSinceMs) this.closingSinceMs = nowMs;
      else if (nowMs - this.closingSinceMs >= this.limits.closeWaitMs) this.abort(CLOSE_ABNORMAL, "close timeout");
      return;
    }
    const silent = nowMs - this.lastActivityMs;
    if (this.limits.dropAfterMs > 0 && silent >= this.limits.dropAfterMs) {
      this.fail(CLOSE_GOING_AWAY, "idle timeout");
    } else if (this.limits.pingAfterMs > 0 && silent >= this.limits.pingAfterMs && !this.pinged) {
      this.pinged = true;
      this.ping();
    }
  }

  // ---- frame parsing ----

  // First two header bytes are in: check them and work out the full header size.
  private startHeader(): boolean {
    const b0 = this.header[0];
    const b1 = this.header[1];
    this.fin = (b0 & 0x80) !== 0;
    this.opcode = b0 & 0x0f;
    if ((b0 & 0x70) !== 0) return this.fail(CLOSE_PROTOCOL_ERROR, "reserved bits set");
    const masked = (b1 & 0x80) !== 0;
    if (this.maskKey === null && !masked) return this.fail(CLOSE_PROTOCOL_ERROR, "client frames must be masked");
    if (this.maskKey !== null && masked) return this.fail(CLOSE_PROTOCOL_ERROR, "server frames must not be masked");
    const op = this.opcode;
    const length7 = b1 & 0x7f;
    if (op >= OPCODE_CLOSE) {
      if (op > OPCODE_PONG) return this.fail(CLOSE_PROTOCOL_ERROR, "unknown opcode");
      if (!this.fin) return this.fail(CLOSE_PROTOCOL_ERROR, "fragmented control frame");
      if (length7 > 125) return this.fail(CLOSE_PROTOCOL_ERROR, "control frame too long");
    } else if (op > OPCODE_BINARY) {
      return this.fail(CLOSE_PROTOCOL_ERROR, "unknown opcode");
    } else if (op === OPCODE_CONTINUATION) {
      if (this.messageOpcode === 0) return this.fail(CLOSE_PROTOCOL_ERROR, "continuation without a message");
    } else if (this.messageOpcode !== 0) {
      return this.fail(CLOSE_PROTOCOL_ERROR, "new message inside a fragmented one");
    }
    this.headerNeeded = 2 + (length7 === 126 ? 2 : length7 === 127 ? 8 : 0) + (masked ? 4 : 0);
    // An unmasked short frame (from a server) has no more header bytes to wait for.
    return this.headerNeeded === 2 ? this.finishHeader() : true;
  }

  // The whole header is in: length, limits, then payload (or an empty frame completes now).
  private finishHeader(): boolean {
    const h = this.header;
    const length7 = h[1] & 0x7f;
    let length: number;
    if (length7 === 126) length = (h[2] << 8) | h[3];
    else if (length7 === 127) {
      // 64-bit length; anything above 2^32 is far beyond every limit.
      if (h[2] !== 0 || h[3] !== 0 || h[4] !== 0 || h[5] !== 0) return this.fail(CLOSE_MESSAGE_TOO_BIG, "message too big");
      length = ((h[6] << 24) >>> 0) + ((h[7] << 16) | (h[8] << 8) | h[9]);
    } else length = length7;
    this.payloadLength = length;
    this.payloadRead = 0;
    if (this.opcode < OPCODE_CLOSE) {
      const total = this.messageLength + length;
      if (total > this.limits.maxMessageBytes) return this.fail(CLOSE_MESSAGE_TOO_BIG, "message too big");
      if (this.opcode !== OPCODE_CONTINUATION) this.messageOpcode = this.opcode;
      this.reserveMessage(total);
    }
    this.readState = READ_PAYLOAD;
    if (length === 0) this.completeFrame();
    return true;
  }

  private reserveMessage(total: number): void {
    const current = this.message;
    if (current !== null && current.length >= total) return;
    let size = current === null ? 256 : current.length * 2;
    while (size < total) size *= 2;
    if (size > this.limits.maxMessageBytes) size = this.limits.maxMessageBytes;
    if (size < total) size = total;
    const grown = new Uint8Array(size);
    if (current !== null && this.messageLength > 0) grown.set(current.subarray(0, this.messageLength));
    this.message = grown;
  }

  private readPayload(chunk: Uint8Array, i: number): number {
    const take = Math.min(this.payloadLength - this.payloadRead, chunk.length - i);
    const h = this.header;
    const maskAt = this.headerNeeded - 4;
    const target = this.opcode >= OPCODE_CLOSE ? this.control : (this.message as Uint8Array);
    const base = this.opcode >= OPCODE_CLOSE ? 0 : this.messageLength;
    let p = this.payloadRead;
    if (this.maskKey !== null) for (let k = 0; k < take; k++, p++) target[base + p] = chunk[i + k];
    else for (let k = 0; k < take; k++, p++) target[base + p] = chunk[i + k] ^ h[maskAt + (p & 3)];
    this.payloadRead = p;
    if (p === this.payloadLength) this.completeFrame();
    return i + take;
  }

  private completeFrame(): void {
    const op = this.opcode;
    const length = this.payloadLength;
    this.readState = READ_HEADER;
    this.headerLength = 0;
    this.headerNeeded = 2;
    if (op === OPCODE_PING) {
      if (this.state === OPEN) this.io.write(this.frame(OPCODE_PONG, this.control.subarray(0, length)));
      return;
    }
    if (op === OPCODE_PONG) return;
    if (op === OPCODE_CLOSE) {
      this.peerClose(length);
      return;
    }
    this.messageLength += length;
    if (!this.fin) return;
    const message = this.message as Uint8Array;
    const messageLength = this.messageLength;
    const kind = this.messageOpcode;
    this.messageOpcode = 0;
    this.messageLength = 0;
    // A big message's buffer is not kept: memory matters more than reuse for rare large ones.
    if (message.length > 1024) this.message = null;
    if (this.state !== OPEN) return; // closing: data is discarded
    if (kind === OPCODE_TEXT) {
      const text = utf8DecodeStrict(message, 0, messageLength);
      if (text === null) {
        this.fail(CLOSE_INVALID_PAYLOAD, "invalid UTF-8");
        return;
      }
      const onText = this.handlers.onText;
      if (onText) this.callHandler(() => onText(text, this));
    } else {
      const onBinary = this.handlers.onBinary;
      if (!onBinary) {
        this.fail(CLOSE_UNSUPPORTED_DATA, "binary messages not supported");
        return;
      }
      this.callHandler(() => onBinary(message.subarray(0, messageLength), this));
    }
  }

  private peerClose(length: number): void {
    let code = CLOSE_NO_STATUS;
    let reason = "";
    if (length === 1) {
      this.fail(CLOSE_PROTOCOL_ERROR, "bad close frame");
      return;
    }
    if (length >= 2) {
      code = (this.control[0] << 8) | this.control[1];
      if (!isValidCloseCode(code)) {
        this.fail(CLOSE_PROTOCOL_ERROR, "bad close code");
        return;
      }
      const text = utf8DecodeStrict(this.control, 2, length);
      if (text === null) {
        this.fail(CLOSE_INVALID_PAYLOAD, "invalid UTF-8 in close reason");
        return;
      }
      reason = text;
    }
    if (this.state === OPEN) {
      // Echo the code (an empty close answers an empty close).
      this.io.write(this.frame(OPCODE_CLOSE, closePayload(code === CLOSE_NO_STATUS ? 0 : code, "")));
    }
    this.state = CLOSED;
    this.io.close();
    this.notifyClose(code, reason);
  }

  /** One outgoing frame: plain from the server side, masked with a fresh key from the client side. */
  private frame(opcode: number, payload: Uint8Array): Uint8Array {
    if (this.maskKey === null) return encodeFrame(opcode, payload);
    const key = this.maskKey();
    const mask = this.mask;
    mask[0] = key >>> 24;
    mask[1] = (key >>> 16) & 0xff;
    mask[2] = (key >>> 8) & 0xff;
    mask[3] = key & 0xff;
    return encodeFrame(opcode, payload, true, mask);
  }

  private callHandler(call: () => void): void {
    try {
      call();
    } catch (error) {
      this.handlers.onError?.(error);
      this.fail(CLOSE_INTERNAL_ERROR, "internal error");
    }
  }

  /** Fails the connection: our close frame (if still allowed), transport closed, onClose. Returns false for the parser. */
  private fail(code: number, reason: string): false {
    if (this.state === CLOSED) return false;
    if (this.state === OPEN) this.io.write(this.frame(OPCODE_CLOSE, closePayload(code, reason)));
    this.state = CLOSED;
    this.io.close();
    this.notifyClose(code, reason);
    return false;
  }

  private abort(code: number, reason: string): void {
    if (this.state === CLOSED) return;
    this.state = CLOSED;
    this.io.close();
    this.notifyClose(code, reason);
  }

  private notifyClose(code: number, reason: string): void {
    if (this.closeNoticeSent) return;
    this.closeNoticeSent = true;
    const onClose = this.handlers.onClose;
    if (!onClose) return;
    try {
      onClose(code, reason, this);
    } catch (error) {
      this.handlers.onError?.(error);
    }
  }
}
