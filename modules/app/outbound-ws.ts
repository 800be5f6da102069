// The Shelly "outbound WebSocket" (component `ws`, set with Ws.SetConfig): with `enable` and
// a `server`, the device dials that server and keeps the connection. Like a real Shelly it
// is an RPC channel (requests from the server are answered on it, without the password:
// the device chose to connect) that gets NotifyFullStatus on every connect and then the
// same NotifyStatus frames as subscribed WebSocket clients.
//
// Pure: the shell dials TCP connections (OutboundDialer), feeds their events back, calls
// tick() every second and hands every NotifyStatus batch to notify(). A changed config
// takes effect on the next tick (a real device waits for a reboot; sooner does no harm).
//
// Decisions (the API docs leave these open):
// - Reconnect after 2 s, doubling up to 60 s while attempts fail; back to 2 s once a
//   connection was accepted.
// - `dst` of notifications: the `src` of the server's latest request (kept across reconnects
//   to the same server), "ws" before it sent one.
// - Only ws:// URLs: with wss:// the state is "invalid", with the reason in status() and the log.

import type { ConnectionIo, WebSocketConnection } from "../net/websocket";
import { WebSocketClient, parseWsUrl, type WsUrl } from "../net/websocket-client";
import type { FrameReply, NotifyBatch } from "../shelly/shelly-device";

/** What a dialed TCP connection reports back. */
export interface OutboundSocketEvents {
  /** The connection is established: bytes may be written. */
  connected(): void;
  bytes(chunk: Uint8Array): void;
  /** Refused, failed or closed by the peer; nothing more arrives. */
  gone(): void;
}

export interface OutboundDialer {
  /**
   * Opens a TCP connection to `host` (a name or dotted IPv4 address) and `port`; its events
   * go to `events`, also when it fails later. io.close() ends it, also while connecting.
   * Throws when the connection cannot even be started.
   */
  dial(host: string, port: number, events: OutboundSocketEvents): ConnectionIo;
}

export interface OutboundWsOptions {
  dialer: OutboundDialer;
  /** The `ws` config as stored (read on every tick: a change takes effect within a second). */
  config(): { readonly enable: boolean; readonly server: string | null };
  /** A request frame from the server, handled as trusted (outbound is not password-protected). */
  handleFrame(text: string): FrameReply;
  /** NotifyFullStatus, or null while there are no meter values to report. */
  fullStatus(): NotifyBatch | null;
  /** Unsigned 32-bit random numbers (handshake key and frame masks). */
  random(): number;
  /** Monotonic milliseconds. */
  nowMs(): number;
  log(line: string): void;
}

export type OutboundState = "off" | "invalid" | "waiting" | "connecting" | "handshake" | "open";

export interface OutboundStatus {
  state: OutboundState;
  server: string | null;
  /** Why the last attempt failed or the connection ended, or why the URL is refused. */
  lastError: string | null;
  /** Connections the server accepted so far. */
  connects: number;
}

/** One line for the System page: off, refused, connected, or why not. */
export function describeOutbound(status: OutboundStatus): string {
  const server = String(status.server);
  switch (status.state) {
    case "off":
      return "off";
    case "invalid":
      return "not used: " + server + ": " + String(status.lastError);
    case "open":
      return "connected to " + server;
    case "waiting":
      return "not connected to " + server + (status.lastError !== null ? " (" + status.lastError + ")" : "") + "; trying again";
    default:
      return "connecting to " + server;
  }
}

const FIRST_RETRY_MS = 2000;
const MAX_RETRY_MS = 60_000;
const CONNECT_TIMEOUT_MS = 10_000;

export class OutboundWs {
  private readonly options: OutboundWsOptions;
  private url: WsUrl | null = null;
  private server: string | null = null;
  private state: OutboundState = "off";
  private io: ConnectionIo | null = null;
  private client: WebSocketClient | null = null;
  private attempt = 0; // identifies the current connection; events of older ones are ignored
  private dialedAtMs = 0;
  private retryAtMs = 0;
  private retryMs = FIRST_RETRY_MS;
  private dst = "ws";
  private lastError: string | null = null;
  private connects = 0;

  constructor(options: OutboundWsOptions) {
    this.options = options;
  }

  /** Applies the ws config when it changed; dials on the next tick. */
  private configure(enable: boolean, server: string | null): void {
    if (server === this.server && enable === (this.state !== "off")) return;
    this.drop(null);
    this.server = server;
    this.url = null;
    this.dst = "ws"; // a new server has not named itself yet
    this.retryMs = FIRST_RETRY_MS;
    if (!enable) {
      this.state = "off";
      return;
    }
    const parsed = server === null ? "no server set" : parseWsUrl(server);
    if (typeof parsed === "string") {
      this.state = "invalid";
      this.lastError = parsed;
      this.options.log("outbound ws: " + String(server) + ": " + parsed);
      return;
    }
    this.url = parsed;
    this.state = "waiting";
    this.retryAtMs = this.options.nowMs();
  }

