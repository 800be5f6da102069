// Plain-language diagnosis of the meter link for the Meter page: from what arrives (bytes?
// frames? a power value?) to the one thing the user should check next.

import type { Unavailable } from "../meter/meter-model";
import type { LinkCounters } from "../meter/sml-input";
import type { MeterLinkInfo } from "./context";
import type { LinkRates } from "./history";

export type HintLevel = "ok" | "info" | "warn" | "error";

export interface MeterHint {
  level: HintLevel;
  title: string;
  text: string;
}

export interface LinkState {
  link: MeterLinkInfo;
  counters: LinkCounters;
  rates: LinkRates | null;
  unavailable: Unavailable | null;
  /** Milliseconds since the last byte, NaN if none yet. */
  byteAgeMs: number;
  /** Milliseconds since the process/device started (grace time before "no bytes"). */
  uptimeMs: number;
  staleAfterMs: number;
  lastError: string | null;
  powerSource: string;
  energyResolutionWh: number;
}

/** Bytes must have stopped this long before we call it "no bytes". */
const QUIET_MS = 5_000;

export function meterHints(s: LinkState): MeterHint[] {
  const hints: MeterHint[] = [];
  const c = s.counters;
  const where = s.link.kind === "uart"
    ? `Check that the read head sits straight on the meter's optical interface (the cable usually points down) and its wiring: the read head's TX to GPIO ${s.link.rxPin ?? "?"} (RX pin), 3.3 V and GND.`
    : s.link.kind === "serial"
      ? "Check that the read head sits straight on the meter's optical interface (the cable usually points down) and that this is its serial device (ls /dev/ttyUSB* /dev/ttyACM*)."
      : "The source delivers nothing.";
  const quiet = s.byteAgeMs !== s.byteAgeMs ? s.uptimeMs >= QUIET_MS : s.byteAgeMs >= QUIET_MS;

  if (c.bytes === 0) {
    if (quiet) hints.push({ level: "error", title: "No bytes from the read head", text: where + " Many meters only start sending after their optical interface was woken with a torch." });
    else hints.push({ level: "info", title: "Waiting for bytes", text: "Nothing has arrived yet." });
    return hints;
  }
  if (quiet) {
    hints.push({ level: "error", title: `No bytes for ${Math.floor(s.byteAgeMs / 1000)} s`, text: "Bytes arrived earlier, then stopped. " + where });
  }
  if (c.framesOk === 0) {
    if (c.bytes > 200 || quiet) {
      hints.push({
        level: "error",
        title: "Bytes arrive, but no SML frames",
        text: `SML meters send at 9600 baud, 8N1 (this link: ${s.link.baud ?? "?"} baud, ${s.link.format ?? "?"}). A wrong baud rate or format gives bytes that never form a frame; so does a meter that speaks IEC 62056-21 (D0) text instead of SML.` +
          (s.lastError !== null ? ` Last problem: ${s.lastError}.` : ""),
      });
    } else hints.push({ level: "info", title: "Bytes arrive", text: "Waiting for the first complete frame." });
    return hints;
  }
  if (s.unavailable !== null && s.unavailable.reason === "no_power") {
    hints.push({
      level: "error",
      title: "Frames, but no power value: enter the meter's PIN",
      text: "The meter sends only its energy counters" + (s.energyResolutionWh >= 1000 ? " in whole kWh" : "") +
        ". Ask your metering operator (Messstellenbetreiber) for the PIN, enter it with a torch on the meter's optical sensor, and switch \"InF\" to \"On\" so that it sends the power. Until then batteries get an error instead of a value.",
    });
  } else if (s.unavailable !== null && s.unavailable.reason === "stale" && !quiet) {
    hints.push({ level: "warn", title: "No valid frame recently", text: `The last valid frame is older than ${Math.round(s.staleAfterMs / 1000)} s: batteries get an error and use their offline behaviour.` });
  }
  const r = s.rates;
  if (r !== null && r.crcErrorsPerMin > 0 && r.crcErrorsPerMin >= r.framesPerMin * 0.1) {
    hints.push({ level: "warn", title: "Many damaged frames (CRC errors)", text: "Some frames arrive damaged: the read head may sit slightly off the sensor, or sunlight reaches it. Reseat it and shade it." });
  } else if (r !== null && r.resyncsPerMin >= 2 && r.resyncsPerMin >= r.framesPerMin * 0.2) {
    hints.push({ level: "warn", title: "The frame stream keeps breaking off", text: "Bytes between frames are lost or garbled. Check the read head's position and cable." });
  }
  if (hints.length === 0) {
    hints.push({ level: "ok", title: "The meter link works", text: "Valid frames arrive" + (r !== null && r.framesPerMin > 0 ? ` about every ${(60 / r.framesPerMin).toFixed(1)} s` : "") + (s.powerSource !== "" ? `; the power comes from ${s.powerSource}.` : ".") });
  }
  return hints;
}
