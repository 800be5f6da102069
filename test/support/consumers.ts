// Clients for the consumer and transport tests: they talk to a real `ir2shelly serve`
// process on 127.0.0.1 over real sockets (HTTP, raw TCP, WebSocket, UDP).

import { createHash, randomBytes } from "node:crypto";
import dgram from "node:dgram";
import { mkdtempSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type { ExecutionContext } from "ava";
import WebSocket from "ws";
import { fixturesRoot } from "./fixtures";
import { startServe, type ServeProcess } from "./processes";

/** A JSON value from the device: the tests check it field by field. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
export type Json = any;

export const tmpDir = mkdtempSync(path.join(os.tmpdir(), "ir2shelly-consumers-"));

/** A one-frame capture: DZG DVS-7420, 16.7.0 = 215.99 W, 1.8.0 = 607447.1 Wh, 2.8.0 = 1266728.6 Wh. */
export const DZG_CAPTURE = path.join(fixturesRoot, "sml", "dzg-dvs7420-1.bin");
export const DZG_POWER_W = 215.99;
export const DZG_IMPORT_WH = 607447.1;
export const DZG_EXPORT_WH = 1266728.6;

let settingsCounter = 0;

/** UDP ports that were free a moment ago (bound to 0, read, released). */
export async function freeUdpPorts(count: number): Promise<number[]> {
  const sockets: dgram.Socket[] = [];
  const ports: number[] = [];
  for (let i = 0; i < count; i++) {
    const s = dgram.createSocket("udp4");
    await new Promise<void>((resolve) => s.bind(0, "127.0.0.1", () => resolve()));
    sockets.push(s);
    ports.push(s.address().port);
  }
  await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return ports;
}

export interface ServeOptions {
  /** Extra arguments (the source defaults to a replay of the DZG capture). */
  args?: string[];
  mac?: string;
  /** UDP ports to use (default: no UDP, so that parallel test files do not collide). */
  udpPorts?: number[];
  /** Settings values written to the settings file before the start (e.g. {"emulation.gen1": false}). */
  settings?: Record<string, unknown>;
}

/** `ir2shelly serve` on 127.0.0.1 with its own settings file; stopped after the test. */
export async function serve(t: ExecutionContext, options: ServeOptions = {}): Promise<ServeProcess> {
  const args = options.args ?? ["--replay", DZG_CAPTURE];
  const settings = path.join(tmpDir, `settings-${process.pid}-${++settingsCounter}.json`);
  if (options.settings !== undefined) writeFileSync(settings, JSON.stringify({ version: 1, values: options.settings }));
  const udp = options.udpPorts === undefined ? [] : ["--udp-ports", options.udpPorts.join(",")];
  const proc = await startServe([
    ...args,
    "--bind", "127.0.0.1",
    "--settings", settings,
    "--mac", options.mac ?? "AABBCCDDEEFF",
    "--no-mdns",
    ...(options.udpPorts === undefined ? ["--udp-ports", ""] : udp),
  ]);
  t.teardown(() => proc.stop());
  return proc;
}

export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
  body: Json;
}

/** fetch → status, headers, text and (if it parses) JSON. */
export async function http(port: number, pathname: string, init?: RequestInit): Promise<HttpResult> {
  const response = await fetch(`http://127.0.0.1:${port}${pathname}`, init);
  const text = await response.text();
  let body: Json;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, text, body };
}

/** One UDP datagram and its answer (null: none within timeoutMs). */
export function udpAsk(port: number, text: string | Uint8Array, timeoutMs = 1000): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket("udp4");
    const timer = setTimeout(() => {
      socket.close();
      resolve(null);
    }, timeoutMs);
    socket.on("message", (message) => {
      clearTimeout(timer);
      socket.close();
      resolve(message.toString("utf8"));
    });
    socket.send(typeof text === "string" ? Buffer.from(text) : text, port, "127.0.0.1");
  });
}

export interface RawResult {
  /** Everything the server sent. */
  data: string;
  /** Whether the server closed the connection within the wait. */
  closed: boolean;
  ms: number;
}