  /** Connected to the server with the handshake done (the `ws` component's `connected`). */
  get connected(): boolean {
    return this.state === "open";
  }

  status(): OutboundStatus {
    return { state: this.state, server: this.server, lastError: this.lastError, connects: this.connects };
  }

  /** Timekeeping: dials when due, times out a hanging attempt, pings an idle server. */
  tick(): void {
    const config = this.options.config();
    this.configure(config.enable, config.server);
    const nowMs = this.options.nowMs();
    const state = this.state;
    if (state === "waiting") {
      if (nowMs >= this.retryAtMs || nowMs < this.retryAtMs - MAX_RETRY_MS) this.dial(nowMs);
    } else if (state === "connecting") {
      if (nowMs - this.dialedAtMs >= CONNECT_TIMEOUT_MS || nowMs < this.dialedAtMs) this.failed("no connection after " + CONNECT_TIMEOUT_MS / 1000 + " s");
    } else if (state === "handshake" || state === "open") {
      (this.client as WebSocketClient).idle(nowMs);
    }
  }

  /** A NotifyStatus batch for the subscribers: the server gets it too while connected. */
  notify(batch: NotifyBatch): void {
    if (this.state === "open") this.client?.connection?.sendText(batch.frameFor(this.dst));
  }

  /** Closes the connection (shutdown). */
  stop(): void {
    this.drop(null);
    this.state = "off";
    this.server = null;
  }

  private dial(nowMs: number): void {
    const url = this.url as WsUrl;
    const attempt = ++this.attempt;
    this.state = "connecting";
    this.dialedAtMs = nowMs;
    // This attempt's socket: a client of an older attempt can never write to a newer one.
    let socket: ConnectionIo | null = null;
    const client = new WebSocketClient(
      {
        write: (bytes) => socket?.write(bytes),
        close: () => {
          const closing = socket;
          socket = null;
          if (this.io === closing) this.io = null;
          closing?.close();
        },
      },
      {
        url,
        random: this.options.random,
        onOpen: () => this.opened(attempt),
        onText: (text, ws) => this.request(text, ws),
        onEnd: (code, reason) => this.ended(attempt, code, reason),
        onError: (error) => this.options.log("outbound ws: handler failed: " + String(error)),
      },
    );
    this.client = client;
    try {
      socket = this.io = this.options.dialer.dial(url.host, url.port, {
        connected: () => {
          if (attempt !== this.attempt || this.state !== "connecting") return;
          this.state = "handshake";
          client.start(this.options.nowMs());
        },
        bytes: (chunk) => {
          if (attempt === this.attempt) client.receive(chunk);
        },
        gone: () => {
          if (attempt !== this.attempt) return;
          if (this.state === "connecting") this.failed("connection refused or unreachable");
          else client.peerClosed();
        },
      });
    } catch (error) {
      this.failed("cannot connect: " + String(error));
    }
  }

  private opened(attempt: number): void {
    if (attempt !== this.attempt) return;
    this.state = "open";
    this.connects++;
    this.retryMs = FIRST_RETRY_MS;
    this.lastError = null;
    this.options.log("outbound ws: connected to " + String(this.server));
    const full = this.options.fullStatus();
    if (full !== null) this.client?.connection?.sendText(full.frameFor(this.dst));
  }

  private request(text: string, ws: WebSocketConnection): void {
    const reply = this.options.handleFrame(text);
    if (reply.src !== null) this.dst = reply.src;
    if (reply.reply !== null) ws.sendText(reply.reply);
  }

  private ended(attempt: number, code: number, reason: string): void {
    if (attempt !== this.attempt) return;
    const wasOpen = this.state === "open";
    this.failed(wasOpen ? "closed (" + code + (reason !== "" ? " " + reason : "") + ")" : reason);
  }

  /** The attempt or connection is over: schedule the next one. */
  private failed(reason: string): void {
    const wasOpen = this.state === "open";
    this.drop(reason);
    this.state = "waiting";
    const wait = this.retryMs;
    this.retryAtMs = this.options.nowMs() + wait;
    if (!wasOpen) this.retryMs = Math.min(wait * 2, MAX_RETRY_MS);
    this.options.log("outbound ws: " + String(this.server) + ": " + reason + "; next attempt in " + wait / 1000 + " s");
  }

  private drop(reason: string | null): void {
    this.attempt++;
    const io = this.io;
    this.io = null;
    this.client = null;
    if (reason !== null) this.lastError = reason;
    if (io !== null) {
      try {
        io.close();
      } catch {
        // already gone
      }
    }
  }
}
