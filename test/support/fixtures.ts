// Access to the shared meter captures. They live beside the repository (../shared), never
// inside it: CI lays the same folder beside its clone.

import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const sharedRoot = path.resolve(repoRoot, "..", "shared");
export const fixturesRoot = path.join(sharedRoot, "fixtures");

if (!existsSync(fixturesRoot)) {
  throw new Error(`The shared fixtures are missing: expected them at ${fixturesRoot} (the folder beside the repository).`);
}

export function fixture(relative: string): Uint8Array {
  return new Uint8Array(readFileSync(path.join(fixturesRoot, relative)));
}

export function fixtureFiles(folder: string): string[] {
  return readdirSync(path.join(fixturesRoot, folder))
    .filter((name) => name.endsWith(".bin"))
    .sort()
    .map((name) => `${folder}/${name}`);
}

export interface IndexEntry {
  file: string;
  maker?: string;
  model?: string;
  expected_stated_by_source?: Record<string, string> | null;
}

export function fixtureIndex(): IndexEntry[] {
  return JSON.parse(readFileSync(path.join(fixturesRoot, "sml-d0-index.json"), "utf8")) as IndexEntry[];
}

// The parsing of the index's statements is pure and shared with the XS suites.
export { parseExpectation, type Expectation } from "./sml-checks";
