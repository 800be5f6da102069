// The application core shared by the device and the host: meter input, meter model and
// the Shelly emulation, wired together. The shells supply the ShellyHost and the clock and
// move bytes and requests in and out.

import { MeterModel, type PhaseMode } from "../meter/meter-model";
import { SmlInput } from "../meter/sml-input";
import type { SettingValues } from "../config/schema";
import { routeHttp, type HttpRequest, type HttpResponse } from "../shelly/http-router";
import type { ShellyHost } from "../shelly/host";
import { makeIdentity } from "../shelly/identity";
import { normalizeShellySettings } from "../shelly/settings";
import { ShellyDevice } from "../shelly/shelly-device";
import type { PowerSignMode } from "../../sml/readings";
import { MeterGridSource } from "./grid-source";
import { EMULATED_SHELLY_VERSION, FIRMWARE_ID } from "./version";

export interface AppOptions {
  /** Values of the settings schema (modules/config/schema). `emulation.mac` must be set. */
  settings: SettingValues;
  /** Stored Shelly-side settings (whatever the shell saved from ShellyHost.saveSettings). */
  shellySettings: unknown;
  host: ShellyHost;
}

export class App {
  readonly model: MeterModel;
  readonly input: SmlInput;
  readonly device: ShellyDevice;
  private readonly host: ShellyHost;

  constructor(options: AppOptions) {
    const s = options.settings;
    const staleAfterMs = (s["emulation.staleAfterS"] as number) * 1000;
    this.model = new MeterModel({ staleAfterMs, phaseMode: s["emulation.phaseMode"] as PhaseMode });
    this.input = new SmlInput(this.model, { powerSign: s["meter.powerSign"] as PowerSignMode });
    const host = options.host;
    this.host = host;
    this.device = new ShellyDevice({
      identity: makeIdentity({ mac: s["emulation.mac"] as string, version: EMULATED_SHELLY_VERSION, firmwareId: FIRMWARE_ID }),
      host,
      grid: new MeterGridSource(this.model, () => host.nowMs()),
      settings: normalizeShellySettings(options.shellySettings),
      staleAfterMs,
    });
  }

  get deviceId(): string {
    return this.device.identity.id;
  }

  /** Meter bytes as they arrive. */
  meterBytes(chunk: Uint8Array): void {
    this.input.push(chunk, this.host.nowMs());
  }

  handleHttp(request: HttpRequest): HttpResponse {
    return routeHttp(this.device, request);
  }
}
