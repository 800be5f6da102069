// `ir2shelly serve`: meter bytes in, a Shelly Pro 3EM on the network out.

import os from "node:os";
import { defaultValues, fieldSpec, validateField, type SettingValues } from "../modules/config/schema";
import { App } from "../modules/app/app";
import { UsageError, type OptionSpec, type ParsedOptions } from "./args";
import { startHttpServer } from "./http-transport";
import { startUdpTransport, type UdpTransport } from "./udp-transport";
import { attachWebSocket, type WsTransport } from "./ws-transport";
import { nodeDialer } from "./outbound-dialer";
import type { OutboundWs } from "../modules/app/outbound-ws";
import { startMdns, type MdnsHandle } from "./mdns-transport";
import { defaultSettingsPath, generateMac, SettingsFile } from "./settings-file";
import { NodeHost } from "./node-host";
import { NodeWebContext } from "./web-context";
import { WebInterface } from "../modules/web/web-interface";
import { ReplaySource, SerialSource, SimulatedSource, type ByteSource } from "./sources";

export const SERVE_OPTIONS: Record<string, OptionSpec> = {
  serial: { kind: "string", value: "<tty>", help: "read the meter from this serial device (e.g. /dev/ttyUSB0)" },
  baud: { kind: "int", value: "<n>", help: "serial baud rate (default 9600)", min: 300, max: 115200 },
  format: { kind: "string", value: "<8N1|7E1>", help: "serial format (default 8N1 for SML; 7E1 is for IEC 62056-21 meters, not decoded yet)" },
  replay: { kind: "string", value: "<file>", help: "replay a recorded capture, one frame per second, looped" },
  simulate: { kind: "flag", help: "a virtual meter (the default); listens on 127.0.0.1 only unless --bind" },
  "http-port": { kind: "int", value: "<port>", help: "HTTP port (default 8080; real consumers need 80; 0 = any free port)", min: 0, max: 65535 },
  bind: { kind: "string", value: "<address>", help: "address to listen on (default 0.0.0.0; 127.0.0.1 with --simulate)" },
  "stale-after": { kind: "int", value: "<s>", help: "answer errors when no valid frame came for this long (default 10; 2 to 3600)", min: 2, max: 3600 },
  "phase-mode": { kind: "string", value: "<a|split>", help: "meter without phase values: total on phase A, or split evenly" },
  "power-sign": { kind: "string", value: "<auto|signed|unsigned>", help: "how to read signed power values (default auto)" },
  mac: { kind: "string", value: "<12 hex>", help: "device MAC (default: generated once, kept in the settings file)" },
  settings: { kind: "string", value: "<file>", help: "settings file (default ~/.config/ir2shelly/settings.json)" },
  "udp-ports": { kind: "list", value: "<p1,p2>", help: "UDP JSON-RPC ports (default 1010,2220; empty = off; below 1024 needs root)", min: 1, max: 65535 },
  "no-mdns": { kind: "flag", help: "do not announce the device over mDNS" },
  quiet: { kind: "flag", help: "log only problems" },
};

function choice<T extends string>(options: ParsedOptions, name: string, allowed: readonly T[], fallback: T): T {
  const value = options[name];
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) throw new UsageError(`--${name} must be one of ${allowed.join(", ")}, not "${String(value)}"`);
  return value as T;
}

/** Settings from the file, overridden by the command line (not written back). */
function effectiveSettings(stored: SettingValues, options: ParsedOptions): SettingValues {
  const values = { ...defaultValues(), ...stored };
  const override = (key: string, value: unknown) => {
    if (value === undefined) return;
    const error = validateField(fieldSpec(key)!, value);
    if (error !== null) throw new UsageError(error);
    values[key] = value as SettingValues[string];
  };
  override("meter.baud", options.baud);
  override("meter.format", options.format);
  override("emulation.staleAfterS", options["stale-after"]);
  override("emulation.phaseMode", options["phase-mode"]);
  override("meter.powerSign", options["power-sign"]);
  override("emulation.udpPorts", options["udp-ports"]);
  if (typeof options.mac === "string") override("emulation.mac", options.mac.replace(/[:-]/g, "").toUpperCase());
  if (options["no-mdns"]) values["emulation.mdns"] = false;
  return values;
}

