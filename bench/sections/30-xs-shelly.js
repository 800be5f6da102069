// Bench section: what answering a battery costs on XS (xsnap metering, deterministic):
// EM.GetStatus over HTTP and UDP, Shelly.GetStatus and Shelly.GetComponents, through App as
// the device runs it; and sending the page script (gzip, from its base64 in flash).

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
    const components = await measure("bench.shellyComponentsHttp()");
    const script = await meterInXs({ entry: ENTRY, loopCall: "bench.scriptGzip()", iterations: quick ? 20 : 100, warmup: 2, allocationSample: 5, batchSize: 10 });
    const row = (key, label, r) => [
      { key: `xs-shelly.${key}.compute`, label: `${label}: compute`, value: r.compute.perIteration, unit: "units", better: "lower", digits: 0, machine: false },
      { key: `xs-shelly.${key}.slots`, label: `${label}: allocated`, value: r.heap.allocatedSlotsPerIteration, unit: "slots", better: "lower", digits: 1, machine: false },
    ];
    return {
      metrics: [
        ...row("em-http", "EM.GetStatus over HTTP", http),
        ...row("em-udp", "EM.GetStatus over UDP", udp),
        ...row("status-http", "Shelly.GetStatus over HTTP", status),
        ...row("components-http", "Shelly.GetComponents over HTTP", components),
        ...row("script-gzip", "/app.js body, gzip (TCP segments)", script),
        { key: "xs-shelly.em-http.retained", label: `EM.GetStatus: heap growth over ${iterations}`, value: http.heap.retainedSlots, unit: "slots", better: "lower", digits: 0, machine: false },
      ],
      notes: [
        `JSON answers: EM.GetStatus ${http.setup.value.em} bytes, Shelly.GetStatus ${http.setup.value.status} bytes, ` +
          `Shelly.GetComponents ${http.setup.value.components} bytes`,
      ],
    };
  },
};
