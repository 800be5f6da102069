// The device: the core App (meter → Shelly emulation) wired to Moddable's serial, sockets,
// WiFi, flash and GPIO. Every decision is in the core (modules/app, modules/shelly,
// modules/net, modules/network, modules/config); this file only connects the pieces and
// carries out what they decide.

import Timer from "timer";
import platform from "device-platform";
import { App } from "../app/app";
import { describeOutbound, type OutboundWs } from "../app/outbound-ws";
import { FIRMWARE_ID } from "../app/version";
import { type SettingValues } from "../config/schema";
import type { ConnectionRequest, HttpBodySink } from "../net/http-connection";
import type { WebSocketConnection, WebSocketHandlers } from "../net/websocket";
import { routeRequest, type PortalContext } from "../network/portal";
import { handleSetupApi, type SetupAction, type SetupStatus } from "../network/setup-api";
import { SETUP_PAGE_HTML } from "../network/setup-page";
import { ledState } from "../network/status-led";
import { WifiSupervisor, type StationEvent, type WifiCommand } from "../network/wifi-supervisor";
import type { HttpResponse } from "../shelly/http-router";
import type { NetworkInfo } from "../shelly/host";
import type { ShellySettings } from "../shelly/settings";
import { crossSiteProblem } from "../web/admin-session";
import type { FieldNote, MeterLinkInfo, SaveOutcome, SystemInfo, WebContext } from "../web/context";
import type { WebRequest, WebResponse } from "../web/web-http";
import { WebInterface } from "../web/web-interface";
import { HoldButton } from "./button";
import { CaptiveDns } from "./captive-dns";
import { MonotonicClock, WallClock } from "./clock";
import { readDeviceConfig, type DeviceConfig } from "./device-config";
import { DeviceHost } from "./device-host";
import { Diagnostics } from "./diagnostics";
import { HttpServer } from "./http-server";
import { MdnsService } from "./mdns";
import { MeterSerial } from "./meter-serial";
import { deviceDialer } from "./outbound-dialer";
import { DeviceOta } from "./ota";
import { SettingsStore } from "./settings-store";
import { SimulatedMeter } from "./simulated-meter";
import { StatusLed } from "./status-led";
import { UdpRpc } from "./udp-rpc";
import { WifiControl } from "./wifi-control";

/** Hold BOOT this long for a factory reset. */
const FACTORY_RESET_HOLD_MS = 10_000;
/** Time for the HTTP answer to leave before a restart. */
const RESTART_DELAY_MS = 1500;

interface WsClient {
  ws: WebSocketConnection;
  /** The `src` the client named in its frames: notifications go to it. */
  src: string | null;
}

function log(line: string): void {
  trace(line + "\n");
}

/**
 * Runs a callback from the event loop: an exception that escaped to the SDK would abort XS,
 * which restarts the device. A bug in one part must not take the meter off the network.
 */
function guarded(what: string, call: () => void): void {
  try {
    call();
  } catch (error) {
    log(what + " failed: " + String(error));
  }
}

function jsonResponse(status: number, body: string): HttpResponse {
  return { status, headers: { "Content-Type": "application/json", "Cache-Control": "no-store" }, body };
}

/** ESP-IDF reset reasons in words, for the System page. */
const RESET_REASONS: readonly string[] = Object.freeze([
  "unknown", "power-on", "external reset", "software restart", "crash (panic)", "interrupt watchdog",
  "task watchdog (the main loop stalled)", "other watchdog", "deep sleep", "brownout", "SDIO",
]);

/** Random bytes: Math.random is the ESP32's hardware RNG (esp_random) on the device. */
function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(Math.random() * 256);
  return out;
}

function hexOf(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
  return s;
}

/** "A4:CF:12:34:56:78" → "A4CF12345678"; null when it is not a MAC. */
function compactMac(mac: string | undefined): string | null {
  if (mac === undefined) return null;
  const hex = mac.replace(/[:-]/g, "").toUpperCase();
  return /^[0-9A-F]{12}$/.test(hex) ? hex : null;
}

