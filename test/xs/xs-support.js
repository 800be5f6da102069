// Shared plumbing for running core code on XS through @agoric/xsnap: bundling a TS entry with
// esbuild, starting an xsnap worker, and serving fixture files to code running inside it.
// Used by test/xs/run-xs.js (the XS test runner) and bench/xs-meter.js (metering).
//
// Importing this module has no side effects. startXsWorker() loads @endo/init, which locks
// down (hardens) the whole Node process: only call it in a process dedicated to XS work.

import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import * as esbuild from "esbuild";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const fixturesDir = path.resolve(repoRoot, "..", "shared", "fixtures");

/** Throws a loud error when ../shared/fixtures is absent (CI always has it). */
export function requireFixturesDir() {
  if (!existsSync(path.join(fixturesDir, "sml")) || !existsSync(path.join(fixturesDir, "sml-d0-index.json"))) {
    throw new Error(
      `XS tests need the meter captures in ${fixturesDir} (sml/, d0/, sml-d0-index.json), ` +
        "but they are missing. They are never copied into the repo; check out shared/fixtures next to it.",
    );
  }
  return fixturesDir;
}

/** All fixture files under sml/ and d0/ as POSIX paths relative to the fixtures dir, sorted. */
export function listFixtures() {
  requireFixturesDir();
  const out = [];
  const walk = (rel) => {
    for (const name of readdirSync(path.join(fixturesDir, rel))) {
      const childRel = `${rel}/${name}`;
      if (statSync(path.join(fixturesDir, childRel)).isDirectory()) walk(childRel);
      else out.push(childRel);
    }
  };
  for (const top of ["sml", "d0"]) if (existsSync(path.join(fixturesDir, top))) walk(top);
  return out.sort();
}

/**
 * Bundles a TS/JS entry into one classic script for XS: IIFE, ES2022, platform "neutral" so
 * that any Node built-in import fails the build instead of sneaking in.
 * With globalName, the entry's exports become that global (used by the meter).
 */
export async function bundleForXs(entry, { globalName } = {}) {
  const result = await esbuild.build({
    entryPoints: [entry],
    absWorkingDir: repoRoot,
    bundle: true,
    write: false,
    format: "iife",
    // xsnap's evaluate does not turn a top-level `var` into a global: publish it explicitly.
    ...(globalName ? { globalName, footer: { js: `globalThis.${globalName} = ${globalName};` } } : {}),
    target: "es2022",
    platform: "neutral",
    mainFields: ["module", "main"],
    charset: "utf8",
    legalComments: "none",
    logLevel: "silent",
  });
  return result.outputFiles[0].text;
}

/** Formats esbuild's error list (or any error) on a few lines. */
export function describeBuildError(error) {
  if (error && Array.isArray(error.errors) && error.errors.length > 0) {
    return error.errors
      .map((m) => (m.location ? `${m.location.file}:${m.location.line}:${m.location.column}: ${m.text}` : m.text))
      .join("; ");
  }
  return String(error && error.message ? error.message : error);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Answers issueCommand() calls made by test/xs/fixtures.ts inside XS.
 * Request: UTF-8 JSON {op:"fixture", path} | {op:"names"} | {op:"index"}.
 * Reply: one status byte (0 ok, 1 error) followed by the payload (raw file bytes, or UTF-8 text).
 */
export function makeFixtureCommandHandler() {
  const names = listFixtures();
  const known = new Set(names);
  const reply = (status, payload) => {
    const out = new Uint8Array(payload.length + 1);
    out[0] = status;
    out.set(payload, 1);
    return out;
  };
  return async function handleCommand(message) {
    let request;
    try {
      request = JSON.parse(decoder.decode(message));
    } catch {
      return reply(1, encoder.encode("xs command is not JSON"));
    }
    if (request.op === "names") return reply(0, encoder.encode(JSON.stringify(names)));
    if (request.op === "index") return reply(0, readFileSync(path.join(fixturesDir, "sml-d0-index.json")));
    if (request.op === "fixture") {
      if (!known.has(request.path)) return reply(1, encoder.encode(`no fixture ${JSON.stringify(request.path)} under ${fixturesDir}`));
      return reply(0, readFileSync(path.join(fixturesDir, request.path)));
    }
    return reply(1, encoder.encode(`unknown xs command ${JSON.stringify(request.op)}`));
  };
}

/**
 * Starts an xsnap worker. meteringLimit is the per-evaluate ("crank") compute budget; the worker
 * exits with "too much computation" beyond it. XS's print() goes to our stderr so that it never
 * mixes with the runner's report on stdout.
 */
export async function startXsWorker({ name = "xs", handleCommand, meteringLimit = 1e9 } = {}) {
  await import("@endo/init");
  const { xsnap } = await import("@agoric/xsnap");
  const { spawn } = await import("node:child_process");
  const os = await import("node:os");
  const fs = await import("node:fs");
  return xsnap({
    name,
    os: os.type(),
    spawn,
    fs: { ...fs, ...fs.promises },
    stdout: 2, // spawn() accepts a file descriptor: XS's print() lands on our stderr
    stderr: "inherit",
    meteringLimit,
    ...(handleCommand ? { handleCommand } : {}),
  });
}

const xsnapBin = path.join(
  repoRoot,
  "node_modules/@agoric/xsnap/xsnap-native/xsnap/build/bin/lin/release/xsnap-worker",
);

/** "xsnap 0.15.0 (XS 13.3.0)", from the worker binary itself. */
export async function xsnapVersion() {
  const { stdout } = await promisify(execFile)(xsnapBin, ["-v"]);
  return stdout.trim();
}

/** Evaluates `code` (whose completion value must be an ArrayBuffer of UTF-8 JSON) and parses it. */
export async function evaluateJson(worker, code) {
  const { reply, meterUsage } = await worker.evaluate(code);
  if (reply.length === 0) return { value: undefined, meterUsage };
  return { value: JSON.parse(decoder.decode(reply)), meterUsage };
}

/**
 * An expression that proves we are inside xsnap's XS, not Node: XS's own trace(), xsnap's
 * print()/issueCommand(), and none of Node's globals. Evaluates to an ArrayBuffer of JSON.
 */
export const engineProbe = `(() => {
  const g = globalThis;
  const seen = {};
  for (const n of ["trace", "print", "issueCommand", "process", "require", "Buffer", "console"]) seen[n] = typeof g[n];
  const isXs = seen.trace === "function" && seen.print === "function" && seen.issueCommand === "function" &&
    seen.process === "undefined" && seen.require === "undefined" && seen.Buffer === "undefined";
  return new TextEncoder().encode(JSON.stringify({ isXs, seen })).buffer;
})()`;
