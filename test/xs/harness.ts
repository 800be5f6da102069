// Minimal test harness for suites that run inside XS (test/xs/*.xs.ts, run by run-xs.js).
// test() registers; the runner then runs each test in its own xsnap evaluate ("crank") and
// reads the outcome back. Assertion failures say what was expected and what came instead.

export { fixture, fixtureIndex, fixtureNames, singleFrameFixtureNames } from "./fixtures";
export type { FixtureIndexEntry } from "./fixtures";

type TestFn = () => void | Promise<void>;
const tests: { name: string; fn: TestFn }[] = [];

/** Registers a test. fn may be async; it must settle without timers (XS has none here). */
export function test(name: string, fn: TestFn): void {
  if (tests.some((t) => t.name === name)) throw new Error(`duplicate test name: ${name}`);
  tests.push({ name, fn });
}

export class AssertionError extends Error {
  override name = "AssertionError";
}

function fail(message: string, note?: string): never {
  throw new AssertionError(note ? `${note}: ${message}` : message);
}

/** Human-readable value: integers also in hex, byte arrays as hex, strings quoted. */
export function show(value: unknown): string {
  if (typeof value === "number") {
    return Number.isInteger(value) && value >= 0 && value <= 0xffffffff && value > 9
      ? `${value} (0x${value.toString(16)})`
      : Object.is(value, -0) ? "-0" : String(value);
  }
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const items = Array.from(value as unknown as ArrayLike<number>);
    const hex = items.slice(0, 32).map((b) => (typeof b === "number" && value instanceof Uint8Array ? b.toString(16).padStart(2, "0") : String(b)));
    return `${value.constructor.name}(${items.length}) [${hex.join(" ")}${items.length > 32 ? " …" : ""}]`;
  }
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (typeof value === "object" && value !== null) {
    try {
      const text = JSON.stringify(value, (_k, v: unknown) =>
        typeof v === "bigint" || (ArrayBuffer.isView(v) && v !== value) ? show(v) : v,
      );
      return text.length > 300 ? `${text.slice(0, 300)}…` : text;
    } catch {
      return Object.prototype.toString.call(value);
    }
  }
  return String(value);
}

export function ok(value: unknown, note?: string): asserts value {
  if (!value) fail(`expected a truthy value, got ${show(value)}`, note);
}

/** Strict equality (Object.is). */
export function equal<T>(actual: T, expected: T, note?: string): void {
  if (!Object.is(actual, expected)) fail(`expected ${show(expected)}, got ${show(actual)}`, note);
}

export function notEqual<T>(actual: T, expected: T, note?: string): void {
  if (Object.is(actual, expected)) fail(`expected anything but ${show(expected)}`, note);
}

/** Structural equality of primitives, arrays, typed arrays, Maps, Sets and plain objects. */
export function deepEqual<T>(actual: T, expected: T, note?: string): void {
  const difference = firstDifference(actual, expected, "");
  if (difference !== undefined) fail(difference, note);
}

