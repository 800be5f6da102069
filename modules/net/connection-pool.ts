// The server's open HTTP connections, at most a fixed number. When a new connection arrives
// and every slot is taken, an idle keep-alive connection is closed to make room (RFC 9112
// §9.3: a server may close an idle connection at any time, and clients retry): one of the
// newcomer's own address if there is one — a browser opening its next connection gives up
// one of its idle ones, not the battery's —, else the one that has waited longest for its
// next request. Only when every connection is busy — reading a request, sending an answer,
// or a WebSocket — is the new one refused. Without this a browser that keeps its six
// connections open after loading the page locks a battery out of a device with six slots.

import { HttpConnection, type HttpConnectionOptions } from "./http-connection";
import type { ConnectionIo } from "./websocket";

/** One accepted socket as the pool sees it. */
export interface PooledIo extends ConnectionIo {
  /** The socket is gone (closed by either side, or failed). */
  readonly isClosed: boolean;
  /** Output is still queued: an answer is being sent. */
  readonly isSending: boolean;
  /** Drops the socket at once. */
  abort(): void;
}

export interface ConnectionPoolOptions {
  /** Open connections at most (WebSockets included). */
  maxConnections: number;
  /** Per-connection handlers and limits (the same object for every connection). */
  connection: Omit<HttpConnectionOptions, "remote">;
}

/** One admitted connection: feed it the socket's bytes and tell it when the socket is gone. */
export class PooledConnection {
  /** Order of last use (higher is more recent); set by the pool. */
  lastUse: number;

  constructor(
    readonly io: PooledIo,
    readonly http: HttpConnection,
    /** The peer's address. */
    readonly remote: string,
    private readonly pool: ConnectionPool,
  ) {
    this.lastUse = pool.nextUse();
  }

  receive(bytes: Uint8Array): void {
    this.lastUse = this.pool.nextUse();
    this.http.receive(bytes);
  }

  gone(): void {
    this.http.peerClosed();
  }

  /** Waiting for the next request on a kept-alive connection, with nothing in flight. */
  get isIdle(): boolean {
    return this.http.isBetweenRequests && !this.io.isSending && !this.io.isClosed;
  }
}

export class ConnectionPool {
  private readonly open: PooledConnection[] = [];
  private uses = 0;
  private refusedCount = 0;
  private closedIdleCount = 0;

  constructor(private readonly options: ConnectionPoolOptions) {}

  get size(): number {
    return this.open.length;
  }

  /** New connections refused because every slot was busy. */
  get refused(): number {
    return this.refusedCount;
  }

  /** Idle keep-alive connections closed to make room for a new one. */
  get closedIdle(): number {
    return this.closedIdleCount;
  }

  /** @internal the use counter */
  nextUse(): number {
    return ++this.uses;
  }

  /**
   * Takes a new socket: its connection, or null when every slot is busy (the socket is then
   * aborted). Makes room by closing the longest-idle keep-alive connection if need be.
   */
  admit(io: PooledIo, remote: string): PooledConnection | null {
    this.prune();
    if (this.open.length >= this.options.maxConnections && !this.closeIdle(remote)) {
      this.refusedCount++;
      io.abort();
      return null;
    }
    const http = new HttpConnection(io, { ...this.options.connection, remote });
    const entry = new PooledConnection(io, http, remote, this);
    this.open.push(entry);
    return entry;
  }

  /** Timekeeping for every connection (timeouts, WebSocket pings); call every second. */
  idle(nowMs: number): void {
    for (let i = this.open.length - 1; i >= 0; i--) {
      const c = this.open[i];
      c.http.idle(nowMs);
      if (c.http.isClosed || c.io.isClosed) {
        c.io.close();
        this.open.splice(i, 1);
      }
    }
  }

  /** Ends every connection (a WebSocket gets close 1001) and drops the sockets. */
  close(): void {
    for (const c of this.open) {
      c.http.close();
      c.io.abort();
    }
    this.open.length = 0;
  }

  /** Closes an idle connection (the newcomer's own longest-idle one first); false if none. */
  private closeIdle(remote: string): boolean {
    let pick = -1;
    let own = false;
    for (let i = 0; i < this.open.length; i++) {
      const c = this.open[i];
      if (!c.isIdle) continue;
      const mine = c.remote === remote;
      if (pick < 0 || (mine && !own) || (mine === own && c.lastUse < this.open[pick].lastUse)) {
        pick = i;
        own = mine;
      }
    }
    if (pick < 0) return false;
    const c = this.open[pick];
    this.open.splice(pick, 1);
    c.http.close();
    this.closedIdleCount++;
    return true;
  }

  private prune(): void {
    for (let i = this.open.length - 1; i >= 0; i--) {
      const c = this.open[i];
      if (c.http.isClosed && c.io.isClosed) this.open.splice(i, 1);
    }
  }
}
