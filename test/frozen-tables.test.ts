// The core's constant tables are frozen all the way down: on the device (modules preloaded)
// a frozen table stays in flash, an unfrozen one is copied to RAM at start-up, and nothing
// may change a table at run time on either engine. The Moddable linker (xsl) reports every
// table this misses as "not frozen"; these tests catch it on Node.

import test, { type ExecutionContext } from "ava";
import { applyChanges, defaultValues, fieldSpec, loadSettings, needsRestart, SCHEMA, schemaForPage } from "../modules/config/schema";
import { SERVICE_TYPES } from "../modules/net/mdns-responder";
import { COMPONENTS, EM_PHASE_FIELDS, METHOD_LIST_ORDER, PHASE_LETTERS } from "../modules/shelly/components";
import { deepFreeze } from "../modules/shelly/fields";
import { OBIS, UNIT } from "../sml/encoder";

/** Every object and array reachable through properties (functions and typed arrays aside) is frozen. */
function assertDeepFrozen(t: ExecutionContext, value: unknown, path: string): void {
  if (typeof value !== "object" || value === null || ArrayBuffer.isView(value)) return;
  t.true(Object.isFrozen(value), path + " is not frozen");
  for (const [key, inner] of Object.entries(value)) assertDeepFrozen(t, inner, path + "." + key);
}

const TABLES: Record<string, unknown> = {
  COMPONENTS, EM_PHASE_FIELDS, METHOD_LIST_ORDER, PHASE_LETTERS, SCHEMA, SERVICE_TYPES, OBIS, UNIT,
};

for (const [name, table] of Object.entries(TABLES)) {
  test(`${name} is frozen all the way down`, (t) => {
    assertDeepFrozen(t, table, name);
  });
}

test("a frozen table refuses changes (modules are strict: a write throws)", (t) => {
  t.throws(() => (COMPONENTS[0] as { key: string }).key = "x", { instanceOf: TypeError });
  t.throws(() => (COMPONENTS[7].config as unknown[]).push({}), { instanceOf: TypeError });
  t.throws(() => ((SCHEMA[3].choices as number[])[0] = 1), { instanceOf: TypeError });
  t.throws(() => (OBIS.power as number[]).fill(0), { instanceOf: TypeError });
  t.is(COMPONENTS[0].key, "ble");
});

test("deepFreeze freezes nested objects and arrays, returns its argument, leaves functions and typed arrays alone", (t) => {
  const get = () => 1;
  const bytes = Uint8Array.of(1, 2);
  const table = { list: [{ a: 1 }, [2, 3]], get, bytes, text: "x", none: null };
  t.is(deepFreeze(table), table);
  assertDeepFrozen(t, table, "table");
  t.false(Object.isFrozen(get));
  bytes[0] = 9;
  t.is(bytes[0], 9);
  t.is(deepFreeze(5), 5);
  t.is(deepFreeze(null), null);
});

test("the page's schema is an unfrozen copy (XS's JSON.stringify refuses a table in flash)", (t) => {
  const page = schemaForPage();
  t.deepEqual(page, SCHEMA as unknown);
  t.false(Object.isFrozen(page));
  for (const spec of page) {
    t.false(Object.isFrozen(spec));
    if (spec.choices) t.false(Object.isFrozen(spec.choices));
    if (Array.isArray(spec.default)) t.false(Object.isFrozen(spec.default));
  }
  const values = defaultValues();
  t.false(Object.isFrozen(values["emulation.udpPorts"]), "defaults are copies of the schema's");
});

test("settings keys are looked up without the prototype: Object.prototype's names are unknown settings", (t) => {
  t.is(fieldSpec("constructor"), undefined);
  t.is(fieldSpec("__proto__"), undefined);
  t.is(fieldSpec("meter.baud")?.default, 9600);
  t.deepEqual(applyChanges(defaultValues(), { constructor: 1, toString: "x" }), {
    ok: false,
    errors: { constructor: 'Unknown setting "constructor".', toString: 'Unknown setting "toString".' },
  });
  const loaded = loadSettings(JSON.parse('{"version": 1, "values": {"hasOwnProperty": 1, "__proto__": 2}}'));
  t.deepEqual(loaded.problems, ["unknown setting hasOwnProperty dropped", "unknown setting __proto__ dropped"]);
  t.false(needsRestart(["constructor"]));
});
