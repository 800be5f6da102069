#!/usr/bin/env node
// Benchmark aggregator: `npm run bench`.
//
//   node bench/run.js [section-id…] [--quick] [--save-baseline] [--json]
//
// Runs the section modules bench/sections/*.js in file-name order (10-…, 20-…; add yours with
// the next free number), prints one table, and compares every metric with bench/baseline.json.
// --save-baseline writes this run as the new baseline (machine info included); the first run
// without a baseline writes it too. --quick shortens every section (for a smoke test).
//
// A section module's default export:
//   { id: "node-decode", title: "…", async run({ quick }) → { metrics, notes?, info? } }
// metric: { key (unique, stable), label, value, unit, better: "lower" | "higher" | "none", digits?,
//           machine?: true when the value depends on the machine (time), false for XS metering }

import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const sectionsDir = path.join(benchDir, "sections");
const baselinePath = path.join(benchDir, "baseline.json");

/** Section files in the order they run (the hook for more sections: drop a file in bench/sections/). */
export function sectionFiles() {
  return readdirSync(sectionsDir)
    .filter((name) => /^\d+-.*\.(js|mjs)$/.test(name))
    .sort()
    .map((name) => path.join(sectionsDir, name));
}

/** Loads the sections (their default exports), in order. */
export async function loadSections() {
  const sections = [];
  for (const file of sectionFiles()) {
    const section = (await import(pathToFileURL(file).href)).default;
    if (!section || typeof section.id !== "string" || typeof section.run !== "function") throw new Error(`${file}: default export needs id and run()`);
    sections.push({ ...section, file: path.basename(file) });
  }
  return sections;
}

function machineInfo() {
  const cpus = os.cpus();
  let commit = null;
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: benchDir, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    // not a git checkout
  }
  return {
    cpu: cpus[0]?.model?.trim() ?? "unknown",
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    commit,
  };
}

function format(value, digits = 0) {
  if (typeof value !== "number" || !Number.isFinite(value)) return String(value);
  return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function delta(metric, base) {
  if (base === undefined || typeof base.value !== "number") return "(new)";
  const before = base.value;
  const now = metric.value;
  if (before === now) return "±0";
  if (before === 0) return `${now > 0 ? "+" : ""}${format(now - before, metric.digits ?? 0)}`;
  const pct = ((now - before) / Math.abs(before)) * 100;
  const better = metric.better === "higher" ? now > before : now < before;
  // Deterministic XS numbers: any change counts. Timings: ±5 % is noise. A peer's numbers
  // (better: "none") are context, not ours to judge.
  const noise = metric.machine && Math.abs(pct) < 5;
  const mark = noise || (metric.better !== "lower" && metric.better !== "higher") ? "" : better ? " better" : " WORSE";
  return `${pct > 0 ? "+" : ""}${pct.toFixed(1)} %${mark}`;
}

function table(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  const right = new Set([2, 4, 5]);
  return rows
    .map((r, i) => {
      const line = r.map((cell, c) => (right.has(c) ? String(cell).padStart(widths[c]) : String(cell).padEnd(widths[c]))).join("  ").trimEnd();
      return i === 0 ? `${line}\n${"-".repeat(line.length)}` : line;
    })
    .join("\n");
}

async function main() {
  const args = process.argv.slice(2);
  const quick = args.includes("--quick");
  const save = args.includes("--save-baseline");
  const json = args.includes("--json");
  const only = args.filter((a) => !a.startsWith("--"));
  const baseline = existsSync(baselinePath) ? JSON.parse(readFileSync(baselinePath, "utf8")) : null;
  const machine = machineInfo();
  const started = Date.now();

  const results = [];
  for (const section of await loadSections()) {
    if (only.length > 0 && !only.includes(section.id)) continue;
    const t0 = Date.now();
    process.stderr.write(`bench: ${section.id} …`);
    const result = await section.run({ quick });
    process.stderr.write(` ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    results.push({ id: section.id, title: section.title, ...result });
  }

  const baseMetrics = new Map();
  for (const s of baseline?.sections ?? []) for (const m of s.metrics) baseMetrics.set(m.key, m);
  const rows = [["section", "metric", "value", "unit", "baseline", "delta"]];
  for (const s of results) {
    for (const m of s.metrics) {
      const base = baseMetrics.get(m.key);
      rows.push([s.id, m.label, format(m.value, m.digits), m.unit, base ? format(base.value, m.digits) : "-", delta(m, base)]);
    }
  }
  const run = {
    date: new Date(started).toISOString(),
    machine,
    engine: results.find((s) => s.info?.engine)?.info.engine ?? null,
    quick,
    seconds: Math.round((Date.now() - started) / 100) / 10,
    sections: results.map(({ id, title, metrics, notes }) => ({ id, title, metrics, notes: notes ?? [] })),
  };

  if (json) {
    console.log(JSON.stringify(run, null, 2));
  } else {
    console.log(`ir2shelly bench, ${run.date}: ${machine.cpu} ×${machine.cores}, ${machine.platform}, node ${machine.node}${run.engine ? `, ${run.engine}` : ""}`);
    if (baseline) {
      const same = baseline.machine?.cpu === machine.cpu && baseline.machine?.cores === machine.cores;
      console.log(`baseline: ${baseline.date} (commit ${baseline.machine?.commit ?? "?"}), ${same ? "same machine" : `other machine: ${baseline.machine?.cpu} ×${baseline.machine?.cores}, compare timings with care`}`);
    } else console.log("baseline: none yet");
    console.log("");
    console.log(table(rows));
    for (const s of results) for (const note of s.notes ?? []) console.log(`\n${s.id}: ${note}`);
    console.log(`\n${run.seconds} s${quick ? " (quick)" : ""}`);
  }

  if (save || (!baseline && !quick && only.length === 0)) {
    writeFileSync(baselinePath, `${JSON.stringify(run, null, 2)}\n`);
    console.log(`wrote ${path.relative(process.cwd(), baselinePath)}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    await main();
  } catch (error) {
    console.error(`bench failed: ${error && error.stack ? error.stack : error}`);
    process.exit(1);
  }
}
