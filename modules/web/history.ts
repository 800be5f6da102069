// The last ten minutes of grid power (for the chart on the Now page, so that it is full the
// moment the page opens) and snapshots of the link counters (for per-minute rates on the
// Meter page). Fed by App.meterBytes; fixed-size typed arrays, nothing allocated per frame.

import type { MeterModel } from "../meter/meter-model";
import { JsonWriter } from "../shelly/json-writer";
import type { LinkCounters, SmlInput } from "../meter/sml-input";

export const HISTORY_WINDOW_MS = 600_000;
/** One point per second at most (a meter sends every 1-4 s). */
const POINT_SPACING_MS = 1000;
const POINTS = HISTORY_WINDOW_MS / POINT_SPACING_MS;
/** Counter snapshots: one every 10 s, enough for a 60 s window and a bit. */
const SNAPSHOT_SPACING_MS = 10_000;
const SNAPSHOTS = 8;
/** Rates over at least this window; shorter (right after start) are not shown. */
const MIN_RATE_WINDOW_MS = 5_000;
const RATE_WINDOW_MS = 60_000;

export interface LinkRates {
  /** The window the rates cover, in seconds. */
  windowS: number;
  framesPerMin: number;
  crcErrorsPerMin: number;
  resyncsPerMin: number;
  bytesPerS: number;
}

export class MeterHistory {
  private readonly times = new Float64Array(POINTS);
  private readonly powers = new Float64Array(POINTS);
  private first = 0;
  private count = 0;
  private framesSeen = 0;
  /** When the newest point's one-second slot began. */
  private slotStart = -Infinity;
  private readonly snapTimes = new Float64Array(SNAPSHOTS);
  private readonly snapFrames = new Float64Array(SNAPSHOTS);
  private readonly snapCrc = new Float64Array(SNAPSHOTS);
  private readonly snapResyncs = new Float64Array(SNAPSHOTS);
  private readonly snapBytes = new Float64Array(SNAPSHOTS);
  private snapFirst = 0;
  private snapCount = 0;

  /** Call after meter bytes went into `input` at `nowMs`. */
  observe(nowMs: number, model: MeterModel, input: SmlInput): void {
    if (model.framesAccepted !== this.framesSeen) {
      this.framesSeen = model.framesAccepted;
      const power = totalPower(model);
      if (power === power) this.addPoint(nowMs, power);
    }
    const last = this.snapCount === 0 ? -Infinity : this.snapTimes[(this.snapFirst + this.snapCount - 1) % SNAPSHOTS];
    if (nowMs - last >= SNAPSHOT_SPACING_MS) this.snapshot(nowMs, input.counters());
  }

  addPoint(nowMs: number, power: number): void {
    if (this.count > 0 && nowMs - this.slotStart < POINT_SPACING_MS) {
      const lastIndex = (this.first + this.count - 1) % POINTS;
      this.powers[lastIndex] = power; // several frames in one second: keep the newest
      this.times[lastIndex] = nowMs;
      return;
    }
    this.slotStart = nowMs;
    const index = (this.first + this.count) % POINTS;
    if (this.count === POINTS) this.first = (this.first + 1) % POINTS;
    else this.count++;
    this.times[index] = nowMs;
    this.powers[index] = power;
  }

  snapshot(nowMs: number, c: LinkCounters): void {
    const index = (this.snapFirst + this.snapCount) % SNAPSHOTS;
    if (this.snapCount === SNAPSHOTS) this.snapFirst = (this.snapFirst + 1) % SNAPSHOTS;
    else this.snapCount++;
    this.snapTimes[index] = nowMs;
    this.snapFrames[index] = c.framesOk;
    this.snapCrc[index] = c.crcErrors;
    this.snapResyncs[index] = c.resyncs;
    this.snapBytes[index] = c.bytes;
  }

  /** Points of the last ten minutes, oldest first: [age in s, power in W]. */
  /**
   * `{"window_s":600,"points":[[age s, W], …]}` as UTF-8 (GET /api/history), written straight
   * from the ring buffer: 600 little arrays would not fit the device's heap.
   */
  pointsJson(nowMs: number): Uint8Array {
    const w = new JsonWriter(64 + this.count * 18);
    w.beginObject().key("window_s").number(HISTORY_WINDOW_MS / 1000).key("points").beginArray();
    for (let k = 0; k < this.count; k++) {
      const i = (this.first + k) % POINTS;
      const age = nowMs - this.times[i];
      if (age <= HISTORY_WINDOW_MS) w.beginArray().number(Math.round(age / 100) / 10).number(Math.round(this.powers[i] * 10) / 10).endArray();
    }
    return w.endArray().endObject().toBytes();
  }

  points(nowMs: number): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (let k = 0; k < this.count; k++) {
      const i = (this.first + k) % POINTS;
      const age = nowMs - this.times[i];
      if (age <= HISTORY_WINDOW_MS) out.push([Math.round(age / 100) / 10, Math.round(this.powers[i] * 10) / 10]);
    }
    return out;
  }

  /** Counter rates over the last minute or so, or null right after start. */
  rates(nowMs: number, current: LinkCounters): LinkRates | null {
    let pick = -1;
    for (let k = 0; k < this.snapCount; k++) {
      const i = (this.snapFirst + k) % SNAPSHOTS;
      if (pick < 0 || nowMs - this.snapTimes[i] >= RATE_WINDOW_MS) pick = i;
    }
    if (pick < 0) return null;
    const windowMs = nowMs - this.snapTimes[pick];
    if (windowMs < MIN_RATE_WINDOW_MS) return null;
    const perMin = 60_000 / windowMs;
    return {
      windowS: Math.round(windowMs / 1000),
      framesPerMin: (current.framesOk - this.snapFrames[pick]) * perMin,
      crcErrorsPerMin: (current.crcErrors - this.snapCrc[pick]) * perMin,
      resyncsPerMin: (current.resyncs - this.snapResyncs[pick]) * perMin,
      bytesPerS: ((current.bytes - this.snapBytes[pick]) * 1000) / windowMs,
    };
  }
}

/** The meter's total power of its last frame: the total, else the sum of the phases sent; NaN if none. */
export function totalPower(model: MeterModel): number {
  const l = model.latest;
  if (l.power === l.power) return l.power;
  let sum = 0;
  let any = false;
  for (let i = 0; i < 3; i++) {
    if (l.phasePower[i] === l.phasePower[i]) {
      sum += l.phasePower[i];
      any = true;
    }
  }
  return any ? sum : NaN;
}
