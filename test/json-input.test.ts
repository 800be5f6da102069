// json-input keeps only known property names (XS never frees a name: a peer must not add
// any), without changing what valid and invalid input parse to otherwise. The known list is
// checked against its sources: the field tables, the settings schema and every read of a
// peer's object in the core. test/json-input-xs.test.ts checks the key table on XS itself.

import test from "ava";
import fc from "fast-check";
import assert from "node:assert/strict";
import path from "node:path";
import ts from "typescript";
import { MAX_JSON_DEPTH, parseJsonBounded, parseQueryParams } from "../modules/shelly/json-input";
import { KNOWN_KEYS, UNREAD_NAMES } from "../modules/shelly/known-keys";
import { COMPONENTS } from "../modules/shelly/components";
import type { Field } from "../modules/shelly/fields";
import { SCHEMA } from "../modules/config/schema";
import { routeHttp } from "../modules/shelly/http-router";
import { makeRig, repoRoot } from "./shelly-helpers";
import { filtered } from "./support/json-filter";

// ---- parsing ------------------------------------------------------------------------------

test("a typical frame parses as it is, with no unknown names", (t) => {
  const text = '{"id":1,"src":"x","method":"EM.GetStatus","params":{"id":0}}';
  t.deepEqual(parseJsonBounded(text), { ok: true, value: JSON.parse(text), unknownNames: [] });
});

test("unknown names are dropped at every depth and listed in order, decoded", (t) => {
  const r = parseJsonBounded(
    '{"jsonrpc":"2.0","id":7,"method":"Sys.SetConfig","params":{"config":{"device":{"name":"x","colour":"red"},' +
      '"x\\u0041":[{"id":1,"zz":2}]},"extra":{"id":3}},"list":[{"src":"a"},{"src":"b","n\\"q":1}]}',
  );
  t.deepEqual(r, {
    ok: true,
    value: { id: 7, method: "Sys.SetConfig", params: { config: { device: { name: "x" } } } },
    unknownNames: ["jsonrpc", "colour", "xA", "zz", "extra", "list", 'n"q'],
  });
});

test("names written with escapes are read as JSON.parse reads them", (t) => {
  t.deepEqual(parseJsonBounded('{"\\u0069d":1,"\\u0073rc":"a\\"b","method" :"m"}'), {
    ok: true,
    value: { id: 1, src: 'a"b', method: "m" },
    unknownNames: [],
  });
  // Quotes and colons inside values are no names.
  t.deepEqual(parseJsonBounded('{"src":"\\":\\"\\\\","id":["a\\\\\\"",":",{"\\\\":1}]}'), {
    ok: true,
    value: { src: '":"\\', id: ['a\\"', ":", {}] },
    unknownNames: ["\\"],
  });
  // Whitespace between a name and its colon.
  t.deepEqual(parseJsonBounded('{ "id" \r\n\t: 1 , "foo"\n:2 }'), { ok: true, value: { id: 1 }, unknownNames: ["foo"] });
});

test("__proto__ and names that are indexes are dropped; the prototype stays Object.prototype", (t) => {
  const r = parseJsonBounded('{"__proto__":{"id":1},"0":1,"constructor":2,"params":{"__proto__":[]}}');
  t.true(r.ok);
  if (!r.ok) return;
  const value = r.value as Record<string, unknown>;
  t.is(Object.getPrototypeOf(value), Object.prototype);
  t.is(Object.getPrototypeOf(value.params), Object.prototype);
  t.deepEqual(Object.keys(value), ["params"]);
  t.deepEqual(Object.keys(value.params as object), []);
  t.deepEqual(r.unknownNames, ["__proto__", "0", "constructor", "__proto__"]);
});

test("values without names: arrays, strings, numbers, literals", (t) => {
  for (const text of ['["em:0","sys"]', '"x"', "0", "-1.5e3", "true", "null", "[]", "{}", ' [ {} , [ "a" ] ] ']) {
    t.deepEqual(parseJsonBounded(text), { ok: true, value: JSON.parse(text), unknownNames: [] }, text);
  }
});

