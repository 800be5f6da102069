// The application core shared by the device and the host: meter input, meter model and
// the Shelly emulation, wired together. The shells supply the ShellyHost and the clock and
// move bytes and requests in and out; every transport (HTTP, WebSocket, UDP) enters here,
// so that the consumer log sees them all.
//
// HTTP routes handled here, before the Shelly router:
//   GET /api/consumers   the consumer log as JSON (behind the device password when set)
//   Gen1 paths           404 while the setting emulation.gen1 is off (as on a real Pro 3EM)

import { MeterModel, type PhaseMode } from "../meter/meter-model";
import { SmlInput } from "../meter/sml-input";
import type { SettingValues } from "../config/schema";
import { routeHttp, type HttpRequest, type HttpResponse } from "../shelly/http-router";
import type { ShellyHost } from "../shelly/host";
import { makeIdentity } from "../shelly/identity";
import { percentDecode } from "../shelly/json-input";
import { normalizeShellySettings } from "../shelly/settings";
import { ShellyDevice, type FrameReply, type NotifyBatch } from "../shelly/shelly-device";
import type { PowerSignMode } from "../../sml/readings";
import { ConsumerLog, methodOfFrameText } from "./consumer-log";
import { MeterHistory } from "../web/history";
import { MeterGridSource } from "./grid-source";
import { OutboundWs, type OutboundDialer } from "./outbound-ws";
import { EMULATED_SHELLY_VERSION, FIRMWARE_ID } from "./version";

export interface AppOptions {
  /** Values of the settings schema (modules/config/schema). `emulation.mac` must be set. */
  settings: SettingValues;
  /** Stored Shelly-side settings (whatever the shell saved from ShellyHost.saveSettings). */
  shellySettings: unknown;
  host: ShellyHost;
}

/** An HTTP request as the shells hand it over, with the peer's address for the log. */
export interface AppHttpRequest extends HttpRequest {
  /** Client IP address ("" when unknown). */
  remote?: string;
}

/** Frame transports other than HTTP. */
export type FrameTransport = "ws" | "udp";

/** The Gen1 paths (/status, /settings, /emeter/0-2, /settings/emeter/0-2); no RegExp (see README, Development). */
function isGen1Path(path: string): boolean {
  if (path === "/status" || path === "/settings") return true;
  const rest = path.startsWith("/emeter/") ? path.slice(8) : path.startsWith("/settings/emeter/") ? path.slice(17) : null;
  return rest !== null && (rest === "0" || rest === "1" || rest === "2");
}

export class App {
  readonly model: MeterModel;
  readonly input: SmlInput;
  readonly device: ShellyDevice;
  readonly consumers: ConsumerLog;
  /** The last 10 minutes of power and link counters, for the web pages. */
  readonly history = new MeterHistory();
  /** Serve the Gen1 API (/status, /emeter/N, /settings…); settings key emulation.gen1. */
  gen1Enabled: boolean;
  private readonly host: ShellyHost;

  constructor(options: AppOptions) {
    const s = options.settings;
    const staleAfterMs = (s["emulation.staleAfterS"] as number) * 1000;
    this.model = new MeterModel({ staleAfterMs, phaseMode: s["emulation.phaseMode"] as PhaseMode });
    this.input = new SmlInput(this.model, { powerSign: s["meter.powerSign"] as PowerSignMode });
    const host = options.host;
    this.host = host;
    this.gen1Enabled = s["emulation.gen1"] !== false;
    this.consumers = new ConsumerLog();
    this.device = new ShellyDevice({
      identity: makeIdentity({ mac: s["emulation.mac"] as string, version: EMULATED_SHELLY_VERSION, firmwareId: FIRMWARE_ID }),
      host,
      grid: new MeterGridSource(this.model, () => host.nowMs()),
      settings: normalizeShellySettings(options.shellySettings),
      // The model decides staleness: its limit can change at run time (settings page).
      staleAfterMs: Infinity,
    });
  }

