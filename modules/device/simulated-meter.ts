// A virtual meter instead of the read head (config meterSource "simulated"): one SML frame
// per second from modules/simulator/virtual-meter, through the same decoding path.

import Timer, { type TimerID } from "timer";
import { VirtualMeter } from "../simulator/virtual-meter";

export class SimulatedMeter {
  private readonly meter = new VirtualMeter({ seed: 7 });
  private readonly timer: TimerID;

  constructor(nowMs: () => number, unixTime: () => number | null, onBytes: (chunk: Uint8Array) => void) {
    this.timer = Timer.repeat(() => {
      const t = unixTime();
      // Local hour of day for the PV curve; noon until the clock is set.
      const hour = t === null ? 12 : ((t / 3600) % 24 + 24) % 24;
      onBytes(this.meter.frame(nowMs(), hour));
    }, 1000);
  }

  close(): void {
    Timer.clear(this.timer);
  }
}
