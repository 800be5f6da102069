import test from "ava";
import fc from "fast-check";
import { JsonWriter, formatFixed, formatNumber, quoteJsonString } from "../modules/shelly/json-writer";
import { referenceFixed } from "./support/reference-fixed";


test("prints the device's fixed decimals", (t) => {
  t.is(formatFixed(50, 1), "50.0");
  t.is(formatFixed(0.5, 2), "0.50");
  t.is(formatFixed(480.924, 3), "480.924");
  t.is(formatFixed(0, 2), "0.00");
  t.is(formatFixed(1562384.2, 2), "1562384.20");
  t.is(formatFixed(2589773.39, 2), "2589773.39");
  t.is(formatFixed(12, 0), "12");
  t.is(formatFixed(-170.8, 1), "-170.8");
});

test("rounds the shortest decimal form half away from zero", (t) => {
  t.is(formatFixed(1.005, 2), "1.01", "toFixed gives 1.00");
  t.is(formatFixed(2.675, 2), "2.68", "toFixed gives 2.67");
  t.is(formatFixed(1.45, 1), "1.5");
  t.is(formatFixed(-1.45, 1), "-1.5");
  t.is(formatFixed(0.125, 2), "0.13");
  t.is(formatFixed(-0.125, 2), "-0.13");
  t.is(formatFixed(2.5, 0), "3");
  t.is(formatFixed(-2.5, 0), "-3");
  t.is(formatFixed(0.5, 0), "1");
  t.is(formatFixed(9.995, 2), "10.00");
  t.is(formatFixed(999.9999, 3), "1000.000");
  t.is(formatFixed(0.0049, 2), "0.00");
  t.is(formatFixed(0.005, 2), "0.01");
  t.is(formatFixed(1.0049999999999999, 2), "1.01", "the same double as 1.005: String() prints 1.005");
  t.is(formatFixed(230.50000000000003, 1), "230.5");
});

test("negative zero and values rounding to zero print without a minus", (t) => {
  t.is(formatFixed(-0, 2), "0.00");
  t.is(formatFixed(-0.001, 2), "0.00");
  t.is(formatFixed(-0.004999, 2), "0.00");
  t.is(formatFixed(-0.4, 0), "0");
  t.is(formatFixed(-1e-300, 3), "0.000");
  t.is(formatNumber(-0), "0");
});

test("non-finite numbers print as null", (t) => {
  t.is(formatFixed(NaN, 2), "null");
  t.is(formatFixed(Infinity, 1), "null");
  t.is(formatFixed(-Infinity, 1), "null");
  t.is(formatNumber(NaN), "null");
  t.is(new JsonWriter().beginObject().key("a").fixed(NaN, 1).key("b").fixed(null, 2).endObject().toString(), '{"a":null,"b":null}');
});

test("very large and very small numbers expand without exponent", (t) => {
  t.is(formatFixed(1e21, 2), "1000000000000000000000.00");
  t.is(formatFixed(1.5e-7, 7), "0.0000002");
  t.is(formatFixed(1.5e-7, 6), "0.000000");
  t.is(formatFixed(5e-324, 2), "0.00");
  t.is(formatFixed(Number.MAX_VALUE, 1), referenceFixed(Number.MAX_VALUE, 1));
  t.is(formatFixed(123456789012.345, 2), "123456789012.35");
});

test("property: output is well-formed, parses to the correctly rounded value", (t) => {
  const decimals = fc.integer({ min: 0, max: 6 });
  const check = (x: number, d: number) => {
    const out = formatFixed(x, d);
    const ref = referenceFixed(x, d);
    if (out !== ref) return false;
    if (!new RegExp(d === 0 ? "^-?\\d+$" : `^-?\\d+\\.\\d{${d}}$`).test(out)) return false;
    if (JSON.parse(out) !== Number(ref)) return false;
    if (/^-0(\.0*)?$/.test(out)) return false;
    return true;
  };
  fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), decimals, check), { numRuns: 5000 });
  // Meter-like magnitudes.
  fc.assert(fc.property(fc.double({ min: -1e7, max: 1e7, noNaN: true }), decimals, check), { numRuns: 5000 });
  // Ties: decimal strings ending in 5 one place past the cut, the case toFixed gets "wrong".
  fc.assert(
    fc.property(fc.integer({ min: -1e9, max: 1e9 }), decimals, (k, d) => {
      const x = Number(String(k) + "e-" + d) + Math.sign(k || 1) * Number("5e-" + (d + 1));
      return check(x, d);
    }),
    { numRuns: 5000 },
  );
  t.pass();
});

test("strings are escaped exactly like JSON.stringify", (t) => {
  t.is(quoteJsonString('a"b\\c\n\u0001\u001f'), '"a\\"b\\\\c\\n\\u0001\\u001f"');
  t.is(quoteJsonString("\ud800x"), '"\\ud800x"', "lone surrogate escaped");
  t.is(quoteJsonString("😀"), '"😀"', "pair kept");
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 40 }), (codes) => {
      const s = String.fromCharCode(...codes);
      return quoteJsonString(s) === JSON.stringify(s);
    }),
    { numRuns: 5000 },
  );
  fc.assert(fc.property(fc.string({ unit: "binary" }), (s) => quoteJsonString(s) === JSON.stringify(s)));
  t.pass();
});

test("writer places commas and nests correctly", (t) => {
  const w = new JsonWriter();
  w.beginObject()
    .key("a").fixed(1, 1)
    .key("b").beginArray().number(1).string("x").bool(false).null().beginObject().endObject().endArray()
    .key("c").beginObject().key("d").raw("[]").endObject()
    .endObject();
  t.is(w.toString(), '{"a":1.0,"b":[1,"x",false,null,{}],"c":{"d":[]}}');
});

test("property: value() writes what JSON.parse reads back", (t) => {
  fc.assert(
    fc.property(fc.jsonValue(), (v) => {
      const text = new JsonWriter().value(v).toString();
      return JSON.stringify(JSON.parse(text)) === JSON.stringify(v);
    }),
    { numRuns: 2000 },
  );
  t.pass();
});
