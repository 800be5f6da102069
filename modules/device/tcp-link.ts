// One accepted TCP connection as the ConnectionIo of the core's HttpConnection: bytes in go
// to receive(), bytes out are queued and written as the socket has room (the SDK's write
// throws "would block" beyond that), close() waits for the queue to drain. Bodies made on
// demand (ByteSource: the web pages) are pulled a segment at a time as the socket has room.

import TCP from "embedded:io/socket/tcp";
import type { ByteSource } from "../net/byte-source";
import type { PooledIo } from "../net/connection-pool";

export interface TcpLinkHandlers {
  /** An outgoing connection is established (the socket's first onWritable). */
  onConnected?(): void;
  onBytes(bytes: Uint8Array): void;
  /** The peer closed or the socket failed. */
  onGone(): void;
}

/**
 * More queued output than this means a peer that does not read: drop it. Bodies from a
 * ByteSource do not count (they take no memory until sent); the largest answer held as
 * bytes is a few KB of JSON.
 */
const MAX_QUEUED_BYTES = 16 * 1024;
/** At most this many queued writes (a pipelining peer that does not read). */
const MAX_QUEUED_WRITES = 32;
/** Largest piece pulled from a ByteSource at once: about one TCP segment. */
const SOURCE_PIECE = 1460;

interface Pending {
  source: ByteSource;
  sent: number;
}

export class TcpLink implements PooledIo {
  readonly remote: string;
  /** Null only while the constructor runs (should the SDK call back that early). */
  private readonly tcp: TCP | null = null;
  private handlers: TcpLinkHandlers | null = null;
  private readonly queue: (Uint8Array | Pending)[] = [];
  private queued = 0;
  private offset = 0;
  private room = 0;
  private closing = false;
  private closed = false;
  private connected = false;

  /** An accepted connection (`from`: Listener.read()), or an outgoing one to `address` (dotted IPv4) and `port`. */
  constructor(target: { from: unknown } | { address: string; port: number }) {
    this.tcp = new TCP({
      ...target,
      onReadable: () => this.readable(),
      onWritable: (count: number) => {
        this.room = count;
        if (!this.connected) {
          this.connected = true;
          this.handlers?.onConnected?.();
        }
        this.flush();
      },
      onError: () => this.gone(),
    });
    this.remote = this.tcp.remoteAddress ?? "";
    this.flush();
  }

  /** Set before the first bytes can arrive (the SDK calls back from the event loop, not synchronously). */
  attach(handlers: TcpLinkHandlers): void {
    this.handlers = handlers;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Output is still queued (an answer is being sent). */
  get isSending(): boolean {
    return this.queue.length > 0;
  }

  write(bytes: Uint8Array): void {
    if (this.closed || this.closing) return;
    this.queued += bytes.length;
    this.enqueue(bytes);
  }

  /** XS keeps strings as UTF-8: the native copy is far cheaper than the core's encoder. */
  encodeText(text: string): Uint8Array {
    return new Uint8Array(ArrayBuffer.fromString(text));
  }

  writeSource(source: ByteSource): void {
    if (this.closed || this.closing) return;
    this.enqueue({ source, sent: 0 });
  }

  private enqueue(item: Uint8Array | Pending): void {
    if (this.queued > MAX_QUEUED_BYTES || this.queue.length >= MAX_QUEUED_WRITES) {
      this.gone();
      return;
    }
    this.queue.push(item);
    this.flush();
  }

  close(): void {
    if (this.closed) return;
    this.closing = true;
    if (this.queue.length === 0) this.shut();
  }

  /** Drops the connection at once (shutdown, overload). */
  abort(): void {
    if (!this.closed) this.gone();
  }

  private readable(): void {
    if (this.closed || this.tcp === null) return;
    const data = this.tcp.read();
    if (data === undefined || data.byteLength === 0) return;
    this.handlers?.onBytes(new Uint8Array(data));
  }

  private flush(): void {
    const tcp = this.tcp;
    if (tcp === null) return;
    while (!this.closed && this.room > 0 && this.queue.length > 0) {
      const head = this.queue[0];
      if (!(head instanceof Uint8Array)) {
        if (!this.pull(head)) return;
        continue;
      }
      const n = Math.min(this.room, head.length - this.offset);
      if (!this.send(tcp, this.offset === 0 && n === head.length ? head : head.subarray(this.offset, this.offset + n))) return;
      this.offset += n;
      this.queued -= n;
      if (this.offset === head.length) {
        this.queue.shift();
        this.offset = 0;
      }
    }
    if (this.closing && this.queue.length === 0) this.shut();
  }

  /** Sends the next piece of a source; false when the socket is full (or the link failed). */
  private pull(pending: Pending): boolean {
    const left = pending.source.length - pending.sent;
    if (left === 0) {
      this.queue.shift();
      return true;
    }
    const piece = new Uint8Array(Math.max(4, Math.min(this.room, SOURCE_PIECE, left)));
    const n = pending.source.read(piece);
    if (n === 0 || n > left) {
      this.gone(); // the source broke its length: the peer's framing is lost
      return false;
    }
    // A piece the socket did not take whole waits in front as plain bytes.
    pending.sent += n;
    if (pending.sent === pending.source.length) this.queue.shift();
    const bytes = n === piece.length ? piece : piece.subarray(0, n);
    this.queue.unshift(bytes);
    this.queued += n;
    return true;
  }

  /** One tcp.write; false when it would block (wait for onWritable). */
  private send(tcp: TCP, bytes: Uint8Array): boolean {
    let room: number;
    try {
      room = tcp.write(bytes);
    } catch {
      this.room = 0;
      return false;
    }
    this.room = typeof room === "number" ? room : 0;
    return true;
  }

  private shut(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.tcp?.close();
    } catch {
      // already gone
    }
  }

  private gone(): void {
    this.queue.length = 0;
    this.queued = 0;
    this.shut();
    const handlers = this.handlers;
    this.handlers = null;
    handlers?.onGone();
  }
}
