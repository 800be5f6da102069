// Meter captures for code running inside xsnap (XS test suites and XS benchmarks).
// The Node side (test/xs/xs-support.js) serves the files of ../shared/fixtures on request
// through xsnap's synchronous issueCommand(); nothing is copied into the repo or the bundle.

/** One entry of shared/fixtures/sml-d0-index.json. */
export interface FixtureIndexEntry {
  /** Path relative to shared/fixtures, e.g. "sml/dzg-dvs7412-1.bin". */
  file: string;
  maker?: string;
  model?: string;
  source?: string;
  /** OBIS code -> value as stated by the capture's source, e.g. "5430157.7 Wh". */
  expected_stated_by_source?: Record<string, string>;
  expected_source?: string;
}

type IssueCommand = (request: ArrayBufferLike) => ArrayBuffer;

function command(request: { op: string; path?: string }): Uint8Array {
  const issue = (globalThis as { issueCommand?: IssueCommand }).issueCommand;
  if (typeof issue !== "function") {
    throw new Error("fixtures are only available inside xsnap (run through test/xs/run-xs.js or bench/xs-meter.js)");
  }
  const reply = new Uint8Array(issue(new TextEncoder().encode(JSON.stringify(request)).buffer));
  const payload = reply.subarray(1);
  if (reply[0] !== 0) throw new Error(new TextDecoder().decode(payload));
  return payload;
}

let cachedNames: string[] | undefined;
let cachedIndex: FixtureIndexEntry[] | undefined;

/** Bytes of a fixture file, e.g. fixture("sml/dzg-dvs7412-1.bin"). A fresh copy on each call. */
export function fixture(path: string): Uint8Array {
  return command({ op: "fixture", path }).slice();
}

/** Fixture file paths (under sml/ and d0/), sorted, optionally only those starting with prefix. */
export function fixtureNames(prefix = ""): string[] {
  cachedNames ??= JSON.parse(new TextDecoder().decode(command({ op: "names" }))) as string[];
  return cachedNames.filter((name) => name.startsWith(prefix));
}

/** Single-frame SML captures: sml/*.bin, not the streams/, messages-only/ or modified/ subfolders. */
export function singleFrameFixtureNames(): string[] {
  return fixtureNames("sml/").filter((name) => /^sml\/[^/]+\.bin$/.test(name));
}

/** The parsed sml-d0-index.json. */
export function fixtureIndex(): FixtureIndexEntry[] {
  cachedIndex ??= JSON.parse(new TextDecoder().decode(command({ op: "index" }))) as FixtureIndexEntry[];
  return cachedIndex;
}
