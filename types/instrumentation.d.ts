// Runtime statistics (`import Instrumentation from "instrumentation"`), e.g. free memory for
// Shelly's sys.ram_free. Follows Moddable SDK documentation/base/base.md ("class Instrumentation").
// Indices differ per host: look them up once with map(). Some counters reset every second.
declare module "instrumentation" {
  export type InstrumentationName =
    | "Pixels Drawn"
    | "Frames Drawn"
    | "Network Bytes Read"
    | "Network Bytes Written"
    | "Network Sockets"
    | "Timers"
    | "Files"
    | "Poco Display List Used"
    | "Piu Command List Used"
    | "Turns"
    | "CPU 0"
    | "CPU 1"
    | "System Free Memory"
    | "XS Slot Heap Used"
    | "XS Chunk Heap Used"
    | "XS Keys Used"
    | "XS Garbage Collection Count"
    | "XS Modules Loaded"
    | "XS Stack Used"
    | "XS Promises Settled";

  const Instrumentation: {
    /** Value of the item at `index` (1-based), undefined when there is none. */
    get(index: number): number | undefined;
    /** Index of a named item on this host, undefined when the host lacks it. */
    map(name: InstrumentationName): number | undefined;
    /** Name of the item at `index`, undefined past the last one. */
    name(index: number): string | undefined;
  };
  export default Instrumentation;
}
