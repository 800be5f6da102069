// Globals that XS and the Moddable runtime add to every program, for type-checking the device
// code outside mcconfig. Follows Moddable SDK documentation/xs/XS Differences.md (trace,
// ArrayBuffer.fromString, String.fromArrayBuffer) and documentation/xs/preload.md (deep freeze).
// mcconfig builds get these from the SDK's own xs.d.ts instead: do not list this file in the
// manifest's typescript "types" (trace would be declared twice). The signatures here are kept
// no wider than the SDK's, so code that checks against them also checks under mcconfig.

/** Writes text to the debug console (xsbug, or stdout of the simulator). No newline is added. */
declare const trace: (...values: (string | number | boolean)[]) => void;

interface ArrayBufferConstructor {
  /** XS: UTF-8 encodes a string into a new ArrayBuffer. */
  fromString(text: string): ArrayBuffer;
}

interface StringConstructor {
  /** XS: decodes a UTF-8 ArrayBuffer into a string; throws on invalid UTF-8. */
  fromArrayBuffer(buffer: ArrayBufferLike): string;
}

interface ObjectConstructor {
  /** XS: with `deep` true, freezes the object and everything reachable from it. */
  freeze<T>(value: T, deep: boolean): Readonly<T>;
}
