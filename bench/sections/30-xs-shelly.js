// Bench section: what answering a battery costs on XS (xsnap metering, deterministic):
// EM.GetStatus over HTTP and UDP, and Shelly.GetStatus, through App as the device runs it.

import { meterInXs } from "../xs-meter.js";

const ENTRY = "bench/xs-shelly.entry.ts";

export default {
  id: "xs-shelly",
  title: "XS Shelly answers (App → router → JSON), per answer",
  async run({ quick }) {
    const iterations = quick ? 500 : 3000;
    const measure = (loopCall) => meterInXs({ entry: ENTRY, setupCall: "bench.setup()", loopCall, iterations, warmup: 10, allocationSample: 10 });
    const http = await measure("bench.emStatusHttp()");
    const udp = await measure("bench.emStatusUdp()");
    const status = await measure("bench.shellyStatusHttp()");
    const row = (key, label, r) => [
      { key: `xs-shelly.${key}.compute`, label: `${label}: compute`, value: r.compute.perIteration, unit: "units", better: "lower", digits: 0, machine: false },
      { key: `xs-shelly.${key}.slots`, label: `${label}: allocated`, value: r.heap.allocatedSlotsPerIteration, unit: "slots", better: "lower", digits: 1, machine: false },
    ];
    return {
      metrics: [
        ...row("em-http", "EM.GetStatus over HTTP", http),
        ...row("em-udp", "EM.GetStatus over UDP", udp),
        ...row("status-http", "Shelly.GetStatus over HTTP", status),
        { key: "xs-shelly.em-http.retained", label: `EM.GetStatus: heap growth over ${iterations}`, value: http.heap.retainedSlots, unit: "slots", better: "lower", digits: 0, machine: false },
      ],
      notes: [`EM.GetStatus answer: ${http.setup.value} bytes of JSON`],
    };
  },
};
