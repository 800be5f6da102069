// Bench section: freshness — from a frame's last byte on the pty to the new value in an HTTP
// answer (socat pty at 9600 baud → ir2shelly serve --serial → GET /rpc/EM.GetStatus).

import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export default {
  id: "freshness",
  title: "Freshness: last byte on the pty → value in an HTTP answer",
  async run({ quick }) {
    const frames = quick ? 10 : 60;
    const out = execFileSync(process.execPath, ["--import=tsx", "bench/freshness-driver.ts", String(frames)], { cwd: repoRoot, encoding: "utf8", timeout: 120_000 });
    const { samples } = JSON.parse(out.trim().split("\n").pop());
    const sorted = [...samples].sort((a, b) => a - b);
    return {
      metrics: [
        { key: "freshness.p50", label: "median", value: percentile(sorted, 50), unit: "ms", better: "lower", digits: 2, machine: true },
        { key: "freshness.p99", label: "p99 (goal < 20 ms)", value: percentile(sorted, 99), unit: "ms", better: "lower", digits: 2, machine: true },
        { key: "freshness.max", label: "max", value: sorted[sorted.length - 1], unit: "ms", better: "lower", digits: 2, machine: true },
      ],
      notes: [`${samples.length} frames, each written at 9600 baud; the clock starts when the last byte is written`],
    };
  },
};
