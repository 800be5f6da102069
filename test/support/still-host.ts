// A ShellyHost whose clock stands still, for code that runs on XS (the XS suites and the XS
// bench entries cannot import the Node-side FakeHost of test/shelly-helpers.ts).

import type { ShellyHost } from "../../modules/shelly/host";

export function stillHost(overrides: Partial<ShellyHost> = {}): ShellyHost {
  return {
    nowMs: () => 0,
    unixTime: () => null,
    utcOffsetS: () => 0,
    uptimeS: () => 1,
    memory: () => ({ ramSize: 327680, ramFree: 120000, fsSize: 0, fsFree: 0 }),
    resetReason: () => 1,
    network: () => ({ ethPresent: false, ethIp: null, wifiStatus: "got ip", wifiIp: "192.168.1.50", wifiSsid: "home", wifiRssi: -60, staSsid: "home", apEnabled: false }),
    temperatureC: () => null,
    isConnected: () => false,
    saveSettings: () => {},
    reboot: () => {},
    ...overrides,
  };
}
