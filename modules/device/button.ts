// Factory reset by holding the BOOT button: polled every 100 ms (GPIO 0 on ESP32 and
// ESP32-S3, GPIO 9 on ESP32-C3; pressed reads 0). Boards without a button (the simulator)
// have none.

import Timer, { type TimerID } from "timer";
import platform, { type PinIn } from "device-platform";

const POLL_MS = 100;

export class HoldButton {
  private readonly pin: PinIn | null;
  private readonly timer: TimerID | null = null;
  private heldMs = 0;
  private fired = false;

  /** `onHeld` runs once when the button has been held for `holdMs`. */
  constructor(pinNumber: number, holdMs: number, onHeld: () => void, log: (line: string) => void) {
    let pin: PinIn | null = null;
    if (pinNumber >= 0) {
      try {
        pin = platform.openButton(pinNumber);
      } catch (error) {
        log("button: GPIO " + pinNumber + " unavailable: " + String(error));
      }
    }
    this.pin = pin;
    if (pin === null) return;
    this.timer = Timer.repeat(() => {
      if (pin.read() === 0) {
        this.heldMs += POLL_MS;
        if (this.heldMs >= holdMs && !this.fired) {
          this.fired = true;
          onHeld();
        }
      } else {
        this.heldMs = 0;
        this.fired = false;
      }
    }, POLL_MS);
  }

  /** How long the button has been held now (ms). */
  get held(): number {
    return this.heldMs;
  }

  close(): void {
    if (this.timer !== null) Timer.clear(this.timer);
    this.pin?.close();
  }
}
