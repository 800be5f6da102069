// Bench section: frames per second on Node, ours against the npm package open-sml on the same
// frames in the same process, alternating in rounds so that both see the same machine state.
//
// Ours: raw transport bytes → SmlInput (streaming assembler with unescaping, transport and
// message CRCs, decoder, readings with the meter quirks) → MeterModel.
// open-sml: new SmlFile().parse(buffer) (transport and message CRCs, object tree per frame),
// then every GetListResponse entry's value × 10^scaler, as its users (ioBroker.smartmeter) do.
// open-sml needs a whole frame in one buffer and does not unescape; it rejects one capture
// (emh-unknown-2: list-valued entry), so the comparison uses the 45 frames both decode.

import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import * as esbuild from "esbuild";
import { fixturesDir, repoRoot } from "../../test/xs/xs-support.js";

const require = createRequire(import.meta.url);

async function loadOurs() {
  const result = await esbuild.build({
    entryPoints: [path.join(repoRoot, "bench/node-decode.entry.ts")],
    bundle: true, write: false, format: "esm", platform: "neutral", target: "es2022", logLevel: "silent",
  });
  const code = result.outputFiles[0].text;
  return import(`data:text/javascript;base64,${Buffer.from(code).toString("base64")}`);
}

function singleFrames() {
  // Same set as the XS section: every sml/*.bin capture (not the sub-folders), sorted.
  return readdirSync(path.join(fixturesDir, "sml"))
    .filter((name) => name.endsWith(".bin"))
    .sort()
    .map((name) => ({ name, bytes: new Uint8Array(readFileSync(path.join(fixturesDir, "sml", name))) }));
}

function createOpenSml(Lib) {
  const { SmlFile, Constants } = Lib;
  const decodeOne = (buffer) => {
    const file = new SmlFile();
    file.parse(buffer);
    let sink = 0;
    for (const message of file.getMessages()) {
      if (message.getMessageTag() !== Constants.GET_LIST_RESPONSE) continue;
      for (const entry of message.getMessageBody().getValList().getListEntries()) {
        const value = entry.getValue();
        if (typeof value === "number") sink += value * 10 ** (entry.getScaler() ?? 0);
      }
    }
    return { valid: file.valid === true, sink };
  };
  return {
    decodeOne,
    run(buffers, start, end) {
      let sink = 0;
      for (let i = start; i < end; i++) sink += decodeOne(buffers[i % buffers.length]).sink;
      return sink;
    },
  };
}

/** Runs fn in batches for about `ms` milliseconds; returns frames per second. */
function timed(fn, ms) {
  const batch = 500;
  let done = 0;
  let sink = 0;
  const start = process.hrtime.bigint();
  const limit = start + BigInt(Math.round(ms * 1e6));
  let now = start;
  while (now < limit) {
    sink += fn(done, done + batch);
    done += batch;
    now = process.hrtime.bigint();
  }
  globalThis.__benchSink = sink; // keep the work observable
  return done / (Number(now - start) / 1e9);
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

export default {
  id: "node-decode",
  title: "Node decode throughput, ours vs open-sml (same frames, same process)",
  /** @param {{ quick: boolean }} context */
  async run({ quick }) {
    const { createOurDecoder } = await loadOurs();
    const openSml = createOpenSml(require("open-sml"));
    const all = singleFrames();
    // The frames both decode: open-sml must parse them with a valid CRC.
    const common = all.filter(({ bytes }) => {
      try {
        return openSml.decodeOne(Buffer.from(bytes)).valid;
      } catch {
        return false;
      }
    });
    const rejected = all.filter((f) => !common.includes(f)).map((f) => f.name);
    const frames = common.map((f) => f.bytes);
    const buffers = common.map((f) => Buffer.from(f.bytes));
    const allFrames = all.map((f) => f.bytes);

    // Correctness first: ours must accept every frame.
    const check = createOurDecoder();
    check.run(allFrames, 0, allFrames.length);
    if (check.framesOk() !== allFrames.length || check.errors() !== 0) throw new Error(`ours decoded ${check.framesOk()} of ${allFrames.length} frames`);

    const ours = createOurDecoder();
    const oursAll = createOurDecoder();
    const roundMs = quick ? 100 : 300;
    const rounds = quick ? 3 : 5;
    timed((s, e) => ours.run(frames, s, e), roundMs); // warm-up (JIT)
    timed((s, e) => openSml.run(buffers, s, e), roundMs);
    timed((s, e) => oursAll.run(allFrames, s, e), roundMs);
    const oursFps = [];
    const theirsFps = [];
    const oursAllFps = [];
    for (let r = 0; r < rounds; r++) {
      oursFps.push(timed((s, e) => ours.run(frames, s, e), roundMs));
      theirsFps.push(timed((s, e) => openSml.run(buffers, s, e), roundMs));
      oursAllFps.push(timed((s, e) => oursAll.run(allFrames, s, e), roundMs));
    }
    if (ours.errors() !== 0 || oursAll.errors() !== 0) throw new Error("decode errors during the timed runs");
    const o = median(oursFps);
    const t = median(theirsFps);
    const meanBytes = frames.reduce((a, f) => a + f.length, 0) / frames.length;
    const fps = (key, label, value) => ({ key, label, value, unit: "frames/s", better: "higher", digits: 0, machine: true });
    return {
      metrics: [
        fps("node.ours_fps", `ours, ${frames.length} frames both decode`, o),
        { ...fps("node.open_sml_fps", `open-sml ${require("open-sml/package.json").version}, same frames`, t), better: "none" },
        { key: "node.speedup_vs_open_sml", label: "ours / open-sml (goal ≥ 5×)", value: o / t, unit: "×", better: "higher", digits: 2, machine: true },
        fps("node.ours_fps_all", `ours, all ${allFrames.length} captures`, median(oursAllFps)),
        { key: "node.ours_ns_per_byte", label: "ours, time per transport byte", value: 1e9 / o / meanBytes, unit: "ns", better: "lower", digits: 2, machine: true },
      ],
      notes: [
        `median of ${rounds} alternating rounds of ${roundMs} ms after a warm-up; mean ${meanBytes.toFixed(0)} bytes per frame; ` +
          `open-sml rejects: ${rejected.join(", ") || "none"}`,
      ],
    };
  },
};