function firstDifference(a: unknown, e: unknown, at: string): string | undefined {
  const where = at === "" ? "" : ` at ${at}`;
  if (Object.is(a, e)) return undefined;
  if (typeof a !== "object" || typeof e !== "object" || a === null || e === null) {
    return `expected ${show(e)}, got ${show(a)}${where}`;
  }
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(e)) {
    return `expected a ${e.constructor?.name ?? "null-prototype object"}, got a ${a.constructor?.name ?? "null-prototype object"}${where}`;
  }
  if (a instanceof Map && e instanceof Map) {
    if (a.size !== e.size) return `expected a Map of size ${e.size}, got ${a.size}${where}`;
    for (const [key, value] of e) {
      if (!a.has(key)) return `missing Map key ${show(key)}${where}`;
      const d = firstDifference(a.get(key), value, `${at}.get(${show(key)})`);
      if (d) return d;
    }
    return undefined;
  }
  if (a instanceof Set && e instanceof Set) {
    if (a.size !== e.size) return `expected a Set of size ${e.size}, got ${a.size}${where}`;
    for (const value of e) if (!a.has(value)) return `missing Set member ${show(value)}${where}`;
    return undefined;
  }
  if (Array.isArray(a) || ArrayBuffer.isView(a)) {
    const av = a as unknown as ArrayLike<unknown>;
    const ev = e as unknown as ArrayLike<unknown>;
    const n = Math.min(av.length, ev.length);
    for (let i = 0; i < n; i++) {
      const d = firstDifference(av[i], ev[i], `${at}[${i}]`);
      // Show the whole sequence once, around the innermost mismatching element.
      if (d) return typeof ev[i] === "object" && ev[i] !== null ? d : `${d} (actual ${show(a)}, expected ${show(e)})`;
    }
    if (av.length !== ev.length) return `expected length ${ev.length}, got ${av.length}${where} (actual ${show(a)}, expected ${show(e)})`;
    return undefined;
  }
  const aKeys = Object.keys(a);
  const eKeys = Object.keys(e);
  for (const key of eKeys) {
    if (!Object.prototype.hasOwnProperty.call(a, key)) return `missing property ${JSON.stringify(key)}${where}`;
  }
  for (const key of aKeys) {
    if (!Object.prototype.hasOwnProperty.call(e, key)) return `unexpected property ${JSON.stringify(key)}${where}`;
  }
  for (const key of eKeys) {
    const d = firstDifference((a as Record<string, unknown>)[key], (e as Record<string, unknown>)[key], `${at}.${key}`);
    if (d) return d;
  }
  return undefined;
}

type ErrorMatcher = RegExp | string | (new (...args: never[]) => Error);

function checkThrown(error: unknown, expected: ErrorMatcher | undefined, note?: string): void {
  if (expected === undefined) return;
  const message = error instanceof Error ? error.message : String(error);
  if (expected instanceof RegExp) {
    if (!expected.test(message)) fail(`expected an error matching ${expected}, got ${show(error)}`, note);
  } else if (typeof expected === "string") {
    if (!message.includes(expected)) fail(`expected an error containing ${show(expected)}, got ${show(error)}`, note);
  } else if (!(error instanceof expected)) {
    fail(`expected a ${expected.name}, got ${show(error)}`, note);
  }
}

/** fn must throw; expected narrows it down (message RegExp, message substring, or class). */
export function throws(fn: () => unknown, expected?: ErrorMatcher, note?: string): unknown {
  try {
    fn();
  } catch (error) {
    checkThrown(error, expected, note);
    return error;
  }
  return fail("expected the function to throw, it returned", note);
}

/** The async counterpart of throws(). */
export async function rejects(fn: () => Promise<unknown>, expected?: ErrorMatcher, note?: string): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    checkThrown(error, expected, note);
    return error;
  }
  return fail("expected the promise to reject, it resolved", note);
}

// ---- Runner interface (called by run-xs.js through xsnap's evaluate) ----

type Outcome = { ok: true } | { ok: false; message: string };

function encode(value: unknown): ArrayBuffer {
  return new TextEncoder().encode(JSON.stringify(value)).buffer as ArrayBuffer;
}

function describe(error: unknown): string {
  if (error instanceof AssertionError) return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return `threw a non-Error: ${show(error)}`;
}

/** xsnap replies with holder.result if it is set before the promise queue drains. */
function runTest(index: number): { result?: ArrayBuffer } {
  const holder: { result?: ArrayBuffer } = {};
  const settle = (outcome: Outcome) => {
    holder.result = encode(outcome);
  };
  const entry = tests[index];
  if (!entry) {
    settle({ ok: false, message: `no test #${index}` });
    return holder;
  }
  try {
    const returned = entry.fn();
    if (returned && typeof (returned as Promise<void>).then === "function") {
      (returned as Promise<void>).then(
        () => settle({ ok: true }),
        (error: unknown) => settle({ ok: false, message: describe(error) }),
      );
    } else {
      settle({ ok: true });
    }
  } catch (error) {
    settle({ ok: false, message: describe(error) });
  }
  return holder;
}

(globalThis as { __xsHarness?: unknown }).__xsHarness = {
  names: () => encode(tests.map((t) => t.name)),
  run: runTest,
};
