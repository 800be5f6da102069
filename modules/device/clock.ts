// Time for the device: a monotonic millisecond clock built from Time.ticks (a wrapping
// int32 on ESP32), and wall-clock time from SNTP. ShellyHost.unixTime() stays null until the
// clock has been set (a fresh ESP32 counts from 1970).

import Time from "time";
import Timer, { type TimerID } from "timer";
import SNTP from "sntp";

/** Dates before this are "clock not set" (2024-01-01). */
const PLAUSIBLE_UNIX_MS = 1_704_067_200_000;
/** Resynchronize this often (the ESP32 RTC drifts a few seconds a day). */
const RESYNC_MS = 6 * 3600_000;
/** After a failed sync, try again after this long. */
const RETRY_MS = 60_000;

export class MonotonicClock {
  private last = Time.ticks;
  private total = 0;

  /** Milliseconds since boot, never going back. */
  nowMs(): number {
    const ticks = Time.ticks;
    const delta = Time.delta(this.last, ticks);
    this.last = ticks;
    if (delta > 0) this.total += delta;
    return this.total;
  }
}

export class WallClock {
  private sntp: SNTP | null = null;
  private timer: TimerID | null = null;
  private synced = false;
  lastSyncUnixS: number | null = null;

  constructor(private readonly log: (line: string) => void) {
    this.synced = Date.now() >= PLAUSIBLE_UNIX_MS;
  }

  /** Unix seconds (with fraction), or null until the clock has been set. */
  unixTime(): number | null {
    if (!this.synced) {
      if (Date.now() < PLAUSIBLE_UNIX_MS) return null;
      this.synced = true;
    }
    return Date.now() / 1000;
  }

  /** Starts synchronizing with `host` (call when the station has an address). */
  start(host: string): void {
    if (host === "" || this.sntp !== null) return;
    if (this.timer !== null) {
      Timer.clear(this.timer);
      this.timer = null;
    }
    try {
      this.sntp = new SNTP({ host }, (message, value) => {
        if (message === SNTP.time && typeof value === "number") {
          Time.set(value);
          this.synced = true;
          this.lastSyncUnixS = value;
          this.sntp = null; // it closes itself after an answer
          this.schedule(host, RESYNC_MS);
        } else if (message === SNTP.error) {
          this.log("sntp: " + String(value));
          this.sntp = null; // closes itself when we name no other host
          this.schedule(host, RETRY_MS);
        }
      });
    } catch (error) {
      this.sntp = null;
      this.log("sntp: " + String(error));
      this.schedule(host, RETRY_MS);
    }
  }

  /** The station lost its address: no sync until start() again. */
  stop(): void {
    if (this.timer !== null) Timer.clear(this.timer);
    this.timer = null;
    if (this.sntp !== null) this.sntp.close();
    this.sntp = null;
  }

  private schedule(host: string, delayMs: number): void {
    if (this.timer !== null) Timer.clear(this.timer);
    this.timer = Timer.set(() => {
      this.timer = null;
      this.start(host);
    }, delayMs);
  }
}