test("malformed JSON: 'Invalid JSON', also where a name is broken or unknown", (t) => {
  const bad = [
    "", " ", "{", "}", "[1,", '{"id":1,}', '{"id" 1}', '{"foo" 1}', '{"id":1', '{"id":"x', '{"id', '{"fo\\x":1}',
    '{"a\nb":1}', '{"\\u00zz":1}', "{id:1}", "{'id':1}", '{"id":1}x', '"\\"', "[1 2]", '{"id":01}', "nul", "[\"a\\\"]",
    '{"id":1,"id"}', '{"method":"x"}}', '"unterminated',
  ];
  for (const text of bad) t.deepEqual(parseJsonBounded(text), { ok: false, message: "Invalid JSON" }, JSON.stringify(text));
});

test("depth limit: refused before parsing, counted outside strings only", (t) => {
  const deep = { ok: false, message: "JSON nested deeper than 16 levels" };
  t.deepEqual(parseJsonBounded("[".repeat(10000)), deep);
  t.deepEqual(parseJsonBounded("[".repeat(17) + "]".repeat(17)), deep);
  t.deepEqual(parseJsonBounded('{"params":'.repeat(17) + "1" + "}".repeat(17)), deep);
  t.true(parseJsonBounded("[".repeat(16) + "]".repeat(16)).ok);
  t.deepEqual(parseJsonBounded('{"id":"' + "[{".repeat(50) + '"}'), { ok: true, value: { id: "[{".repeat(50) }, unknownNames: [] });
  // Many brackets side by side are no nesting.
  t.deepEqual(parseJsonBounded("[" + "[],".repeat(40) + "{}]"), { ok: true, value: JSON.parse("[" + "[],".repeat(40) + "{}]"), unknownNames: [] });
  t.deepEqual(parseJsonBounded('{"id":{"id":{}}}', 2), { ok: false, message: "JSON nested deeper than 2 levels" });
  t.true(parseJsonBounded('{"id":{"id":1}}', 2).ok);
  t.is(MAX_JSON_DEPTH, 16);
});

// ---- against JSON.parse: random texts ----------------------------------------------------

interface Generated {
  text: string;
  /** Unknown names in text order. */
  unknown: string[];
}

const knownSample = [...KNOWN_KEYS].slice(0, 12);
const nameArb = fc.oneof(
  fc.constantFrom(...knownSample, "__proto__", "constructor", "0", "17", "", "a\"b", "c\\", ":", "{["),
  fc.string({ maxLength: 6 }),
  fc.string({ unit: "binary", maxLength: 4 }),
);
const ws = fc.constantFrom("", "", "", " ", "\n\t ", "\r\n");
/** A name as JSON text: JSON.stringify's form, or every character as a \u escape. */
const nameTextArb = fc.tuple(nameArb, fc.boolean()).map(([name, escapeAll]) => ({
  name,
  text: escapeAll ? '"' + Array.from(name, (c) => c.split("").map((u) => "\\u" + u.charCodeAt(0).toString(16).padStart(4, "0")).join("")).join("") + '"' : JSON.stringify(name),
}));
const leafArb: fc.Arbitrary<Generated> = fc
  .oneof(fc.constantFrom("true", "false", "null", "0", "-1.5e3", '"id"', '":"', '"\\""', '"\\\\"'), fc.string({ maxLength: 5 }).map((s) => JSON.stringify(s)), fc.integer().map(String))
  .map((text) => ({ text, unknown: [] }));
const { value: jsonArb } = fc.letrec<{ value: Generated; array: Generated; object: Generated }>((tie) => ({
  value: fc.oneof({ depthSize: "small" }, leafArb, tie("array"), tie("object")),
  array: fc.tuple(fc.array(fc.tuple(ws, tie("value"), ws), { maxLength: 4 }), ws).map(([items, end]) => ({
    text: "[" + items.map(([a, v, b]) => a + v.text + b).join(",") + end + "]",
    unknown: items.flatMap(([, v]) => v.unknown),
  })),
  object: fc.tuple(fc.array(fc.tuple(ws, nameTextArb, ws, ws, tie("value")), { maxLength: 4 }), ws).map(([entries, end]) => ({
    text: "{" + entries.map(([a, n, b, c, v]) => a + n.text + b + ":" + c + v.text).join(",") + end + "}",
    unknown: entries.flatMap(([, n, , , v]) => (KNOWN_KEYS.has(n.name) ? v.unknown : [n.name, ...v.unknown])),
  })),
}));

