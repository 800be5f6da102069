// WebSocket `ws://<host>/rpc` on the HTTP server's port (npm `ws` in noServer mode).
//
// - Each text (or binary) message is one request frame; it is answered on its own
//   connection only, in arrival order, so pipelined requests (Hoymiles fires
//   EM.GetStatus every 500 ms without waiting) are answered in the order of their ids.
// - A connection whose request carried `src` is subscribed: NotifyStatus frames (em:0,
//   emdata:0 at the core's cadence) go to it with dst = that src. With a password set,
//   only a request that carried valid auth subscribes.
// - Junk (not JSON, not a frame) gets no reply and does not close the connection, as
//   the core ignores it; messages over maxPayload close the connection (1009).
// - At most maxClients connections; more are refused with HTTP 503 before the upgrade.
// - Liveness: we ping a connection that has been silent for pingIntervalMs, and drop it
//   when it has not been heard from (message, pong or ping) for idleTimeoutMs. A peer
//   that stops reading is dropped once maxBufferedBytes of replies pile up.

import type http from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import type { FrameReply, NotifyBatch } from "../modules/shelly/shelly-device";
import { plainAddress } from "./http-transport";

export interface WsTransportOptions {
  server: http.Server;
  /** One request frame → its reply (null: no reply) and the caller's src. */
  handleFrame: (text: string, remote: string) => FrameReply;
  /** The NotifyStatus due now, if any (the core decides the cadence). */
  pollNotify: () => NotifyBatch | null;
  /** Whether someone besides this transport's clients wants the notifications (the outbound WebSocket). */
  otherSubscribers?: () => boolean;
  maxClients?: number;
  maxPayloadBytes?: number;
  pingIntervalMs?: number;
  idleTimeoutMs?: number;
  /** How often to ask the core for a due notification while someone is subscribed. */
  notifyIntervalMs?: number;
  maxBufferedBytes?: number;
  log?: (line: string) => void;
}

export interface WsTransport {
  /** Open connections. */
  readonly clientCount: number;
  /** Connections that sent a request with `src`. */
  readonly subscriberCount: number;
  /** Sends the NotifyStatus that is due now (call after meter updates). */
  notify(): void;
  close(): Promise<void>;
}

interface Client {
  socket: WebSocket;
  remote: string;
  /** The src of the newest request that had one; notifications go to it. */
  src: string | null;
  lastHeardMs: number;
  lastPingMs: number;
}

export const WS_DEFAULTS = {
  maxClients: 16,
  maxPayloadBytes: 16 * 1024,
  pingIntervalMs: 30_000,
  idleTimeoutMs: 120_000,
  notifyIntervalMs: 500,
  maxBufferedBytes: 1024 * 1024,
};

export function attachWebSocket(options: WsTransportOptions): WsTransport {
  const maxClients = options.maxClients ?? WS_DEFAULTS.maxClients;
  const pingIntervalMs = options.pingIntervalMs ?? WS_DEFAULTS.pingIntervalMs;
  const idleTimeoutMs = options.idleTimeoutMs ?? WS_DEFAULTS.idleTimeoutMs;
  const maxBuffered = options.maxBufferedBytes ?? WS_DEFAULTS.maxBufferedBytes;
  const clients = new Set<Client>();
  let subscribers = 0;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayloadBytes ?? WS_DEFAULTS.maxPayloadBytes,
    perMessageDeflate: false,
    clientTracking: false,
  });

  const refuse = (socket: Duplex, status: number, text: string) => {
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    setTimeout(() => socket.destroy(), 2_000).unref();
  };

  const onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => socket.destroy());
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q >= 0 ? url.slice(0, q) : url;
    if (path !== "/rpc" || (req.headers.upgrade ?? "").toLowerCase() !== "websocket") return refuse(socket, 404, "Not Found");
    if (clients.size >= maxClients) {
      options.log?.(`WebSocket from ${plainAddress(req.socket.remoteAddress)} refused: already ${clients.size} clients`);
      return refuse(socket, 503, "Service Unavailable");
    }
    wss.handleUpgrade(req, socket, head, (ws) => connected(ws, plainAddress(req.socket.remoteAddress)));
  };
  options.server.on("upgrade", onUpgrade);

  const connected = (socket: WebSocket, remote: string) => {
    const client: Client = { socket, remote, src: null, lastHeardMs: performance.now(), lastPingMs: 0 };
    clients.add(client);
    const heard = () => {
      client.lastHeardMs = performance.now();
    };
    socket.on("message", (data: RawData) => {
      heard();
      const text = rawText(data);
      let reply: FrameReply;
      try {
        reply = options.handleFrame(text, remote);
      } catch (error) {
        options.log?.(`internal error on a WebSocket frame from ${remote}: ${(error as Error).stack ?? error}`);
        return;
      }
      // With a password set, only a frame that proved it subscribes (notifications carry
      // the protected meter values); the reply goes out either way.
      if (reply.src !== null && reply.authenticated && reply.src !== client.src) {
        if (client.src === null) subscribers++;
        client.src = reply.src;
      }
      if (reply.reply !== null) send(client, reply.reply);
    });
    socket.on("pong", heard);
    socket.on("ping", heard);
    socket.on("error", () => socket.terminate());
    socket.on("close", () => {
      if (clients.delete(client) && client.src !== null) subscribers--;
    });
  };

  const send = (client: Client, text: string) => {
    const socket = client.socket;
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > maxBuffered) {
      options.log?.(`WebSocket client ${client.remote} does not read its replies; dropped`);
      socket.terminate();
      return;
    }
    socket.send(text);
  };

  const notify = () => {
    if (subscribers === 0 && options.otherSubscribers?.() !== true) return;
    const batch = options.pollNotify();
    if (batch === null) return;
    for (const client of clients) if (client.src !== null) send(client, batch.frameFor(client.src));
  };

  const notifyTimer = setInterval(notify, options.notifyIntervalMs ?? WS_DEFAULTS.notifyIntervalMs);
  notifyTimer.unref();
  const heartbeat = setInterval(() => {
    const now = performance.now();
    for (const client of clients) {
      const silent = now - client.lastHeardMs;
      if (silent >= idleTimeoutMs) {
        options.log?.(`WebSocket client ${client.remote} silent for ${Math.round(silent / 1000)} s; dropped`);
        client.socket.terminate();
      } else if (silent >= pingIntervalMs && now - client.lastPingMs >= pingIntervalMs) {
        client.lastPingMs = now;
        try {
          client.socket.ping();
        } catch {
          client.socket.terminate();
        }
      }
    }
  }, Math.max(50, Math.min(pingIntervalMs, idleTimeoutMs) / 4));
  heartbeat.unref();

  return {
    get clientCount() {
      return clients.size;
    },
    get subscriberCount() {
      return subscribers;
    },
    notify,
    close: async () => {
      clearInterval(notifyTimer);
      clearInterval(heartbeat);
      options.server.off("upgrade", onUpgrade);
      for (const client of clients) client.socket.close(1001, "Server shutting down");
      for (const client of clients) client.socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString("utf8");
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.from(data).toString("utf8");
}
