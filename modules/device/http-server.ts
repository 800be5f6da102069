// HTTP and WebSocket on one port over ECMA-419 sockets: the listener accepts, each
// connection runs the core's HttpConnection (modules/net) over a TcpLink. The SDK's own HTTP
// servers either refuse HTTP/1.0 or cannot share the port with WebSocket on the simulator.

import Listener from "embedded:io/socket/listener";
import { HttpConnection, type HttpConnectionOptions, type HttpLimits } from "../net/http-connection";
import { TcpLink } from "./tcp-link";

export interface HttpServerOptions {
  port: number;
  /** Open connections at most; a further one is dropped at once. */
  maxConnections: number;
  /** Per-connection handlers (the same object for every connection). */
  connection: Omit<HttpConnectionOptions, "remote" | "limits">;
  limits?: Partial<HttpLimits>;
  log(line: string): void;
}

interface Open {
  link: TcpLink;
  http: HttpConnection;
}

export class HttpServer {
  private readonly listener: Listener;
  private readonly open: Open[] = [];
  private refused = 0;

  constructor(private readonly options: HttpServerOptions) {
    this.listener = new Listener({
      port: options.port,
      onReadable: (requests: number) => {
        while (requests-- > 0) this.accept(this.listener.read());
      },
    });
  }

  get connectionCount(): number {
    return this.open.length;
  }

  get refusedCount(): number {
    return this.refused;
  }

  /** Timekeeping for every connection (timeouts, WebSocket pings); call every second. */
  idle(nowMs: number): void {
    for (let i = this.open.length - 1; i >= 0; i--) {
      const c = this.open[i];
      c.http.idle(nowMs);
      if (c.http.isClosed || c.link.isClosed) {
        c.link.close();
        this.open.splice(i, 1);
      }
    }
  }

  close(): void {
    this.listener.close();
    for (const c of this.open) {
      c.http.close();
      c.link.abort();
    }
    this.open.length = 0;
  }

  private accept(from: unknown): void {
    if (from === undefined || from === null) return;
    let link: TcpLink;
    try {
      link = new TcpLink(from);
    } catch (error) {
      this.options.log("http: cannot take a connection: " + String(error));
      return;
    }
    this.prune();
    if (this.open.length >= this.options.maxConnections) {
      this.refused++;
      link.abort();
      return;
    }
    const http = new HttpConnection(link, { ...this.options.connection, remote: link.remote, limits: this.options.limits });
    const entry: Open = { link, http };
    link.attach({
      onBytes: (bytes) => http.receive(bytes),
      onGone: () => http.peerClosed(),
    });
    this.open.push(entry);
  }

  private prune(): void {
    for (let i = this.open.length - 1; i >= 0; i--) {
      const c = this.open[i];
      if (c.http.isClosed && c.link.isClosed) this.open.splice(i, 1);
    }
  }
}