test("random JSON: the value JSON.parse gives without unknown names; the unknown names in order", (t) => {
  fc.assert(
    fc.property(jsonArb, ({ text, unknown }) => {
      assert.deepEqual(parseJsonBounded(text, 64), { ok: true, value: filtered(JSON.parse(text)), unknownNames: unknown }, text);
    }),
    { numRuns: 3000 },
  );
  t.pass();
});

test("random damage: refused exactly when JSON.parse refuses; otherwise the same value without unknown names", (t) => {
  const damaged = fc.tuple(jsonArb, fc.nat(), fc.constantFrom("", '"', "\\", ":", "{", "}", "[", "]", ",", "x", "\u0001")).map(([g, at, insert]) => {
    const i = at % (g.text.length + 1);
    return insert === "" ? g.text.slice(0, i) + g.text.slice(i + 1) : g.text.slice(0, i) + insert + g.text.slice(i);
  });
  fc.assert(
    fc.property(fc.oneof(damaged, fc.string({ maxLength: 20 })), (text) => {
      let expected: unknown;
      try {
        expected = { ok: true, value: filtered(JSON.parse(text)) };
      } catch {
        expected = { ok: false, message: "Invalid JSON" };
      }
      const r = parseJsonBounded(text, 64);
      assert.deepEqual(r.ok ? { ok: true, value: r.value } : r, expected, JSON.stringify(text));
    }),
    { numRuns: 5000 },
  );
  t.pass();
});

// ---- query strings ------------------------------------------------------------------------

test("query: values as JSON or plain text, bare names true, later duplicates win", (t) => {
  t.deepEqual(parseQueryParams("id=0"), { id: 0 });
  t.deepEqual(parseQueryParams("ident=true&esp"), { ident: true, esp: true });
  t.deepEqual(parseQueryParams("name=foo&tz=Etc/GMT+1"), { name: "foo", tz: "Etc/GMT+1" });
  t.deepEqual(parseQueryParams('name="x%20y"&id=1&id=2&&=3'), { name: "x y", id: 2 });
  t.deepEqual(parseQueryParams("name=%E0%A4%A&offset="), { name: "%E0%A4%A", offset: "" });
  t.deepEqual(parseQueryParams("keys=%5B%22em%3A0%22%5D&include=[%22status%22]"), { keys: ["em:0"], include: ["status"] });
  t.deepEqual(parseQueryParams("%69d=3"), { id: 3 }, "names are URL-decoded before they are looked up");
  t.deepEqual(parseQueryParams(""), {});
});

test("query: unknown names, also inside JSON values, are left out and listed", (t) => {
  const unknown: string[] = [];
  const params = parseQueryParams("id=0&x=1&__proto__=1&config=%7B%22enable%22%3Atrue%2C%22foo%22%3A1%7D&bar&r%C3%A9", unknown);
  t.deepEqual(params, { id: 0, config: { enable: true } });
  t.is(Object.getPrototypeOf(params), Object.prototype);
  t.deepEqual(unknown, ["x", "__proto__", "foo", "bar", "ré"]);
  t.deepEqual(parseQueryParams("x=1&y"), {}, "the list is optional");
  // A value that is not JSON stays text, with whatever it contains.
  t.deepEqual(parseQueryParams('config={"foo":1'), { config: '{"foo":1' });
});

// ---- through the device --------------------------------------------------------------------

test("requests with unknown names are answered as without them", (t) => {
  const { device } = makeRig();
  const get = routeHttp(device, { method: "GET", path: "/rpc/Shelly.GetDeviceInfo", query: "ident=true&random_8f3a=1", headers: {}, body: "" });
  t.is(get.status, 200);
  const frame = device.handleFrameText('{"id":5,"src":"me","method":"Shelly.GetDeviceInfo","jsonrpc":"2.0","params":{"ident":true,"z":[1]}}', "ws");
  t.is(JSON.parse(frame.reply!).result.id, JSON.parse(get.body).id);
  // A config field the device does not know is ignored, as a real Shelly does; known ones apply.
  const set = routeHttp(device, { method: "POST", path: "/rpc/Sys.SetConfig", query: "", headers: {}, body: '{"config":{"device":{"name":"Meter","colour":"red"}}}' });
  t.is(set.status, 200, set.body);
  t.is(device.settings.name, "Meter");
});

// ---- the known names and where they come from ----------------------------------------------