  get deviceId(): string {
    return this.device.identity.id;
  }

  /** Meter bytes as they arrive. */
  meterBytes(chunk: Uint8Array): void {
    const now = this.host.nowMs();
    this.input.push(chunk, now);
    this.history.observe(now, this.model, this.input);
  }

  handleHttp(request: AppHttpRequest): HttpResponse {
    let path = request.path;
    const q = path.indexOf("?");
    if (q >= 0) path = path.slice(0, q);
    if (path.startsWith("/api/")) return this.handleApi(request, path);
    const method = request.method.toUpperCase();
    const gen1 = isGen1Path(path);
    if (method !== "OPTIONS") {
      const rpcMethod =
        path === "/rpc" ? methodOfFrameText(request.body) : path.startsWith("/rpc/") ? percentDecode(path.slice(5)) : path;
      this.consumers.record(request.remote ?? "", gen1 ? "gen1" : "http", rpcMethod, this.host.nowMs());
    }
    if (gen1 && !this.gen1Enabled) return plainResponse(404, "Not Found", "text/plain");
    return routeHttp(this.device, request);
  }

  /**
   * A request frame from a WebSocket message or a UDP datagram. The reply (null for junk
   * and for frames without id) goes back to that peer only; `src` subscribes a WS client
   * to NotifyStatus when the frame was `authenticated` (always, while auth is off).
   */
  handleFrameText(text: string, transport: FrameTransport, remote: string): FrameReply {
    const reply = this.device.handleFrameText(text, transport);
    this.consumers.record(remote, transport, methodOfFrameText(text), this.host.nowMs(), reply.src);
    return reply;
  }

  /**
   * The outbound WebSocket of the `ws` component (Ws.SetConfig), dialing through the
   * shell's dialer. The shell calls its tick() every second and hands it every NotifyStatus.
   */
  createOutboundWs(dialer: OutboundDialer, log: (line: string) => void): OutboundWs {
    const device = this.device;
    return new OutboundWs({
      dialer,
      config: () => device.settings.ws,
      handleFrame: (text) => this.handleOutboundFrame(text),
      fullStatus: () => device.fullStatusNotification(),
      random: () => (Math.random() * 0x100000000) >>> 0,
      nowMs: () => this.host.nowMs(),
      log,
    });
  }

  /** A request frame from the outbound WebSocket's server: trusted, since the device dialed it. */
  private handleOutboundFrame(text: string): FrameReply {
    const reply = this.device.handleFrameText(text, "ws", true);
    this.consumers.record(String(this.device.settings.ws.server), "ws", methodOfFrameText(text), this.host.nowMs(), reply.src);
    return reply;
  }

  /** The NotifyStatus due now for WebSocket subscribers, or null (call on meter updates and a short timer). */
  pollNotifyStatus(): NotifyBatch | null {
    return this.device.pollNotifyStatus();
  }

  private handleApi(request: AppHttpRequest, path: string): HttpResponse {
    const method = request.method.toUpperCase();
    if (path !== "/api/consumers") return plainResponse(404, "Not Found", "text/plain");
    if (method !== "GET" && method !== "HEAD") return plainResponse(405, "Method Not Allowed", "text/plain");
    // Client addresses are nobody's business but the owner's: same password as the RPC.
    if (!this.device.checkHttpAuth(request.headers["authorization"], method, true)) {
      const r = plainResponse(401, "", null);
      r.headers["WWW-Authenticate"] = this.device.httpChallenge();
      return r;
    }
    const r = plainResponse(200, this.consumers.toJson(this.host.nowMs(), this.host.unixTime()), "application/json");
    r.headers["Cache-Control"] = "no-store";
    return r;
  }
}

function plainResponse(status: number, body: string, contentType: string | null): HttpResponse {
  const headers: Record<string, string> = { Server: "ShellyHTTP/1.0.0" };
  if (contentType !== null && body.length > 0) headers["Content-Type"] = contentType;
  return { status, headers, body };
}
