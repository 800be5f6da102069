// The meter model as the Shelly emulation's grid source, with the reasons in words.

import type { GridView } from "../meter/grid-view";
import type { MeterModel } from "../meter/meter-model";
import type { GridSource } from "../shelly/host";

export class MeterGridSource implements GridSource {
  constructor(private readonly model: MeterModel, private readonly nowMs: () => number) {}

  gridView(): GridView | null {
    return this.model.gridView(this.nowMs());
  }

  unavailableReason(): string | null {
    const why = this.model.unavailable(this.nowMs());
    if (why === null) return null;
    switch (why.reason) {
      case "no_data":
        return "no valid frame since start";
      case "stale":
        return `no valid frame for ${Math.floor(why.ageMs / 1000)} s`;
      case "no_power":
        return "the meter sends no power value (enter the meter's PIN to enable its detailed data)";
    }
  }
}