function configFieldNames(): Set<string> {
  const names = new Set<string>();
  const walk = (fields: readonly Field[]) => {
    for (const f of fields) {
      names.add(f.key);
      if (f.fields) walk(f.fields);
    }
  };
  for (const c of COMPONENTS) walk(c.config);
  return names;
}

/**
 * Files whose Record<string, unknown> objects never come from a peer: they are not searched.
 * migration.ts reads the settings record stored in flash.
 */
const NOT_PEER_INPUT = new Set(["modules/config/migration.ts"]);

/**
 * Every name the core reads from an object typed `Record<string, unknown>`, the type peer
 * JSON has once isPlainObject has checked it (params, frames, auth, web bodies): `o.name`,
 * `o["name"]` and `const { name } = o`, found through the type checker, so aliases (`p`,
 * `frame`, `body.value`) count too. Maps name → places.
 */
function namesReadFromPeerObjects(): Map<string, string[]> {
  const configFile = path.join(repoRoot, "tsconfig.core.json");
  const config = ts.parseJsonConfigFileContent(ts.readConfigFile(configFile, ts.sys.readFile).config, ts.sys, repoRoot);
  const program = ts.createProgram(config.fileNames, config.options);
  const checker = program.getTypeChecker();
  const isPeerObject = (node: ts.Node): boolean => {
    const type = checker.getTypeAtLocation(node);
    const values = type.getStringIndexType();
    return values !== undefined && (values.flags & ts.TypeFlags.Unknown) !== 0 && type.getProperties().length === 0;
  };
  const found = new Map<string, string[]>();
  for (const file of program.getSourceFiles()) {
    const rel = path.relative(repoRoot, file.fileName).split(path.sep).join("/");
    if (file.isDeclarationFile || rel.startsWith("..") || rel.startsWith("node_modules/") || NOT_PEER_INPUT.has(rel)) continue;
    const add = (name: string, node: ts.Node) => {
      const where = rel + ":" + (file.getLineAndCharacterOfPosition(node.getStart()).line + 1);
      found.set(name, [...(found.get(name) ?? []), where]);
    };
    const visit = (node: ts.Node): void => {
      if (ts.isPropertyAccessExpression(node) && isPeerObject(node.expression)) add(node.name.text, node);
      else if (ts.isElementAccessExpression(node) && ts.isStringLiteralLike(node.argumentExpression) && isPeerObject(node.expression)) {
        add(node.argumentExpression.text, node);
      } else if (ts.isObjectBindingPattern(node) && ts.isVariableDeclaration(node.parent) && node.parent.initializer !== undefined && isPeerObject(node.parent.initializer)) {
        for (const element of node.elements) {
          const name = element.propertyName ?? element.name;
          if (ts.isIdentifier(name) || ts.isStringLiteral(name)) add(name.text, element);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return found;
}

test("known names = config fields + settings keys + names the core reads from peer objects + the few unread ones", (t) => {
  const reads = namesReadFromPeerObjects();
  // The search finds what it must (else it would pass by finding nothing).
  for (const name of ["id", "params", "auth", "cnonce", "delay_ms", "dynamic_only", "ha1", "proof", "confirm"]) t.true(reads.has(name), name);

  const sources = new Map<string, string>();
  for (const name of configFieldNames()) sources.set(name, "a component config field (components.ts)");
  for (const spec of SCHEMA) sources.set(spec.key, "a settings key (config/schema.ts)");
  for (const [name, places] of reads) sources.set(name, "read at " + places.join(", "));
  for (const name of UNREAD_NAMES) sources.set(name, "UNREAD_NAMES");

  const missing = [...sources].filter(([name]) => !KNOWN_KEYS.has(name)).map(([name, why]) => `${name} (${why})`);
  t.deepEqual(missing, [], "json-input would drop these names although something reads them: add them to known-keys.ts");
  const stale = [...KNOWN_KEYS].filter((name) => !sources.has(name));
  t.deepEqual(stale, [], "known-keys.ts lists names nothing reads any more");
});

test("the known names are a frozen table without __proto__", (t) => {
  t.true(Object.isFrozen(KNOWN_KEYS) && Object.isFrozen(UNREAD_NAMES));
  t.false(KNOWN_KEYS.has("__proto__"));
  for (const name of UNREAD_NAMES) t.true(KNOWN_KEYS.has(name), name);
});