export async function serveCommand(options: ParsedOptions): Promise<number> {
  const quiet = options.quiet === true;
  const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
  const info = quiet ? () => {} : log;

  const sourcesGiven = [options.serial, options.replay, options.simulate].filter((x) => x !== undefined).length;
  if (sourcesGiven > 1) throw new UsageError("choose one source: --serial, --replay or --simulate");
  const simulate = sourcesGiven === 0 || options.simulate === true;
  choice(options, "format", ["8N1", "7E1"], "8N1");
  choice(options, "phase-mode", ["a", "split"], "a");
  choice(options, "power-sign", ["auto", "signed", "unsigned"], "auto");

  const settingsFile = new SettingsFile(typeof options.settings === "string" ? options.settings : defaultSettingsPath(), log);
  const stored = settingsFile.load();
  if (stored.values["emulation.mac"] === "") {
    // A stable identity: generated once, then kept (consumers pair with the device id).
    stored.values["emulation.mac"] = generateMac();
    try {
      settingsFile.save(stored);
    } catch (error) {
      log(`cannot write ${settingsFile.file} (${(error as Error).message}); the generated MAC lasts until exit`);
    }
  }
  const settings = effectiveSettings(stored.values, options);

  const source: ByteSource = simulate
    ? new SimulatedSource()
    : typeof options.replay === "string"
      ? new ReplaySource(options.replay)
      : new SerialSource({ path: options.serial as string, baud: settings["meter.baud"] as number, format: settings["meter.format"] as "8N1" | "7E1", log });
  const bind = typeof options.bind === "string" ? options.bind : simulate ? "127.0.0.1" : "0.0.0.0";

  let ws: WsTransport | null = null;
  let outbound: OutboundWs | null = null;
  const host = new NodeHost({
    wsConnected: () => outbound?.connected ?? false,
    saveSettings: (shelly) => {
      stored.shelly = shelly;
      try {
        settingsFile.save(stored);
      } catch (error) {
        log(`cannot save settings: ${(error as Error).message}`);
      }
    },
    log,
  });
  const app = new App({ settings, shellySettings: stored.shelly, host });
  // The outbound WebSocket a consumer may set with Ws.SetConfig; it gets the notifications too.
  const dialing = app.createOutboundWs(nodeDialer, info);
  outbound = dialing;
  // The device's own pages and their API (modules/web), in front of the Shelly emulation.
  const web = new WebInterface(new NodeWebContext({ app, settingsFile, stored, effective: settings, options, sourceDescription: source.describe(), log, outbound: dialing }));

  await source.start((chunk) => {
    app.meterBytes(chunk);
    ws?.notify();
  });
  info(`meter source: ${source.describe()}`);

  let http;
  try {
    http = await startHttpServer({ host: bind, port: (options["http-port"] as number | undefined) ?? 8080, handle: (request) => web.handle(request) ?? app.handleHttp(request), log });
  } catch (error) {
    await source.stop();
    const e = error as NodeJS.ErrnoException;
    const why = e.code === "EADDRINUSE" ? "the port is in use" : e.code === "EACCES" ? "permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)" : e.code === "EADDRNOTAVAIL" ? "no such address on this machine" : e.message;
    throw new UsageError(`cannot listen on ${bind}:${options["http-port"] ?? 8080}: ${why}`);
  }

  const outboundTimer = setInterval(() => dialing.tick(), 1000);
  outboundTimer.unref();
  dialing.tick();
  ws = attachWebSocket({
    server: http.server,
    handleFrame: (text, remote) => app.handleFrameText(text, "ws", remote),
    pollNotify: () => {
      const batch = app.pollNotifyStatus();
      if (batch !== null) dialing.notify(batch);
      return batch;
    },
    otherSubscribers: () => dialing.connected,
    log,
  });

  const shown = bind === "0.0.0.0" ? "127.0.0.1" : bind;
  // UDP: the configured ports, plus the one a consumer set through Sys.SetConfig
  // rpc_udp.listen_port (a real device applies that after a restart, and so do we).
  const udpPorts = [...(settings["emulation.udpPorts"] as number[])];
  const shellyUdp = app.device.settings.rpcUdp.listenPort;
  if (shellyUdp !== null && !udpPorts.includes(shellyUdp)) udpPorts.push(shellyUdp);
  let udp: UdpTransport | null = null;
  if (udpPorts.length > 0) {
    udp = await startUdpTransport({ address: bind, ports: udpPorts, handleFrame: (text, remote) => app.handleFrameText(text, "udp", remote), log });
    if (udp.bound.length > 0) info(`UDP RPC on ${bind === "0.0.0.0" ? "all addresses" : bind}, port${udp.bound.length > 1 ? "s" : ""} ${udp.bound.join(", ")}`);
  } else {
    info("UDP RPC off (no ports configured)");
  }
  // mDNS: never for a simulated meter (it must not appear on a real network); --no-mdns turns it off.
  let mdns: MdnsHandle | null = null;
  if (simulate) info("mDNS off (simulated meter)");
  else if (settings["emulation.mdns"] !== true) info("mDNS off (--no-mdns)");
  else mdns = await startMdns({ identity: app.device.identity, httpPort: http.port, interfaceAddress: bind === "0.0.0.0" ? undefined : bind, log: info, warn: log });
  process.stdout.write(`listening on http://${shown}:${http.port}\n`);
  info(`WebSocket RPC on ws://${shown}:${http.port}/rpc`);
  if (!app.gen1Enabled) info("Gen1 API (/status, /emeter/N) off");
  if (bind === "0.0.0.0") {
    for (const address of lanAddresses()) info(`reachable at http://${address}:${http.port} (enter this address in the battery's app)`);
  }
  info(`device id ${app.deviceId}; data goes stale after ${settings["emulation.staleAfterS"]} s without a valid frame`);
  if (simulate) info("simulated meter: for trying things out only; it listens on 127.0.0.1 unless --bind is given");

  // Memory and CPU time on demand (benchmarks, leak hunting): kill -USR2 <pid>. With node
  // --expose-gc a collection runs first, so that the numbers show what is retained.
  const onUsr2 = () => {
    (globalThis as { gc?: () => void }).gc?.();
    const m = process.memoryUsage();
    const cpu = process.cpuUsage();
    process.stdout.write(`memory rss=${m.rss} heap_used=${m.heapUsed} heap_total=${m.heapTotal} external=${m.external} cpu_user_us=${cpu.user} cpu_system_us=${cpu.system} ws_clients=${ws?.clientCount ?? 0} consumers=${app.consumers.size}\n`);
  };
  process.on("SIGUSR2", onUsr2);

  const signal = await new Promise<string>((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
  });
  info(`${signal}: shutting down`);
  process.off("SIGUSR2", onUsr2);
  await mdns?.close(); // goodbye (TTL 0)
  clearInterval(outboundTimer);
  dialing.stop();
  await ws.close();
  await udp?.close();
  await http.close();
  await source.stop();
  return 0;
}

function lanAddresses(): string[] {
  const out: string[] = [];
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) out.push(a.address);
  }
  return out;
}
