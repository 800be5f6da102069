// ESP32 side of "device-platform" (mapped in the manifest for esp32 builds only).

import Digital from "embedded:io/digital";
import type UDP from "embedded:io/socket/udp";
import OTA from "ota";
import getResetReason from "resetReason";
import config from "mc/config";
import type { DevicePlatform, OtaSink, PinIn, PinOut } from "device-platform";

interface SystemGlobal {
  System?: { restart(): void };
}

const platform: DevicePlatform = Object.freeze({
  name: "esp32",
  resetReason: () => getResetReason().reason,
  restart() {
    (globalThis as unknown as SystemGlobal).System?.restart();
  },
  beginOta(): OtaSink {
    return new OTA();
  },
  otaPartitionBytes: Number(config.otaPartitionBytes ?? 0),
  chipId: typeof config.chipId === "number" ? config.chipId : null,
  openButton(pin: number): PinIn {
    return new Digital({ pin, mode: Digital.InputPullUp });
  },
  openLed(pin: number): PinOut {
    return new Digital({ pin, mode: Digital.Output });
  },
  joinMulticast(socket: unknown, group: string): boolean {
    const udp = socket as UDP;
    if (typeof udp.add !== "function") return false;
    udp.add(group);
    return true;
  },
});

export default platform;