export class DeviceShell {
  readonly config: DeviceConfig;
  readonly app: App;
  readonly diagnostics = new Diagnostics();
  private readonly clock = new MonotonicClock();
  private readonly wall = new WallClock(log);
  private readonly settingsStore = new SettingsStore();
  /** The stored settings (emulation.mac may be "": the board's MAC is used then). */
  private values: SettingValues;
  private shelly: unknown;
  private readonly boardMac: string;
  private readonly apSsid: string;
  private readonly web: WebInterface;
  private readonly supervisor: WifiSupervisor;
  private readonly wifi: WifiControl;
  private readonly http: HttpServer;
  private readonly udp: UdpRpc;
  private readonly mdns: MdnsService | null;
  private dns: CaptiveDns | null = null;
  private readonly ota: DeviceOta | null;
  private readonly wsClients: WsClient[] = [];
  /** The outbound WebSocket a consumer may set with Ws.SetConfig. */
  private readonly outbound: OutboundWs;
  // Kept so that they stay reachable and can be inspected in xsbug.
  readonly meterSerial: MeterSerial | null = null;
  readonly simulated: SimulatedMeter | null = null;
  readonly button: HoldButton;
  readonly led: StatusLed;
  private stationIp: string | null = null;
  private restarting = false;
  private ticks = 0;
  private announceAgainAt: number | null = null;

  constructor() {
    const cfg = readDeviceConfig();
    this.config = cfg;
    const stored = this.settingsStore.load();
    for (const problem of stored.problems) log("settings: " + problem);
    this.values = stored.values;
    // Pins the user never chose are the board's (the schema's 16/17 are flash pins on a C3).
    if (!stored.storedKeys.includes("meter.rxPin")) this.values["meter.rxPin"] = cfg.rxPin;
    if (!stored.storedKeys.includes("meter.txPin")) this.values["meter.txPin"] = cfg.txPin;
    this.shelly = stored.shelly;

    // The WiFi driver first: the board's MAC is known once it runs.
    this.supervisor = new WifiSupervisor(this.values["wifi.ssid"] !== "");
    this.wifi = new WifiControl({
      credentials: () => ({ ssid: this.values["wifi.ssid"] as string, password: this.values["wifi.password"] as string }),
      onStation: (event, reason) => guarded("wifi event", () => this.stationEvent(event, reason)),
      onApClient: (delta) => this.supervisor.apClient(delta),
      log,
    });
    this.boardMac = compactMac(this.wifi.mac()) ?? cfg.fallbackMac;
    this.apSsid = "ir2shelly-" + this.boardMac.slice(-4);
    this.wifi.setApSsid(this.apSsid);

    const effective: SettingValues = { ...this.values };
    if (effective["emulation.mac"] === "") effective["emulation.mac"] = this.boardMac;
    const host = new DeviceHost({
      clock: this.clock,
      wall: this.wall,
      ramSize: cfg.ramSize,
      ramFree: () => this.diagnostics.get("System Free Memory"),
      network: () => this.networkInfo(),
      wsConnected: () => this.outbound.connected,
      saveSettings: (settings) => this.saveShelly(settings),
      reboot: (delayMs) => this.restart(delayMs, "Shelly.Reboot"),
    });
    this.app = new App({ settings: effective, shellySettings: this.shelly, host });
    this.outbound = this.app.createOutboundWs(deviceDialer, log);
    log("ir2shelly " + FIRMWARE_ID + " on " + platform.name + ", device id " + this.app.deviceId + ", reset reason " + host.resetReason());

    // Meter input.
    const meterBytes = (chunk: Uint8Array) => {
      try {
        this.app.meterBytes(chunk);
      } catch (error) {
        log("meter: " + String(error));
      }
    };
    if (cfg.meterSource === "simulated") {
      this.simulated = new SimulatedMeter(() => this.clock.nowMs(), () => this.wall.unixTime(), meterBytes);
      log("meter: simulated");
    } else {
      try {
        this.meterSerial = new MeterSerial({
          ...(cfg.serialDevice !== ""
            ? { device: cfg.serialDevice }
            : { receive: this.values["meter.rxPin"] as number, transmit: this.values["meter.txPin"] as number, port: cfg.serialPort }),
          baud: this.values["meter.baud"] as number,
          format: this.values["meter.format"] as "8N1" | "7E1",
          readInto: platform.name === "esp32",
          onBytes: meterBytes,
        });
        log("meter: serial " + (cfg.serialDevice !== "" ? cfg.serialDevice : "RX GPIO " + this.values["meter.rxPin"] + ", TX GPIO " + this.values["meter.txPin"]) + " at " + this.values["meter.baud"] + " " + this.values["meter.format"]);
      } catch (error) {
        // Wrong pins must not take the setup page down with them.
        log("meter: cannot open the serial port: " + String(error));
      }
    }

    // Servers.
    this.ota = platform.otaPartitionBytes > 0 ? new DeviceOta(log) : null;
    this.web = new WebInterface(this.webContext(host.resetReason()));
    this.http = new HttpServer({
      port: cfg.httpPort,
      maxConnections: cfg.maxHttpConnections,
      connection: {
        handle: (request) => this.handleHttp(request),
        upgrade: (request) => this.upgrade(request),
        streamBody: (request) => this.streamBody(request),
        onError: (error) => log("http: handler failed: " + String(error)),
      },
      limits: { maxBodyBytes: 8192, maxHeaderBytes: 4096 },
      log,
    });
    this.udp = new UdpRpc(this.udpPorts(), (text, remote) => {
      try {
        return this.app.handleFrameText(text, "udp", remote).reply;
      } catch (error) {
        log("udp: handler failed: " + String(error));
        return null;
      }
    }, log);
    this.mdns = this.values["emulation.mdns"] === true
      ? new MdnsService({ identity: this.app.device.identity, httpPort: cfg.httpPort, port: cfg.mdnsPort, nowMs: () => this.clock.nowMs(), log })
      : null;
    log("http on port " + cfg.httpPort + "; udp rpc on " + (this.udp.ports.length > 0 ? this.udp.ports.join(", ") : "no ports"));

    this.button = new HoldButton(cfg.buttonPin, FACTORY_RESET_HOLD_MS, () => guarded("button", () => this.factoryReset("BOOT button held")), log);
    this.led = new StatusLed(
      cfg.ledPin,
      () => ledState(this.supervisor.apOn, this.stationIp !== null, this.app.model.gridView(this.clock.nowMs()) !== null),
      () => this.clock.nowMs(),
      log,
    );

    this.run(this.supervisor.start(this.clock.nowMs()));
    Timer.repeat(() => guarded("tick", () => this.tick()), 1000);
  }

