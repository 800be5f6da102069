// HTTP and WebSocket on one port over ECMA-419 sockets: the listener accepts, each
// connection runs the core's HttpConnection (modules/net) over a TcpLink, in the core's
// ConnectionPool (which decides who gets a slot). The SDK's own HTTP servers either refuse
// HTTP/1.0 or cannot share the port with WebSocket on the simulator.

import Listener from "embedded:io/socket/listener";
import type { HttpConnectionOptions, HttpLimits } from "../net/http-connection";
import { ConnectionPool } from "../net/connection-pool";
import { TcpLink } from "./tcp-link";

export interface HttpServerOptions {
  port: number;
  /** Open connections at most; see ConnectionPool for who makes room. */
  maxConnections: number;
  /** Per-connection handlers (the same object for every connection). */
  connection: Omit<HttpConnectionOptions, "remote" | "limits">;
  limits?: Partial<HttpLimits>;
  log(line: string): void;
}

export class HttpServer {
  private readonly listener: Listener;
  private readonly pool: ConnectionPool;

  constructor(private readonly options: HttpServerOptions) {
    this.pool = new ConnectionPool({
      maxConnections: options.maxConnections,
      connection: { ...options.connection, limits: options.limits },
    });
    this.listener = new Listener({
      port: options.port,
      onReadable: (requests: number) => {
        while (requests-- > 0) this.accept(this.listener.read());
      },
    });
  }

  get connectionCount(): number {
    return this.pool.size;
  }

  get refusedCount(): number {
    return this.pool.refused;
  }

  get closedIdleCount(): number {
    return this.pool.closedIdle;
  }

  /** Timekeeping for every connection (timeouts, WebSocket pings); call every second. */
  idle(nowMs: number): void {
    this.pool.idle(nowMs);
  }

  close(): void {
    this.listener.close();
    this.pool.close();
  }

  private accept(from: unknown): void {
    if (from === undefined || from === null) return;
    let link: TcpLink;
    try {
      link = new TcpLink({ from });
    } catch (error) {
      this.options.log("http: cannot take a connection: " + String(error));
      return;
    }
    const entry = this.pool.admit(link, link.remote);
    if (entry === null) return;
    link.attach({
      onBytes: (bytes) => entry.receive(bytes),
      onGone: () => entry.gone(),
    });
  }
}