/** Writes raw bytes on a fresh TCP connection and collects the answer until close or `waitMs`. */
export function rawHttp(port: number, bytes: string | Uint8Array | null, waitMs = 3000): Promise<RawResult> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const socket = net.connect(port, "127.0.0.1");
    let data = "";
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ data, closed, ms: performance.now() - t0 });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on("data", (chunk) => {
      data += chunk.toString("latin1");
    });
    socket.on("error", () => finish(true));
    socket.on("close", () => finish(true));
    if (bytes !== null) socket.write(bytes);
  });
}

/** A WebSocket client that keeps every frame it receives and can wait for the next matching one. */
export class WsClient {
  readonly frames: Json[] = [];
  readonly raw: string[] = [];
  private waiters: Array<{ match: (f: Json) => boolean; resolve: (f: Json) => void; from: number }> = [];
  closed: { code: number; reason: string } | null = null;

  private constructor(readonly socket: WebSocket) {
    socket.on("message", (data) => {
      const text = data.toString();
      this.raw.push(text);
      let frame: Json;
      try {
        frame = JSON.parse(text);
      } catch {
        frame = { unparsable: text };
      }
      this.frames.push(frame);
      for (const w of [...this.waiters]) {
        if (w.match(frame)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(frame);
        }
      }
    });
    socket.on("close", (code, reason) => {
      this.closed = { code, reason: reason.toString() };
    });
  }

  static open(port: number, pathname = "/rpc"): Promise<WsClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}${pathname}`);
      socket.once("open", () => resolve(new WsClient(socket)));
      socket.once("error", reject);
      socket.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  /** Resolves with the first frame (already received or future) matching `match`. */
  next(match: (frame: Json) => boolean, timeoutMs = 5000): Promise<Json> {
    const seen = this.frames.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames).slice(0, 2000)}`)), timeoutMs);
      this.waiters.push({ match, resolve: (f) => { clearTimeout(timer); resolve(f); }, from: this.frames.length });
    });
  }

  /** Sends a request and waits for the reply with its id. */
  async call(method: string, params?: unknown, extra: Record<string, unknown> = {}, id?: number): Promise<Json> {
    const frameId = id ?? ++WsClient.ids;
    this.send({ id: frameId, src: "test", method, ...(params === undefined ? {} : { params }), ...extra });
    return this.next((f) => f.id === frameId);
  }

  static ids = 1000;

  close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once("close", () => resolve());
      this.socket.close();
    });
  }
}

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

/** HA1 as Shelly.SetAuth wants it: SHA256("admin:<realm>:<password>"). */
export function ha1(realm: string, password: string): string {
  return sha256(`admin:${realm}:${password}`);
}

/** An RFC 7616 `Authorization: Digest` header answering a `WWW-Authenticate` challenge. */
export function digestHeader(challenge: string, method: string, uri: string, realm: string, password: string, nc = 1): string {
  const params: Record<string, string> = {};
  for (const m of challenge.matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]+))/g)) params[m[1]] = m[2] ?? m[3];
  const cnonce = randomBytes(8).toString("hex");
  const ncText = nc.toString(16).padStart(8, "0");
  const response = sha256(`${ha1(realm, password)}:${params.nonce}:${ncText}:${cnonce}:auth:${sha256(`${method}:${uri}`)}`);
  return `Digest username="admin", realm="${params.realm}", nonce="${params.nonce}", uri="${uri}", cnonce="${cnonce}", nc=${ncText}, qop=auth, response="${response}", algorithm=SHA-256`;
}

/** The `auth` member of an RPC frame answering a 401 error's JSON challenge (aioshelly's way). */
export function frameAuth(challengeMessage: string, password: string, nc = 1): Record<string, unknown> {
  const c = JSON.parse(challengeMessage) as { nonce: number; realm: string; algorithm: string };
  const cnonce = randomBytes(16).toString("base64");
  const response = sha256(`${ha1(c.realm, password)}:${c.nonce}:${nc}:${cnonce}:auth:${sha256("dummy_method:dummy_uri")}`);
  return { realm: c.realm, username: "admin", nonce: c.nonce, cnonce, response, algorithm: "SHA-256", nc };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
