// One accepted TCP connection as the ConnectionIo of the core's HttpConnection: bytes in go
// to receive(), bytes out are queued and written as the socket has room (the SDK's write
// throws "would block" beyond that), close() waits for the queue to drain.

import TCP from "embedded:io/socket/tcp";
import type { ConnectionIo } from "../net/websocket";

export interface TcpLinkHandlers {
  onBytes(bytes: Uint8Array): void;
  /** The peer closed or the socket failed. */
  onGone(): void;
}

/**
 * More queued output than this means a peer that does not read: drop it. Above the largest
 * single response (the web interface's script as text, about 28 KB).
 */
const MAX_QUEUED_BYTES = 48 * 1024;

export class TcpLink implements ConnectionIo {
  readonly remote: string;
  /** Null only while the constructor runs (should the SDK call back that early). */
  private readonly tcp: TCP | null = null;
  private handlers: TcpLinkHandlers | null = null;
  private readonly queue: Uint8Array[] = [];
  private queued = 0;
  private offset = 0;
  private room = 0;
  private closing = false;
  private closed = false;

  constructor(from: unknown) {
    this.tcp = new TCP({
      from,
      onReadable: () => this.readable(),
      onWritable: (count: number) => {
        this.room = count;
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

  write(bytes: Uint8Array): void {
    if (this.closed || this.closing) return;
    this.queued += bytes.length;
    if (this.queued > MAX_QUEUED_BYTES) {
      this.gone();
      return;
    }
    this.queue.push(bytes);
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
      const n = Math.min(this.room, head.length - this.offset);
      let room: number;
      try {
        room = tcp.write(this.offset === 0 && n === head.length ? head : head.subarray(this.offset, this.offset + n));
      } catch {
        this.room = 0; // would block: wait for onWritable
        return;
      }
      this.room = typeof room === "number" ? room : 0;
      this.offset += n;
      this.queued -= n;
      if (this.offset === head.length) {
        this.queue.shift();
        this.offset = 0;
      }
    }
    if (this.closing && this.queue.length === 0) this.shut();
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
