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

/** An expectation from the index, parsed. */
export type Expectation =
  | { kind: "number"; value: number; unit: string; tolerance: number; approximate: boolean }
  | { kind: "text"; text: string }
  | { kind: "octets"; hex: string }
  | { kind: "raw"; raw: string; scaler: number }
  | { kind: "entries"; count: number };

/** Parses the index's free-form statements ("5430157.7 Wh", "\"DZG\"", "octets:0a01…", …). */
export function parseExpectation(key: string, statement: string): Expectation | null {
  if (key === "entries") {
    const m = /^(\d+) OBIS entries/.exec(statement);
    return m ? { kind: "entries", count: Number(m[1]) } : null;
  }
  if (key === "note") return null;
  if (statement.startsWith("\"")) return { kind: "text", text: statement.slice(1, statement.indexOf("\"", 1)) };
  if (statement.startsWith("octets:")) return { kind: "octets", hex: statement.slice(7) };
  let m = /^raw (\d+) \(scaler (-?\d+)\)/.exec(statement);
  if (m) return { kind: "raw", raw: m[1], scaler: Number(m[2]) };
  m = /^(~)?(-?\d+(?:\.(\d+))?)(?: ([A-Za-z]+))?(?: \(\+-([\d.]+)\))?/.exec(statement);
  if (!m) return null;
  const decimals = m[3]?.length ?? 0;
  let value = Number(m[2]);
  let unit = m[4] ?? "";
  let tolerance = m[5] !== undefined ? Number(m[5]) : 0.5 * 10 ** -decimals;
  if (unit === "kWh") {
    value *= 1000;
    tolerance *= 1000;
    unit = "Wh";
  }
  // "~" marks an approximate statement from an issue text: allow 1 %.
  if (m[1]) tolerance = Math.max(tolerance, Math.abs(value) * 0.01);
  return { kind: "number", value, unit, tolerance: tolerance + 1e-9, approximate: m[1] !== undefined };
}
