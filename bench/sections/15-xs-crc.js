// Bench section: the CRC-16 alone on XS (bench/xs-crc.bench.js), per transport byte.

import { run } from "../xs-crc.bench.js";

export default {
  id: "xs-crc",
  title: "XS CRC-16/X-25 over every capture frame",
  /** @param {{ quick: boolean }} context */
  async run({ quick }) {
    const r = await run({ iterations: quick ? 1000 : 10_000 });
    return {
      metrics: [
        { key: "xs.crc_units_per_byte", label: "CRC-16/X-25 compute / byte", value: r.unitsPerByte, unit: "units", better: "lower", digits: 2 },
      ],
    };
  },
};
