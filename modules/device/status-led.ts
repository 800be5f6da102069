// The status LED on boards with a plain LED on a GPIO (modules/network/status-led says what
// it shows). Boards whose LED is a NeoPixel (ESP32-C3/S3 DevKits) or the simulator have none.

import Timer, { type TimerID } from "timer";
import platform, { type PinOut } from "device-platform";
import { ledLevel, type LedState } from "../network/status-led";

export class StatusLed {
  private readonly pin: PinOut | null = null;
  private readonly timer: TimerID | null = null;
  private lit = -1;

  constructor(pinNumber: number, state: () => LedState, nowMs: () => number, log: (line: string) => void) {
    if (pinNumber < 0) return;
    let pin: PinOut | null = null;
    try {
      pin = platform.openLed(pinNumber);
    } catch (error) {
      log("led: GPIO " + pinNumber + " unavailable: " + String(error));
    }
    this.pin = pin;
    if (pin === null) return;
    this.timer = Timer.repeat(() => {
      const level = ledLevel(state(), nowMs()) ? 1 : 0;
      if (level !== this.lit) {
        this.lit = level;
        pin.write(level);
      }
    }, 100);
  }

  close(): void {
    if (this.timer !== null) Timer.clear(this.timer);
    this.pin?.close();
  }
}
