// Timers on the Moddable event loop (`import Timer from "timer"`).
// Follows Moddable SDK documentation/base/base.md ("class Timer").
declare module "timer" {
  /** Opaque timer handle (a host object; the brand only keeps other values out). */
  export interface TimerID {
    readonly __brand: "TimerID";
  }

  const Timer: {
    /** Runs once after `interval` ms (default 0), then every `repeat` ms when given. */
    set(callback: (id: TimerID) => void, interval?: number, repeat?: number): TimerID;
    /** Runs every `interval` ms. */
    repeat(callback: (id: TimerID) => void, interval: number): TimerID;
    /** Re-arms a timer; without intervals it is suspended until scheduled again. */
    schedule(id: TimerID, interval?: number, repeat?: number): void;
    /** Cancels; undefined and null are ignored. One-shot timers clear themselves. */
    clear(id: TimerID | undefined | null): void;
    /** Blocks for `ms` milliseconds (use sparingly). */
    delay(ms: number): void;
  };
  export default Timer;
}