  // ---- WiFi ---------------------------------------------------------------------------

  private run(commands: readonly WifiCommand[]): void {
    for (const command of commands) {
      this.wifi.execute(command);
      if (command.kind === "apOn") this.startCaptiveDns();
      else if (command.kind === "apOff") this.stopCaptiveDns();
    }
  }

  private stationEvent(event: StationEvent, reason: number | undefined): void {
    const now = this.clock.nowMs();
    if (event === "gotIP") {
      this.stationIp = this.wifi.stationAddress();
      log("wifi: connected to " + String(this.values["wifi.ssid"]) + ", address " + String(this.stationIp));
      if (this.stationIp !== null && this.mdns !== null) {
        this.mdns.start([this.stationIp]);
        this.announceAgainAt = now + 1000;
      }
      this.wall.start(this.sntpHost());
    } else if (event === "lostIP" || event === "disconnect") {
      if (this.stationIp !== null) log("wifi: " + event + (reason === -1 ? " (password rejected)" : ""));
      this.stationIp = null;
      this.mdns?.stop(false);
      this.wall.stop();
    }
    this.run(this.supervisor.station(event, now, reason));
  }

  private startCaptiveDns(): void {
    if (this.dns !== null) return;
    try {
      this.dns = new CaptiveDns(this.config.dnsPort, this.config.apAddress);
    } catch (error) {
      log("dns: cannot listen on port " + this.config.dnsPort + ": " + String(error));
    }
  }

  private stopCaptiveDns(): void {
    this.dns?.close();
    this.dns = null;
  }

