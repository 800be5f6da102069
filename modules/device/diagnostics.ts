// Runtime numbers from Moddable's `instrumentation` (only in debug and instrumented builds;
// a plain release build returns nothing): free system memory for Sys.GetStatus, and XS heap
// use for the memory budget, traced every config.traceMemoryS seconds when configured.

import Debug from "debug";
import Instrumentation, { type InstrumentationName } from "instrumentation";

const NAMES: readonly InstrumentationName[] = Object.freeze([
  "System Free Memory",
  "XS Chunk Heap Used",
  "XS Slot Heap Used",
  "XS Stack Used",
  "XS Keys Used",
  "XS Garbage Collection Count",
  "XS Modules Loaded",
  "Network Sockets",
  "Timers",
]);

export type Sample = Partial<Record<InstrumentationName, number>>;

export class Diagnostics {
  private readonly indices: { name: InstrumentationName; index: number }[] = [];

  constructor() {
    for (const name of NAMES) {
      const index = Instrumentation.map(name);
      if (index !== undefined) this.indices.push({ name, index });
    }
  }

  /** False in release builds without instrumentation. */
  get available(): boolean {
    return this.indices.length > 0;
  }

  sample(): Sample {
    const out: Sample = {};
    for (const { name, index } of this.indices) {
      const value = Instrumentation.get(index);
      if (value !== undefined) out[name] = value;
    }
    return out;
  }

  get(name: InstrumentationName): number | undefined {
    for (const entry of this.indices) if (entry.name === name) return Instrumentation.get(entry.index);
    return undefined;
  }

  /**
   * One line: "mem free=… chunk=… slot=… stack=… keys=… gc=… sockets=… timers=…", after a
   * garbage collection, so that chunk and slot are what is alive (the memory budget).
   */
  line(): string {
    Debug.gc();
    const s = this.sample();
    return (
      "mem free=" + (s["System Free Memory"] ?? "-") +
      " chunk=" + (s["XS Chunk Heap Used"] ?? "-") +
      " slot=" + (s["XS Slot Heap Used"] ?? "-") +
      " stack=" + (s["XS Stack Used"] ?? "-") +
      " keys=" + (s["XS Keys Used"] ?? "-") +
      " gc=" + (s["XS Garbage Collection Count"] ?? "-") +
      " modules=" + (s["XS Modules Loaded"] ?? "-") +
      " sockets=" + (s["Network Sockets"] ?? "-") +
      " timers=" + (s["Timers"] ?? "-")
    );
  }
}
