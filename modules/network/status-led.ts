// What the status LED shows, as a function of time: the device shell toggles a GPIO (on
// boards with a plain LED) every 100 ms with ledLevel().
//
//   setup access point on          fast blink (5 per second)
//   joining / retrying the WiFi    slow blink (1 per second)
//   connected, meter data fresh    on
//   connected, no meter data       short flash every 2 s

export type LedState = "portal" | "connecting" | "ok" | "no-meter";

export function ledState(apOn: boolean, stationConnected: boolean, meterFresh: boolean): LedState {
  if (apOn && !stationConnected) return "portal";
  if (!stationConnected) return "connecting";
  return meterFresh ? "ok" : "no-meter";
}

/** Whether the LED is lit at `nowMs` (any monotonic origin). */
export function ledLevel(state: LedState, nowMs: number): boolean {
  const t = ((nowMs % 2000) + 2000) % 2000;
  switch (state) {
    case "portal":
      return t % 200 < 100;
    case "connecting":
      return t % 1000 < 500;
    case "ok":
      return true;
    case "no-meter":
      return t < 100;
  }
}