  private sntpHost(): string {
    if (this.config.sntp === "") return "";
    const server = (this.app.device.settings as Readonly<ShellySettings>).sntpServer;
    return typeof server === "string" && server !== "" ? server : this.config.sntp;
  }

  private networkInfo(): NetworkInfo {
    const phase = this.supervisor.stationPhase;
    const connected = this.stationIp !== null;
    return {
      ethPresent: false,
      ethIp: null,
      wifiStatus: connected ? "got ip" : phase === "connecting" ? "connecting" : "disconnected",
      wifiIp: this.stationIp,
      wifiSsid: connected ? this.wifi.ssid() ?? (this.values["wifi.ssid"] as string) : null,
      wifiRssi: connected ? this.wifi.rssi() : 0,
      staSsid: this.values["wifi.ssid"] === "" ? null : (this.values["wifi.ssid"] as string),
      apEnabled: this.supervisor.apOn,
    };
  }

  // ---- HTTP ---------------------------------------------------------------------------

  private portalContext(): PortalContext {
    const own: string[] = [this.app.deviceId + ".local", "ir2shelly.local"];
    if (this.stationIp !== null) own.push(this.stationIp);
    return { apOn: this.supervisor.apOn, apAddress: this.config.apAddress, ownHosts: own };
  }

  private handleHttp(request: ConnectionRequest): HttpResponse {
    const route = routeRequest(request.path, request.headers["host"], request.remote, this.portalContext());
    switch (route.kind) {
      case "redirect":
        return { status: 302, headers: { Location: route.location, "Cache-Control": "no-store" }, body: "" };
      case "setup-page":
        return { status: 200, headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" }, body: SETUP_PAGE_HTML };
      case "setup-api":
        return this.setupApi(route.name, request);
      case "other":
        break;
    }
    const page: WebResponse | null = this.web.handle(request as WebRequest);
    if (page !== null) return page;
    return this.app.handleHttp(request);
  }

  private authorized(request: ConnectionRequest): boolean {
    const stored = this.values["admin.password"];
    return this.web.sessions.authorized(this.clock.nowMs(), typeof stored === "string" ? stored : "", request.headers);
  }

  private upgrade(request: ConnectionRequest): WebSocketHandlers | null {
    if (request.path !== "/rpc") return null;
    const client: WsClient = { ws: null as unknown as WebSocketConnection, src: null };
    const remote = request.remote;
    return {
      onOpen: (ws) => {
        client.ws = ws;
        this.wsClients.push(client);
      },
      onText: (text, ws) => {
        const reply = this.app.handleFrameText(text, "ws", remote);
        // With a Shelly password set, only a frame that proved it subscribes (NotifyStatus
        // carries the protected meter values); the reply goes out either way.
        if (reply.src !== null && reply.authenticated) client.src = reply.src;
        if (reply.reply !== null) ws.sendText(reply.reply);
      },
      onClose: () => {
        const i = this.wsClients.indexOf(client);
        if (i >= 0) this.wsClients.splice(i, 1);
      },
      onError: (error) => log("ws: handler failed: " + String(error)),
    };
  }

  /** Firmware uploads stream into the OTA partition; every other body is read whole. */
  private streamBody(request: ConnectionRequest): HttpBodySink | HttpResponse | null {
    return this.web.otaUpload(request as WebRequest);
  }

  private setupApi(name: string, request: ConnectionRequest): HttpResponse {
    const now = this.clock.nowMs();
    const result = handleSetupApi(
      {
        name,
        method: request.method,
        body: request.body,
        authorized: this.authorized(request),
        crossSite: crossSiteProblem("POST", request.headers),
        salt: hexOf(randomBytes(8)),
      },
      { values: this.values, status: this.setupStatus(), scan: { scanning: this.wifi.scanInProgress, networks: this.wifi.scanResults }, scanAgeMs: this.wifi.scanAgeMs(now) },
    );
    this.perform(result.action);
    return jsonResponse(result.status, result.body);
  }

  private setupStatus(): SetupStatus {
    const snapshot = this.supervisor.snapshot();
    const why = this.app.model.unavailable(this.clock.nowMs());
    return {
      station: snapshot.station,
      apOn: snapshot.apOn,
      ssid: this.values["wifi.ssid"] as string,
      ip: this.stationIp ?? "",
      apSsid: this.apSsid,
      apIp: this.config.apAddress,
      failure: snapshot.lastFailure,
      deviceId: this.app.deviceId,
      meter: why === null ? "ok" : why.reason === "no_data" ? "no valid frame yet" : why.reason === "stale" ? "no valid frame for " + Math.floor(why.ageMs / 1000) + " s" : "frames without a power value",
      firmware: FIRMWARE_ID,
      uptimeS: Math.floor(this.clock.nowMs() / 1000),
    };
  }

  private perform(action: SetupAction): void {
    switch (action.kind) {
      case "none":
        return;
      case "scan":
        this.wifi.scan(() => this.clock.nowMs());
        return;
      case "save": {
        const pending = this.store(action.values, action.changed);
        if (pending === null) return;
        if (action.effect === "restart") this.restart(RESTART_DELAY_MS, "settings changed");
        return;
      }
    }
  }

  /**
   * Stores new settings and applies what applies at once (the WiFi joins the new network).
   * Returns the changed keys that wait for a restart, or null when storing failed.
   */
  private store(values: SettingValues, changed: readonly string[]): string[] | null {
    const previous = this.values;
    this.values = values;
    if (!this.persist()) {
      this.values = previous;
      return null;
    }
    log("settings: saved " + changed.join(", "));
    if (previous["wifi.ssid"] !== values["wifi.ssid"] || previous["wifi.password"] !== values["wifi.password"]) {
      this.run(this.supervisor.setCredentials(values["wifi.ssid"] !== "", this.clock.nowMs()));
    }
    const pending: string[] = [];
    for (const key of changed) if (key !== "wifi.ssid" && key !== "wifi.password" && key !== "admin.password") pending.push(key);
    return pending;
  }

  /** What the web interface (modules/web) needs from the device. */
  private webContext(resetReason: number): WebContext {
    return {
      app: this.app,
      nowMs: () => this.clock.nowMs(),
      randomBytes,
      settings: () => this.values,
      fieldNotes: (): Record<string, FieldNote> => {
        const notes: Record<string, FieldNote> = {};
        if (this.config.serialDevice !== "" || this.config.meterSource === "simulated") {
          const note = "ESP32 only: this build reads " + (this.config.meterSource === "simulated" ? "a simulated meter" : this.config.serialDevice) + ".";
          notes["meter.rxPin"] = { note, locked: false, hidden: true };
          notes["meter.txPin"] = { note, locked: false, hidden: true };
        }
        return notes;
      },
      saveSettings: (values: SettingValues, changed: readonly string[]): SaveOutcome => {
        const pending = this.store(values, changed);
        return pending === null ? { ok: false, message: "The settings could not be written to flash." } : { ok: true, pendingRestart: pending };
      },
      restart: () => this.restart(RESTART_DELAY_MS, "web interface"),
      factoryReset: () => this.factoryReset("web interface"),
      system: (): SystemInfo => ({
        firmware: FIRMWARE_ID,
        platform: platform.name === "esp32" ? "ESP32 (Moddable XS)" : "Linux simulator (Moddable XS)",
        uptimeS: Math.floor(this.clock.nowMs() / 1000),
        resetReason: RESET_REASONS[resetReason] ?? "reason " + resetReason,
        memory: { label: "free heap", totalBytes: this.config.ramSize, freeBytes: this.diagnostics.get("System Free Memory") ?? 0 },
        details: [
          ["WiFi", this.stationIp !== null ? String(this.values["wifi.ssid"]) + " (" + this.stationIp + ")" : this.supervisor.stationPhase],
          ["Setup access point", this.supervisor.apOn ? this.apSsid + " (" + this.config.apAddress + ")" : "off"],
          ["HTTP connections", this.http.connectionCount + " open (" + this.config.maxHttpConnections + " at most); " +
            this.http.closedIdleCount + " idle ones closed for new ones, " + this.http.refusedCount + " refused (all busy)"],
          ["WebSocket clients", String(this.wsClients.length)],
          ["Outbound WebSocket", describeOutbound(this.outbound.status())],
        ],
        restartNote: "The device restarts; it is back on the network within a few seconds.",
        factoryResetNote: "Erases every setting (WiFi included); the device comes back as the access point " + this.apSsid + ".",
      }),
      meterLink: (): MeterLinkInfo => this.meterLink(),
      ota: this.ota,
      // TcpLink pulls the pages' gzip bytes from flash a segment at a time (ByteSource).
      binaryBodies: true,
    };
  }

  private meterLink(): MeterLinkInfo {
    const v = this.values;
    const baud = v["meter.baud"] as number;
    const format = v["meter.format"] as string;
    if (this.config.meterSource === "simulated") {
      return { kind: "simulated", description: "simulated meter", protocol: "sml", baud: null, format: null };
    }
    if (this.config.serialDevice !== "") {
      return { kind: "serial", description: "serial " + this.config.serialDevice + " at " + baud + " baud " + format, protocol: v["meter.protocol"] as string, baud, format };
    }
    const rx = v["meter.rxPin"] as number;
    const tx = v["meter.txPin"] as number;
    return { kind: "uart", description: "UART" + this.config.serialPort + " RX GPIO " + rx + ", TX GPIO " + tx + " at " + baud + " baud " + format, protocol: v["meter.protocol"] as string, baud, format, rxPin: rx, txPin: tx };
  }

  // ---- storage, restarts ----------------------------------------------------------------

  private saveShelly(settings: ShellySettings): void {
    this.shelly = settings;
    this.persist();
  }

  private persist(): boolean {
    try {
      this.settingsStore.save(this.values, this.shelly);
      return true;
    } catch (error) {
      log("settings: cannot save: " + String(error));
      return false;
    }
  }

  private udpPorts(): number[] {
    const ports = (this.values["emulation.udpPorts"] as number[]).map((p) => p + this.config.udpPortOffset);
    const listen = (this.app.device.settings as Readonly<ShellySettings>).rpcUdp.listenPort;
    if (typeof listen === "number" && !ports.includes(listen)) ports.push(listen);
    return ports;
  }

  private restart(delayMs: number, why: string): void {
    if (this.restarting) return;
    this.restarting = true;
    log("restart in " + delayMs + " ms (" + why + ")");
    this.mdns?.stop(true);
    Timer.set(() => {
      platform.restart();
      this.restarting = false; // the simulator does not restart
    }, delayMs);
  }

  private factoryReset(why: string): void {
    log("factory reset (" + why + ")");
    try {
      this.settingsStore.erase();
    } catch (error) {
      log("settings: erase failed: " + String(error));
    }
    this.restart(RESTART_DELAY_MS, "factory reset");
  }

  // ---- every second -----------------------------------------------------------------------

  private tick(): void {
    const now = this.clock.nowMs();
    this.ticks++;
    this.run(this.supervisor.tick(now));
    this.http.idle(now);
    if (this.announceAgainAt !== null && now >= this.announceAgainAt) {
      this.announceAgainAt = null;
      this.mdns?.announce(); // RFC 6762: a second announcement a second after the first
    }
    this.outbound.tick();
    this.notify();
    const every = this.config.traceMemoryS;
    if (every > 0 && this.ticks % every === 0) {
      log("t=" + Math.floor(now / 1000) + " " + this.diagnostics.line() + " http=" + this.http.connectionCount + " httpRefused=" + this.http.refusedCount + " ws=" + this.wsClients.length +
        " frames=" + this.app.input.counters().framesOk +
        (this.meterSerial !== null ? " serialBytes=" + this.meterSerial.stats.bytes : ""));
    }
  }

  /** NotifyStatus to every WebSocket client that named itself, and to the outbound server. */
  private notify(): void {
    let subscribers = this.outbound.connected ? 1 : 0;
    for (const c of this.wsClients) if (c.src !== null) subscribers++;
    if (subscribers === 0) return;
    const batch = this.app.pollNotifyStatus();
    if (batch === null) return;
    for (const c of this.wsClients) if (c.src !== null && c.ws.isOpen) c.ws.sendText(batch.frameFor(c.src));
    this.outbound.notify(batch);
  }
}
