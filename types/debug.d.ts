// Garbage collection on demand (`import Debug from "debug"`; include
// $(MODULES)/base/debug/manifest.json). Follows the SDK's modules/base/debug (debug.js).
declare module "debug" {
  export default class Debug {
    /** Without an argument: collect garbage now. With one: enable or disable collection. */
    static gc(enable?: boolean): void;
  }
}
