// On Moddable's XS engine a property name, once created, stays in the key table for the life
// of the device. This runs json-input on XS (xsnap, through bench/xs-meter.js) with a new
// unknown name in every request and counts the heap slots still alive afterwards: none may
// stay. The same requests through a plain JSON.parse show that the count does see keys.

import test from "ava";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { repoRoot } from "./shelly-helpers";

const REQUESTS = 2000;

interface MeterResult {
  compute: { perIteration: number };
  heap: { retainedSlots: number };
}

/** bench/xs-meter.js (plain JS, no declarations): the parts used here. */
type MeterInXs = (options: { entry: string; loopCall: string; iterations: number }) => Promise<MeterResult>;

const entrySource = (jsonInput: string) => `
import { parseJsonBounded, parseQueryParams } from ${JSON.stringify(jsonInput)};
let sink: unknown;
const check = (r: { ok: boolean }, ok: boolean) => { if (r.ok !== ok) throw new Error("unexpected result " + JSON.stringify(r)); };
export function plainParse(i: number): void { sink = JSON.parse('{"id":1,"k' + i + '":1}'); }
export function plainParseInvalid(i: number): void { try { JSON.parse('{"id":1,"k' + i + '" 1}'); } catch { sink = i; } }
export function unknownName(i: number): void { check(parseJsonBounded('{"id":1,"src":"x","params":{"k' + i + '":{"id":0}}}'), true); }
export function escapedName(i: number): void { check(parseJsonBounded('{"id":1,"\\\\u006b' + i + '":[1]}'), true); }
export function invalidText(i: number): void { check(parseJsonBounded('{"id":1,"k' + i + '" 1}'), false); }
export function queryName(i: number): void { sink = parseQueryParams("id=0&k" + i + "=1&config=%7B%22j" + i + "%22%3A1%7D"); }
export function typicalFrame(): void { check(parseJsonBounded('{"id":1,"src":"x","method":"EM.GetStatus","params":{"id":0}}'), true); }
export function typicalQuery(): void { sink = parseQueryParams("id=0"); }
`;

test("XS: unknown names in JSON and queries leave no key behind, also in refused text", async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), "json-input-xs-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const entry = path.join(dir, "entry.ts");
  writeFileSync(entry, entrySource(path.join(repoRoot, "modules", "shelly", "json-input.ts")));
  const { meterInXs } = (await import(pathToFileURL(path.join(repoRoot, "bench", "xs-meter.js")).href)) as { meterInXs: MeterInXs };
  const meter = (call: string, iterations = REQUESTS) => meterInXs({ entry, loopCall: `bench.${call}(i)`, iterations });

  const [plain, plainInvalid, unknown, escaped, invalid, query, frame, idQuery] = await Promise.all([
    meter("plainParse"), meter("plainParseInvalid"), meter("unknownName"), meter("escapedName"),
    meter("invalidText"), meter("queryName"), meter("typicalFrame", 500), meter("typicalQuery", 500),
  ]);
  // The control: XS keeps a key slot per new name, even for text JSON.parse then refuses (the
  // meter's allocation sample has already made the first hundred names before it counts).
  t.true(plain.heap.retainedSlots > REQUESTS / 2, `plain JSON.parse kept ${plain.heap.retainedSlots} slots`);
  t.true(plainInvalid.heap.retainedSlots > REQUESTS / 2, `refused JSON.parse kept ${plainInvalid.heap.retainedSlots} slots`);
  for (const [what, r] of [["unknown name", unknown], ["escaped name", escaped], ["refused text", invalid], ["query", query]] as const) {
    t.is(r.heap.retainedSlots, 0, `${what}: ${r.heap.retainedSlots} slots kept over ${REQUESTS} requests`);
  }
  t.log(`XS compute units: typical frame ${frame.compute.perIteration}, ?id=0 ${idQuery.compute.perIteration}, frame with an unknown name ${unknown.compute.perIteration}`);
});
