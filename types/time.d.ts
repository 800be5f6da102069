// System clock and tick counter (`import Time from "time"`).
// Follows Moddable SDK documentation/base/base.md ("class Time").
declare module "time" {
  const Time: {
    /** Sets the wall clock, in seconds since 1970 (e.g. from SNTP). */
    set(seconds: number): void;
    /** Offset from UTC in seconds. */
    timezone: number;
    /** Daylight saving offset in seconds. */
    dst: number;
    /**
     * Millisecond counter, unrelated to the time of day. A signed 32-bit value that wraps on
     * microcontrollers; a large float on the simulator. Compare with delta().
     */
    readonly ticks: number;
    /** end - start in ms, correct across wrap-around; `end` defaults to now. */
    delta(start: number, end?: number): number;
    /** Only with $(MODULES)/base/microseconds/manifest.json included. */
    readonly microseconds?: number;
  };
  export default Time;
}
